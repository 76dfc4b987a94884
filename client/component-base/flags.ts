// The flags every daemon shares, declared once (k8s' component-base options): how to reach the
// apiserver, leader election (Go durations, as in Kubernetes), the component's own HTTPS port,
// and logging. A daemon adds its own flags after these; each has its TSKUBE_* environment twin
// through envTwins (client/daemon.ts).
import { readFileSync } from 'node:fs';
import type { Argv } from 'yargs';
import { parseDurationMs } from '../duration.js';
import type { LeaderElectionOptions } from '../leader-campaign.js';
import { loadKubeconfig } from '../kubeconfig.js';
import type { ClientConnection } from './rest-config.js';
import { selfSignedServing, type ServingTLS } from './secure-serving.js';

export function clientConnectionFlags<T>(y: Argv<T>, defaults: { qps?: number; burst?: number } = {}) {
  return y
    .option('kubeconfig', { type: 'string', describe: 'kubeconfig with the apiserver address, its CA and this component\'s credentials' })
    .option('master', { type: 'string', describe: 'The apiserver URL (overrides the kubeconfig\'s server)' })
    .option('kube-api-qps', { type: 'number', default: defaults.qps ?? 50, describe: 'Client-side QPS to the apiserver (≤ 0: unlimited)' })
    .option('kube-api-burst', { type: 'number', default: defaults.burst ?? 100, describe: 'Client-side burst to the apiserver' });
}

export function clientConnectionFrom(a: { kubeconfig?: string; master?: string; 'kube-api-qps': number; 'kube-api-burst': number }): ClientConnection {
  return { ...(a.kubeconfig ? { kubeconfig: a.kubeconfig } : {}), ...(a.master ? { master: a.master } : {}), qps: a['kube-api-qps'], burst: a['kube-api-burst'] };
}

export function leaderElectionFlags<T>(y: Argv<T>, resourceName: string) {
  return y
    .option('leader-elect', { type: 'boolean', default: true, describe: 'Work only while holding the leader Lease' })
    .option('leader-elect-lease-duration', { type: 'string', default: '15s', describe: 'How long a lease is held without renewal' })
    .option('leader-elect-renew-deadline', { type: 'string', default: '10s', describe: 'How long the leader retries renewing' })
    .option('leader-elect-retry-period', { type: 'string', default: '2s', describe: 'Wait between acquire/renew attempts' })
    .option('leader-elect-resource-namespace', { type: 'string', default: 'kube-system', describe: 'Namespace of the leader Lease' })
    .option('leader-elect-resource-name', { type: 'string', default: resourceName, describe: 'Name of the leader Lease' })
    .check((a) => {
      for (const f of ['leader-elect-lease-duration', 'leader-elect-renew-deadline', 'leader-elect-retry-period'] as const) {
        const ms = parseDurationMs(String(a[f]));
        if (ms === undefined || ms <= 0) throw new Error(`--${f}: invalid duration ${String(a[f])}`);
      }
      return true;
    });
}

export function leaderElectionFrom(a: {
  'leader-elect-lease-duration': string;
  'leader-elect-renew-deadline': string;
  'leader-elect-retry-period': string;
  'leader-elect-resource-namespace': string;
  'leader-elect-resource-name': string;
}): LeaderElectionOptions {
  return {
    namespace: a['leader-elect-resource-namespace'],
    name: a['leader-elect-resource-name'],
    leaseDurationMs: parseDurationMs(a['leader-elect-lease-duration'])!,
    renewDeadlineMs: parseDurationMs(a['leader-elect-renew-deadline'])!,
    retryPeriodMs: parseDurationMs(a['leader-elect-retry-period'])!,
  };
}

/** The component's own port (health open to all; metrics and the rest for allowed callers). */
export function servingFlags<T>(y: Argv<T>, defaults: { bindAddress: string; port: number }) {
  return tlsFlags(
    y
      .option('bind-address', { type: 'string', default: defaults.bindAddress, describe: 'Address of the HTTPS port (/healthz, /metrics)' })
      .option('secure-port', { type: 'number', default: defaults.port, describe: 'HTTPS port for /healthz (open) and /metrics (authorized) (0 = random, -1 = off)' }),
  );
}

/** The serving certificate of a component's port and the CA its clients' certificates must chain to. */
export function tlsFlags<T>(y: Argv<T>) {
  return y
    .option('tls-cert-file', { type: 'string', describe: 'Serving certificate of the HTTPS port (default: a self-signed one made at start)' })
    .option('tls-private-key-file', { type: 'string', describe: 'Key of --tls-cert-file' })
    .option('client-ca-file', { type: 'string', describe: 'CA client certificates must chain to (default: the kubeconfig\'s CA)' });
}

/** Reads a flag's file, or stops start-up with one line naming the flag. */
export function readFlagFile(flag: string, path: string): string;
export function readFlagFile(flag: string, path: string | undefined): string | undefined;
export function readFlagFile(flag: string, path: string | undefined): string | undefined {
  if (!path) return undefined;
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    throw new Error(`--${flag} ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

/** A list flag's values, comma-separated and/or repeated (pflag's StringSlice). */
export function listFlag(v: string | string[] | undefined): string[] {
  return (Array.isArray(v) ? v : v ? [v] : []).flatMap((s) => s.split(',')).map((s) => s.trim()).filter(Boolean);
}

/** The --requestheader-* flags of a server that trusts a front proxy (k8s' RequestHeaderAuthenticationOptions). */
export function requestHeaderFlags<T>(y: Argv<T>) {
  return y
    .option('requestheader-client-ca-file', { type: 'string', describe: 'CA of front-proxy client certificates (the aggregator\'s) whose requests name their user in --requestheader-username-headers' })
    .option('requestheader-allowed-names', { type: 'string', array: true, default: [] as string[], describe: 'Common names a front-proxy certificate may have (comma-separated or repeated; empty: any)' })
    .option('requestheader-username-headers', { type: 'string', array: true, default: ['X-Remote-User'], describe: 'Headers naming the user, first non-empty wins' })
    .option('requestheader-group-headers', { type: 'string', array: true, default: ['X-Remote-Group'], describe: 'Headers naming the groups' })
    .option('requestheader-extra-headers-prefix', { type: 'string', array: true, default: ['X-Remote-Extra-'], describe: 'Header prefixes of user extras' });
}

/** What the --requestheader-* flags say (the shape of apiserver/auth/authn's RequestHeaderConfig). */
export interface RequestHeaderSettings {
  clientCA: string;
  allowedNames: string[];
  usernameHeaders: string[];
  groupHeaders: string[];
  extraHeaderPrefixes: string[];
}

/** The front-proxy settings; undefined without --requestheader-client-ca-file. */
export function requestHeaderFrom(a: {
  'requestheader-client-ca-file'?: string;
  'requestheader-allowed-names': string[];
  'requestheader-username-headers': string[];
  'requestheader-group-headers': string[];
  'requestheader-extra-headers-prefix': string[];
}): RequestHeaderSettings | undefined {
  const clientCA = readFlagFile('requestheader-client-ca-file', a['requestheader-client-ca-file']);
  if (!clientCA) return undefined;
  return {
    clientCA,
    allowedNames: listFlag(a['requestheader-allowed-names']),
    usernameHeaders: listFlag(a['requestheader-username-headers']),
    groupHeaders: listFlag(a['requestheader-group-headers']),
    extraHeaderPrefixes: listFlag(a['requestheader-extra-headers-prefix']),
  };
}

/** The serving certificate and client CA from the flags (self-signed and the kubeconfig's CA by default). */
export async function servingTLSFrom(a: { 'tls-cert-file'?: string; 'tls-private-key-file'?: string; 'client-ca-file'?: string; kubeconfig?: string }): Promise<ServingTLS> {
  if (!!a['tls-cert-file'] !== !!a['tls-private-key-file']) throw new Error('--tls-cert-file and --tls-private-key-file go together');
  const own = a['tls-cert-file'] ? { cert: readFlagFile('tls-cert-file', a['tls-cert-file']), key: readFlagFile('tls-private-key-file', a['tls-private-key-file']!) } : await selfSignedServing();
  const clientCA = a['client-ca-file'] ? readFlagFile('client-ca-file', a['client-ca-file']) : a.kubeconfig ? loadKubeconfig({ kubeconfig: a.kubeconfig }).config.ca : undefined;
  return { ...own, ...(clientCA ? { clientCA } : {}) };
}

export function loggingFlags<T>(y: Argv<T>) {
  return y.option('log-level', { type: 'string', default: 'info', describe: 'pino log level' });
}

/**
 * The flags of a leader-elected control-plane daemon (kube-scheduler, kube-controller-manager):
 * client connection, leader election on a Lease named after it, its HTTPS port, and logging.
 */
export function controlPlaneFlags<T>(y: Argv<T>, name: string, serving: { bindAddress: string; port: number }) {
  return loggingFlags(servingFlags(leaderElectionFlags(clientConnectionFlags(y.scriptName(name)), name), serving));
}
