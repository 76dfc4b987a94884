// What every command needs, built lazily from the global flags (kubectl's cmdutil.Factory):
// the kubeconfig as kubectl loads it, a RestClient, and the namespace to default to.
import { parseDurationMs } from '../client/duration.js';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RestClient, kubeconfigPaths, type ResourceClient, type RestConfig } from '../client/index.js';
import type { ResourceInfo } from '../api/resources.js';
import type { KObject } from '../api/types.js';
import { loadClientConfig, type ClientConfig, type ConfigFlags } from './client-config.js';
import { CliError } from './errors.js';
import type { IOStreams } from './io.js';
import { promptForBasicAuth } from './prompt.js';

export interface GlobalFlags extends Omit<ConfigFlags, 'timeoutMs'> {
  /** kubectl's --request-timeout, as `30s`, `1m` or seconds; 0 = none. */
  requestTimeout?: string;
}

/** The checkout this kc runs from (the folder whose package.json is tskube's). */
export function repoRoot(start = dirname(fileURLToPath(import.meta.url))): string | undefined {
  for (let dir = start; ; dir = dirname(dir)) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg)) {
      try {
        if ((JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'tskube') return dir;
      } catch {
        // not ours; keep walking up
      }
    }
    if (dirname(dir) === dir) return undefined;
  }
}

/**
 * kubectl's loading rules, then one tskube rule: when neither --kubeconfig, $KUBECONFIG nor
 * ~/.kube/config names an existing file, use the cluster `scripts/up` made.
 */
export function kubeconfigFileFor(flags: GlobalFlags, env: NodeJS.ProcessEnv, home: string, root = repoRoot()): string | undefined {
  if (flags.kubeconfig) return flags.kubeconfig;
  const candidates = kubeconfigPaths({}, env, home);
  if (candidates.some((p) => existsSync(p))) return undefined;
  const local = root ? join(root, '.tskube', 'kubeconfig') : undefined;
  return local && existsSync(local) ? local : undefined;
}

/** Durations as kubectl's flags take them: Go durations (`30s`, `2m`, `1h`, `500ms`) or bare seconds. */
export function parseDuration(s: string | number | undefined, flag = 'timeout'): number | undefined {
  if (s === undefined || s === '') return undefined;
  if (typeof s === 'number') return s * 1000;
  const ms = parseDurationMs(s);
  if (ms === undefined) throw new CliError(`invalid argument "${s}" for "--${flag}" flag: time: invalid duration "${s}"`);
  return ms;
}

export const USER_AGENT = `kc/v0.1.0 (${process.platform}/${process.arch}) tskube`;

export class Factory {
  private loadedCache: ClientConfig | undefined;
  private clientCache: RestClient | undefined;

  constructor(
    readonly io: IOStreams,
    readonly flags: GlobalFlags,
  ) {}

  /** The file kc reads when no standard kubeconfig exists (undefined: kubectl's rules apply). */
  get kubeconfigOverride(): string | undefined {
    return kubeconfigFileFor(this.flags, this.io.env, this.io.home);
  }

  /** The REST config, namespace and context kubectl would use (kubeconfig, flags, or the pod's service account). */
  get loaded(): ClientConfig {
    if (!this.loadedCache) {
      const timeoutMs = parseDuration(this.flags.requestTimeout, 'request-timeout');
      try {
        this.loadedCache = loadClientConfig(
          { ...this.flags, timeoutMs },
          { env: this.io.env, home: this.io.home, cwd: this.io.cwd, fileOverride: this.kubeconfigOverride, serviceAccountDir: this.io.serviceAccountDir },
        );
      } catch (e) {
        throw e instanceof CliError ? e : new CliError((e as Error).message);
      }
    }
    return this.loadedCache;
  }

  /**
   * Completes the credentials before a command talks to the server: with TLS and nothing that
   * identifies the user, kubectl asks for a username and password on the terminal.
   */
  async prepare(): Promise<void> {
    const c = this.loaded;
    if (!c.needsPrompt || c.clientError) return;
    const { username, password } = await promptForBasicAuth(this.io);
    c.config.username = username;
    c.config.password = password;
    c.needsPrompt = false;
  }

  /** The REST config; a configuration mistake is thrown as kubectl reports it when building a client. */
  get restConfig(): RestConfig {
    const c = this.loaded;
    if (c.clientError) throw c.clientError;
    return c.config;
  }

  get server(): string {
    return this.restConfig.server;
  }

  get client(): RestClient {
    this.clientCache ??= new RestClient({ ...this.restConfig, userAgent: USER_AGENT });
    return this.clientCache;
  }

  /** --namespace, else the context's namespace (else a pod's own), else `default`. */
  get namespace(): string {
    if (this.flags.namespace) return this.flags.namespace;
    const c = this.loaded;
    if (c.namespaceError) throw c.namespaceError;
    return c.namespace;
  }

  get explicitNamespace(): boolean {
    return !!this.flags.namespace;
  }

  resource(info: ResourceInfo, namespace?: string): ResourceClient<KObject> {
    return this.client.resource<KObject>(info, info.namespaced ? namespace : undefined);
  }

  async close(): Promise<void> {
    await this.clientCache?.close();
  }
}
