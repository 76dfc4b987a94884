// What every command needs, built lazily from the global flags (kubectl's cmdutil.Factory):
// the kubeconfig as kubectl loads it, a RestClient, and the namespace to default to.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RestClient, kubeconfigPaths, loadKubeconfig, type LoadedConfig, type ResourceClient } from '../client/index.js';
import type { ResourceInfo } from '../api/resources.js';
import type { KObject } from '../api/types.js';
import { CliError } from './errors.js';
import type { IOStreams } from './io.js';

export interface GlobalFlags {
  kubeconfig?: string;
  context?: string;
  cluster?: string;
  user?: string;
  namespace?: string;
  server?: string;
  token?: string;
  insecureSkipTlsVerify?: boolean;
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

/** Durations as kubectl's flags take them: `30s`, `2m`, `1h`, `500ms`, or bare seconds. */
export function parseDuration(s: string | number | undefined, flag = 'timeout'): number | undefined {
  if (s === undefined || s === '') return undefined;
  if (typeof s === 'number') return s * 1000;
  let total = 0;
  let rest = s.trim();
  if (/^-?\d+(\.\d+)?$/.test(rest)) return Number(rest) * 1000;
  const unit: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  const neg = rest.startsWith('-');
  if (neg) rest = rest.slice(1);
  const re = /^(\d+(?:\.\d+)?)(ms|s|m|h)/;
  if (!re.test(rest)) throw new CliError(`invalid argument "${s}" for "--${flag}" flag: time: invalid duration "${s}"`);
  while (rest) {
    const m = re.exec(rest);
    if (!m) throw new CliError(`invalid argument "${s}" for "--${flag}" flag: time: invalid duration "${s}"`);
    total += Number(m[1]) * unit[m[2]!]!;
    rest = rest.slice(m[0].length);
  }
  return neg ? -total : total;
}

export class Factory {
  private loadedCache: LoadedConfig | undefined;
  private clientCache: RestClient | undefined;

  constructor(
    readonly io: IOStreams,
    readonly flags: GlobalFlags,
  ) {}

  /** The file kc reads when no standard kubeconfig exists (undefined: kubectl's rules apply). */
  get kubeconfigOverride(): string | undefined {
    return kubeconfigFileFor(this.flags, this.io.env, this.io.home);
  }

  get loaded(): LoadedConfig {
    if (!this.loadedCache) {
      const f = this.flags;
      try {
        this.loadedCache = loadKubeconfig(
          {
            kubeconfig: this.kubeconfigOverride ? resolve(this.io.cwd, this.kubeconfigOverride) : undefined,
            context: f.context,
            cluster: f.cluster,
            user: f.user,
            namespace: f.namespace,
            server: f.server,
            token: f.token,
            insecureSkipTLSVerify: f.insecureSkipTlsVerify,
          },
          this.io.env,
          this.io.home,
        );
      } catch (e) {
        throw new CliError((e as Error).message);
      }
    }
    return this.loadedCache;
  }

  get server(): string {
    return this.loaded.config.server;
  }

  get client(): RestClient {
    if (!this.clientCache) {
      const timeout = parseDuration(this.flags.requestTimeout, 'request-timeout');
      this.clientCache = new RestClient({
        ...this.loaded.config,
        userAgent: `kc/v0.1.0 (${process.platform}/${process.arch}) tskube`,
        ...(timeout ? { timeoutMs: timeout } : {}),
      });
    }
    return this.clientCache;
  }

  /** --namespace, else the context's namespace, else `default`. */
  get namespace(): string {
    return this.loaded.namespace;
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
