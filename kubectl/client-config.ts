// How kubectl turns kubeconfig files and flags into a REST config (client-go's clientcmd
// DirectClientConfig + DeferredLoadingClientConfig): the credential flags override the chosen
// cluster and user entry field by field, the merged entries are validated with clientcmd's
// messages, credentials are only used over https, and when the files and flags say nothing at
// all a process in a pod uses its service account (in-cluster config).
import { existsSync, openSync, closeSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import {
  inClusterConfig,
  kubeconfigPaths,
  mergeKubeconfigs,
  parseKubeconfig,
  type Kubeconfig,
  type KubeconfigOverrides,
  type LoadedConfig,
} from '../client/index.js';
import type { KubeconfigCluster, KubeconfigUser } from '../client/kubeconfig.js';
import type { RestConfig } from '../client/rest.js';
import { CliError, VerbatimError } from './errors.js';
import { SERVICE_ACCOUNT_MOUNT_PATH } from '../api/serviceaccount.js';

/** The kubeconfig-related global flags, as kubectl names them. */
export interface ConfigFlags extends Omit<KubeconfigOverrides, 'insecureSkipTLSVerify'> {
  username?: string;
  password?: string;
  certificateAuthority?: string;
  clientCertificate?: string;
  clientKey?: string;
  insecureSkipTlsVerify?: boolean;
  tlsServerName?: string;
  as?: string;
  asGroups?: string[];
  asUid?: string;
  /** --request-timeout in ms (0/undefined: none); part of the REST config kubectl compares. */
  timeoutMs?: number;
}

export const SERVICE_ACCOUNT_DIR = SERVICE_ACCOUNT_MOUNT_PATH;

export interface ClientConfig extends LoadedConfig {
  /** Where the bearer token came from; long-running commands re-read it (rotated tokens). */
  tokenFile?: string;
  /** An https server and nothing that identifies the user: kubectl asks for a username/password. */
  needsPrompt: boolean;
  inCluster: boolean;
  /** --namespace or the context named the namespace (else a pod's own namespace applies). */
  namespaceSet: boolean;
  /**
   * What is wrong with the configuration, as kubectl reports it when a command first needs the
   * namespace (clientcmd ConfirmUsable) or first needs a client (getAuthInfo/getContext/
   * getCluster, then ConfirmUsable): the two ask in a different order, with different words.
   */
  namespaceError?: CliError;
  clientError?: CliError;
}

/** kubeconfig user entries may carry impersonation (`as`, `as-groups`, `as-uid`). */
type UserEntry = KubeconfigUser & { as?: string; 'as-groups'?: string[]; 'as-uid'?: string };

/** clientcmd's invalid-configuration errors: one is printed as `error: …`, several as a list. */
function configurationError(errors: string[], contextNotFound: boolean): CliError | undefined {
  if (errors.length === 0) return undefined;
  // A lone "context was not found" keeps its "Error in configuration" prefix (it is no aggregate).
  if (errors.length === 1 && !contextNotFound) return new CliError(errors[0]!);
  return new VerbatimError(`Error in configuration: ${errors.length === 1 ? errors[0]! : `\n${errors.map((e) => `* ${e}`).join('\n')}`}`);
}

/** Go's os.Open error text for a Node fs error. */
function goOpenError(path: string, e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  const why = code === 'ENOENT' ? 'no such file or directory' : code === 'EACCES' ? 'permission denied' : (e as Error).message;
  return `open ${path}: ${why}`;
}

function unreadable(path: string): string | undefined {
  try {
    closeSync(openSync(path, 'r'));
    return undefined;
  } catch (e) {
    return goOpenError(path, e);
  }
}

function readKubeconfigs(paths: string[]): Kubeconfig {
  return mergeKubeconfigs(paths.filter((p) => existsSync(p)).map((p) => parseKubeconfig(readFileSync(p, 'utf8'), dirname(resolve(p)))));
}

/** The cluster entry with the flags applied (clientcmd getCluster). */
function mergedCluster(entry: KubeconfigCluster, f: ConfigFlags): KubeconfigCluster {
  const c: KubeconfigCluster = { ...entry };
  if (f.server) c.server = f.server;
  // --insecure-skip-tls-verify or --certificate-authority replace the file's CA settings together,
  // else a kubeconfig CA would conflict with the insecure flag or win over the flag's file.
  if (f.insecureSkipTlsVerify || f.certificateAuthority) {
    c['insecure-skip-tls-verify'] = !!f.insecureSkipTlsVerify;
    c['certificate-authority'] = f.certificateAuthority;
    delete c['certificate-authority-data'];
  }
  // A --server without --tls-server-name drops the file's server name (it named the old server).
  if (f.tlsServerName || f.server) c['tls-server-name'] = f.tlsServerName;
  return c;
}

/** The user entry with the flags applied (clientcmd getAuthInfo). */
function mergedUser(entry: UserEntry, f: ConfigFlags): UserEntry {
  const u: UserEntry = { ...entry };
  if (f.token) u.token = f.token;
  if (f.clientCertificate) u['client-certificate'] = f.clientCertificate;
  if (f.clientKey) u['client-key'] = f.clientKey;
  if (f.username) u.username = f.username;
  if (f.password) u.password = f.password;
  if (f.as) u.as = f.as;
  if (f.asGroups?.length) u['as-groups'] = f.asGroups;
  if (f.asUid) u['as-uid'] = f.asUid;
  return u;
}

/** clientcmd validateAuthInfo. */
function validateUser(name: string, u: UserEntry): string[] {
  const errs: string[] = [];
  const methods: string[] = [];
  if (u.token) methods.push('token');
  if (u.username || u.password) methods.push('basicAuth');
  if (u['client-certificate'] || u['client-certificate-data']) {
    if (u['client-certificate'] && u['client-certificate-data']) errs.push(`client-cert-data and client-cert are both specified for ${name}. client-cert-data will override.`);
    if (u['client-key'] && u['client-key-data']) errs.push(`client-key-data and client-key are both specified for ${name}; client-key-data will override`);
    if (!u['client-key'] && !u['client-key-data']) errs.push(`client-key-data or client-key must be specified for ${name} to use the clientCert authentication method.`);
    const cert = u['client-certificate'] && unreadable(u['client-certificate']);
    if (cert) errs.push(`unable to read client-cert ${u['client-certificate']} for ${name} due to ${cert}`);
    const key = u['client-key'] && unreadable(u['client-key']);
    if (key) errs.push(`unable to read client-key ${u['client-key']} for ${name} due to ${key}`);
  }
  if (methods.length > 1) errs.push(`more than one authentication method found for ${name}; found [${methods.join(' ')}], only one is allowed`);
  if ((u['as-uid'] || u['as-groups']?.length) && !u.as) errs.push(`requesting uid, groups or user-extra for ${name} without impersonating a user`);
  return errs;
}

/** clientcmd validateClusterInfo (what can go wrong once a server is known). */
function validateCluster(name: string, c: KubeconfigCluster): string[] {
  const errs: string[] = [];
  if (c['certificate-authority'] && c['certificate-authority-data']) {
    errs.push(`certificate-authority-data and certificate-authority are both specified for ${name}. certificate-authority-data will override.`);
  }
  const ca = c['certificate-authority'] && unreadable(c['certificate-authority']);
  if (ca) errs.push(`unable to read certificate-authority ${c['certificate-authority']} for ${name} due to ${ca}`);
  return errs;
}

function pem(data: string | undefined, file: string | undefined): string | undefined {
  if (data) return Buffer.from(data, 'base64').toString('utf8');
  if (file) return readFileSync(file, 'utf8');
  return undefined;
}

/** kubectl's server when nothing names one. */
export function defaultServer(env: NodeJS.ProcessEnv): string {
  return env.KUBERNETES_MASTER || 'http://localhost:8080';
}

/** One kubeconfig (already merged) and the flags → the REST config kubectl would use. */
export function resolveClientConfig(cfg: Kubeconfig, f: ConfigFlags, env: NodeJS.ProcessEnv): ClientConfig {
  const contextName = f.context ?? cfg.currentContext;
  const contextMissing = !!contextName && !cfg.contexts[contextName];
  const ctx = cfg.contexts[contextName] ?? {};
  const clusterName = f.cluster ?? ctx.cluster ?? '';
  const userName = f.user ?? ctx.user ?? '';
  const clusterMissing = !!f.cluster && !cfg.clusters[f.cluster];
  const cluster = mergedCluster(cfg.clusters[clusterName] ?? {}, f);
  const user = mergedUser((cfg.users[userName] ?? {}) as UserEntry, f);

  // ConfirmUsable: a missing --cluster leaves the cluster without even the default server.
  const usable = [...(contextMissing ? [`context was not found for specified context: ${contextName}`] : []), ...validateUser(userName, user)];
  if (clusterMissing && !cluster.server) usable.push(`no server found for cluster "${f.cluster}"`);
  usable.push(...validateCluster(clusterName, cluster));
  const namespaceError = configurationError(usable, contextMissing);
  let clientError: CliError | undefined;
  if (f.user && !cfg.users[f.user]) clientError = new CliError(`auth info "${f.user}" does not exist`);
  else if (f.context && contextMissing) clientError = new CliError(`context "${f.context}" does not exist`);
  else if (clusterMissing) clientError = new CliError(`cluster "${f.cluster}" does not exist`);
  else clientError = namespaceError;

  const server = cluster.server || defaultServer(env);
  const config: RestConfig = { server };
  if (f.timeoutMs) config.timeoutMs = f.timeoutMs;
  if (user.as) config.impersonate = { user: user.as, ...(user['as-uid'] ? { uid: user['as-uid'] } : {}), ...(user['as-groups']?.length ? { groups: user['as-groups'] } : {}) };
  let tokenFile: string | undefined;
  // client-go reads credentials only for TLS: over plain http they would travel in clear text.
  const tls = server.startsWith('https://');
  if (tls && !clientError) {
    if (user.token) config.token = user.token;
    else if (user.tokenFile) {
      tokenFile = user.tokenFile;
      try {
        config.token = readFileSync(user.tokenFile, 'utf8').trim();
      } catch (e) {
        clientError = new CliError(goOpenError(user.tokenFile, e));
      }
    }
    if (user['client-certificate'] || user['client-certificate-data']) {
      config.cert = pem(user['client-certificate-data'], user['client-certificate']);
      config.key = pem(user['client-key-data'], user['client-key']);
    }
    if (user.username || user.password) {
      config.username = user.username ?? '';
      config.password = user.password ?? '';
    }
    const ca = pem(cluster['certificate-authority-data'], cluster['certificate-authority']);
    if (ca) config.ca = ca;
    if (cluster['insecure-skip-tls-verify']) config.insecureSkipTLSVerify = true;
    if (cluster['tls-server-name']) config.tlsServerName = cluster['tls-server-name'];
  }
  const canIdentifyUser = !!(config.username || config.cert || config.token);
  return {
    config,
    namespace: f.namespace || ctx.namespace || 'default',
    contextName,
    ...(tokenFile ? { tokenFile } : {}),
    needsPrompt: tls && !canIdentifyUser && !clientError,
    inCluster: false,
    namespaceSet: !!(f.namespace || ctx.namespace),
    ...(namespaceError ? { namespaceError } : {}),
    ...(clientError ? { clientError } : {}),
  };
}

/** Equal to what no kubeconfig and no flags give: kubectl then tries the in-cluster config. */
function isDefaultConfig(c: RestConfig, env: NodeJS.ProcessEnv): boolean {
  return JSON.stringify(c) === JSON.stringify({ server: defaultServer(env) });
}

/** rest.InClusterConfig's precondition: the service env vars and a token file. */
export function inClusterPossible(env: NodeJS.ProcessEnv, saDir: string): boolean {
  return !!env.KUBERNETES_SERVICE_HOST && !!env.KUBERNETES_SERVICE_PORT && existsSync(join(saDir, 'token'));
}

/** The pod's namespace: $POD_NAMESPACE (downward API), else the service account's, else `default`. */
function inClusterNamespace(env: NodeJS.ProcessEnv, saDir: string): string {
  if (env.POD_NAMESPACE) return env.POD_NAMESPACE;
  const file = join(saDir, 'namespace');
  const ns = existsSync(file) ? readFileSync(file, 'utf8').trim() : '';
  return ns || 'default';
}

export interface LoadOptions {
  env: NodeJS.ProcessEnv;
  home: string;
  cwd: string;
  /** A file used when no kubeconfig exists (tskube's `.tskube/kubeconfig`), or --kubeconfig. */
  fileOverride?: string;
  serviceAccountDir?: string;
}

/** kubectl's loading rules end to end (DeferredLoadingClientConfig). */
export function loadClientConfig(f: ConfigFlags, o: LoadOptions): ClientConfig {
  const saDir = o.serviceAccountDir ?? SERVICE_ACCOUNT_DIR;
  if (f.kubeconfig && !existsSync(resolve(o.cwd, f.kubeconfig))) throw new CliError(`stat ${f.kubeconfig}: no such file or directory`);
  const possible = inClusterPossible(o.env, saDir);
  if (possible && !f.kubeconfig) {
    // In-cluster only when kubectl's own files and the flags configure nothing at all.
    let standard: ClientConfig | undefined;
    try {
      standard = resolveClientConfig(readKubeconfigs(kubeconfigPaths({}, o.env, o.home)), f, o.env);
    } catch {
      standard = undefined;
    }
    if (standard && !standard.clientError && isDefaultConfig(standard.config, o.env)) {
      const icc = inClusterConfig(o.env, saDir)!;
      const namespace = f.namespace || inClusterNamespace(o.env, saDir);
      return { ...icc, namespace, tokenFile: join(saDir, 'token'), needsPrompt: false, inCluster: true, namespaceSet: true };
    }
  }
  const paths = o.fileOverride ? [resolve(o.cwd, o.fileOverride)] : kubeconfigPaths({}, o.env, o.home);
  const loaded = resolveClientConfig(readKubeconfigs(paths), f, o.env);
  // A context without a namespace in a pod defaults to the pod's namespace, as kubectl's does.
  if (possible && !loaded.namespaceSet) loaded.namespace = inClusterNamespace(o.env, saDir);
  return loaded;
}
