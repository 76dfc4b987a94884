// kubectl's kubeconfig files (clientcmd): which files (--kubeconfig, else $KUBECONFIG as a
// path list, else ~/.kube/config), how several merge (the first file to set a map entry or a
// field wins), and how a context picks cluster, user and namespace.
import { readFileSync, existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join, resolve, delimiter } from 'node:path';
import { parse } from 'yaml';
import type { RestConfig } from './rest.js';
import { SERVICE_ACCOUNT_MOUNT_PATH } from '../api/serviceaccount.js';

export interface KubeconfigCluster {
  server?: string;
  'certificate-authority'?: string;
  'certificate-authority-data'?: string;
  'insecure-skip-tls-verify'?: boolean;
  'tls-server-name'?: string;
}

export interface KubeconfigUser {
  token?: string;
  tokenFile?: string;
  username?: string;
  password?: string;
  'client-certificate'?: string;
  'client-certificate-data'?: string;
  'client-key'?: string;
  'client-key-data'?: string;
}

export interface KubeconfigContext {
  cluster?: string;
  user?: string;
  namespace?: string;
}

/** A kubeconfig with its named lists turned into maps (what merging works on). */
export interface Kubeconfig {
  currentContext: string;
  clusters: Record<string, KubeconfigCluster>;
  users: Record<string, KubeconfigUser>;
  contexts: Record<string, KubeconfigContext>;
}

export interface KubeconfigOverrides {
  /** `--kubeconfig`: this file only (it must exist). */
  kubeconfig?: string;
  context?: string;
  cluster?: string;
  user?: string;
  namespace?: string;
  server?: string;
  token?: string;
  insecureSkipTLSVerify?: boolean;
}

export interface LoadedConfig {
  config: RestConfig;
  /** The namespace commands default to: --namespace, else the context's, else `default`. */
  namespace: string;
  contextName: string;
}

interface NamedEntry<T> {
  name?: string;
  cluster?: T;
  user?: T;
  context?: T;
}

function toMap<T>(list: unknown, field: 'cluster' | 'user' | 'context'): Record<string, T> {
  const out: Record<string, T> = {};
  if (!Array.isArray(list)) return out;
  for (const e of list as NamedEntry<T>[]) {
    if (e && typeof e.name === 'string' && !(e.name in out)) out[e.name] = (e[field] ?? {}) as T;
  }
  return out;
}

/** Relative file paths in a kubeconfig are relative to the file itself, as in clientcmd. */
function resolvePaths<T extends object>(entry: T, keys: (keyof T)[], dir: string): T {
  const copy = { ...entry };
  for (const k of keys) {
    const v = copy[k];
    if (typeof v === 'string' && v !== '' && !isAbsolute(v)) (copy as Record<keyof T, unknown>)[k] = resolve(dir, v);
  }
  return copy;
}

/** Parses one kubeconfig file's text; `dir` anchors relative paths. */
export function parseKubeconfig(text: string, dir = process.cwd()): Kubeconfig {
  const doc = (parse(text) ?? {}) as Record<string, unknown>;
  const clusters = toMap<KubeconfigCluster>(doc.clusters, 'cluster');
  const users = toMap<KubeconfigUser>(doc.users, 'user');
  for (const [n, c] of Object.entries(clusters)) clusters[n] = resolvePaths(c, ['certificate-authority'], dir);
  for (const [n, u] of Object.entries(users)) users[n] = resolvePaths(u, ['client-certificate', 'client-key', 'tokenFile'], dir);
  return {
    currentContext: typeof doc['current-context'] === 'string' ? doc['current-context'] : '',
    clusters,
    users,
    contexts: toMap<KubeconfigContext>(doc.contexts, 'context'),
  };
}

/** Merges in precedence order: the first config to define a name or current-context wins. */
export function mergeKubeconfigs(configs: Kubeconfig[]): Kubeconfig {
  const out: Kubeconfig = { currentContext: '', clusters: {}, users: {}, contexts: {} };
  for (const c of configs) {
    out.currentContext ||= c.currentContext;
    for (const part of ['clusters', 'users', 'contexts'] as const) {
      for (const [name, v] of Object.entries(c[part])) if (!(name in out[part])) (out[part] as Record<string, unknown>)[name] = v;
    }
  }
  return out;
}

/** The files to read, in precedence order. */
export function kubeconfigPaths(overrides: KubeconfigOverrides = {}, env: NodeJS.ProcessEnv = process.env, home = homedir()): string[] {
  if (overrides.kubeconfig) return [overrides.kubeconfig];
  if (env.KUBECONFIG) return [...new Set(env.KUBECONFIG.split(delimiter).filter(Boolean))];
  return [join(home, '.kube', 'config')];
}

/** Picks context, cluster and user and builds the REST config (reads referenced cert/token files). */
export function resolveKubeconfig(cfg: Kubeconfig, overrides: KubeconfigOverrides = {}): LoadedConfig {
  const contextName = overrides.context ?? cfg.currentContext;
  if (overrides.context && !cfg.contexts[overrides.context]) throw new Error(`context "${overrides.context}" does not exist`);
  const ctx = cfg.contexts[contextName] ?? {};
  const clusterName = overrides.cluster ?? ctx.cluster ?? '';
  const userName = overrides.user ?? ctx.user ?? '';
  if (overrides.cluster && !cfg.clusters[overrides.cluster]) throw new Error(`cluster "${overrides.cluster}" does not exist`);
  if (overrides.user && !cfg.users[overrides.user]) throw new Error(`auth info "${overrides.user}" does not exist`);
  const cluster = cfg.clusters[clusterName] ?? {};
  const user = cfg.users[userName] ?? {};
  // kubectl talks to localhost:8080 when nothing says otherwise.
  const server = overrides.server ?? cluster.server ?? 'http://localhost:8080';
  const token = overrides.token ?? user.token ?? (user.tokenFile ? readFileSync(user.tokenFile, 'utf8').trim() : undefined);
  const config: RestConfig = {
    server,
    ...(token ? { token } : {}),
    ...(!token && user.username !== undefined ? { username: user.username, password: user.password ?? '' } : {}),
    ...pem('ca', cluster['certificate-authority-data'], cluster['certificate-authority']),
    ...pem('cert', user['client-certificate-data'], user['client-certificate']),
    ...pem('key', user['client-key-data'], user['client-key']),
    ...((overrides.insecureSkipTLSVerify ?? cluster['insecure-skip-tls-verify']) ? { insecureSkipTLSVerify: true } : {}),
    ...(cluster['tls-server-name'] ? { tlsServerName: cluster['tls-server-name'] } : {}),
  };
  return { config, namespace: overrides.namespace || ctx.namespace || 'default', contextName };
}

function pem(field: 'ca' | 'cert' | 'key', data: string | undefined, file: string | undefined): Partial<RestConfig> {
  if (data) return { [field]: Buffer.from(data, 'base64').toString('utf8') };
  if (file) return { [field]: readFileSync(file, 'utf8') };
  return {};
}

/**
 * kubectl's loading rules end to end. Missing files in $KUBECONFIG are skipped; a missing
 * --kubeconfig file is an error; no file at all means an empty config.
 */
export function loadKubeconfig(
  overrides: KubeconfigOverrides = {},
  env: NodeJS.ProcessEnv = process.env,
  home = homedir(),
): LoadedConfig {
  const paths = kubeconfigPaths(overrides, env, home);
  if (overrides.kubeconfig && !existsSync(overrides.kubeconfig)) {
    throw new Error(`stat ${overrides.kubeconfig}: no such file or directory`);
  }
  const configs = paths.filter((p) => existsSync(p)).map((p) => parseKubeconfig(readFileSync(p, 'utf8'), dirname(resolve(p))));
  return resolveKubeconfig(mergeKubeconfigs(configs), overrides);
}

const SA_DIR = SERVICE_ACCOUNT_MOUNT_PATH;

/** The config of a process running in a pod (client-go's rest.InClusterConfig), if it is one. */
export function inClusterConfig(env: NodeJS.ProcessEnv = process.env, saDir = SA_DIR): LoadedConfig | undefined {
  const host = env.KUBERNETES_SERVICE_HOST;
  const port = env.KUBERNETES_SERVICE_PORT;
  if (!host || !port || !existsSync(join(saDir, 'token'))) return undefined;
  const hostPart = host.includes(':') ? `[${host}]` : host;
  const caFile = join(saDir, 'ca.crt');
  const nsFile = join(saDir, 'namespace');
  return {
    config: {
      server: `https://${hostPart}:${port}`,
      token: readFileSync(join(saDir, 'token'), 'utf8').trim(),
      ...(existsSync(caFile) ? { ca: readFileSync(caFile, 'utf8') } : {}),
    },
    namespace: existsSync(nsFile) ? readFileSync(nsFile, 'utf8').trim() : 'default',
    contextName: '',
  };
}
