// What every tskube daemon shares (with flags.ts, rest-config.ts, secure-serving.ts and
// delegating-auth.ts, the component base): a pino logger with its component name, a small server
// for /healthz and /metrics (Prometheus text), and a clean shutdown on SIGTERM/SIGINT.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { guard, type SecureServing } from './secure-serving.js';
import { pino, type Logger } from 'pino';
import { Registry, collectDefaultMetrics } from 'prom-client';
import type { Argv } from 'yargs';

export function newLogger(component: string, level = process.env.LOG_LEVEL ?? 'info'): Logger {
  return pino({ level, base: { component } });
}

export interface HealthServerOptions {
  bindAddress: string;
  port: number;
  /** Served at /metrics; omitted: a health-only port (the kubelet's 10248). */
  registry?: Registry;
  /** Extra health check; /healthz answers 500 with its message when it returns a string. */
  check?: () => string | undefined;
  /** Routes beyond /healthz and /metrics (return false when not handled). */
  extra?: (req: IncomingMessage, res: ServerResponse) => boolean | Promise<boolean>;
  /**
   * HTTPS with authentication and authorization delegated to the apiserver: /healthz, /livez
   * and /readyz stay open to anyone, everything else (/metrics, the extra routes) needs an
   * allowed caller. Plain HTTP for everything when unset (tests, hollow nodes).
   */
  secure?: SecureServing;
}

/** A metrics registry with Node's default process metrics. */
export function newRegistry(): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return registry;
}

/** Serves /healthz, /livez, /readyz and /metrics. Resolves once listening (port 0 = random). */
export async function startHealthServer(opts: HealthServerOptions): Promise<{ server: Server; port: number; close(): Promise<void> }> {
  const handler = (req: IncomingMessage, res: ServerResponse): void => {
    void (async () => {
      if (opts.secure) {
        const g = await guard(opts.secure, req);
        if (!g.ok) {
          res.writeHead(g.code, { 'content-type': 'application/json' });
          res.end(JSON.stringify(g.body));
          return;
        }
      }
      const path = (req.url ?? '/').split('?')[0];
      if (path === '/healthz' || path === '/livez' || path === '/readyz') {
        const problem = opts.check?.();
        res.writeHead(problem ? 500 : 200, { 'content-type': 'text/plain' });
        res.end(problem ?? 'ok');
        return;
      }
      if (path === '/metrics' && opts.registry) {
        res.writeHead(200, { 'content-type': opts.registry.contentType });
        res.end(await opts.registry.metrics());
        return;
      }
      if (opts.extra && (await opts.extra(req, res))) return;
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('not found');
    })().catch((e: unknown) => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(String(e));
    });
  };
  const tls = opts.secure?.tls;
  // Client certificates are asked for, not required: token and anonymous callers send none.
  const server: Server = tls
    ? (createHttpsServer({ cert: tls.cert, key: tls.key, ...(tls.clientCA ? { ca: tls.clientCA, requestCert: true, rejectUnauthorized: false } : {}) }, handler) as unknown as Server)
    : createServer(handler);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.bindAddress, () => resolve());
  });
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : opts.port;
  return {
    server,
    port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** How long a daemon's orderly stop may take before it exits anyway. */
export const SHUTDOWN_DEADLINE_MS = 20_000;

/**
 * Runs `stop` once on SIGTERM or SIGINT, then exits 0 (1 if stopping failed, or if it has not
 * finished within `deadlineMs`: then `step()` is logged, what it was waiting for).
 */
export function onShutdown(log: Logger, stop: () => Promise<void>, opts: { deadlineMs?: number; step?: () => string | undefined } = {}): void {
  let stopping = false;
  const deadlineMs = opts.deadlineMs ?? SHUTDOWN_DEADLINE_MS;
  const handler = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down');
    // A stop that waits for ever (a peer that never answers) must not keep the process: say
    // what it was waiting for and go.
    setTimeout(() => {
      log.error({ step: opts.step?.(), resources: process.getActiveResourcesInfo() }, `shutdown did not finish within ${deadlineMs / 1000} s; exiting`);
      process.exit(1);
    }, deadlineMs).unref();
    const started = Date.now();
    stop().then(
      () => {
        log.info({ ms: Date.now() - started }, 'stopped');
        process.exit(0);
      },
      (e: unknown) => {
        log.error({ err: e }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => handler('SIGTERM'));
  process.on('SIGINT', () => handler('SIGINT'));
}

/**
 * Environment twins of a daemon's flags: `--node-name` ⇔ `TSKUBE_NODE_NAME`. Only variables
 * naming one of the parser's own options are read (yargs' `.env()` would hand every
 * `TSKUBE_*` variable to a strict parser, which then rejects the ones meant for other
 * daemons or for scripts). Command-line flags still win over the environment. Number flags
 * with a non-numeric value are rejected with a one-line error.
 */
export function envTwins<T>(parser: Argv<T>, prefix = 'TSKUBE', env: NodeJS.ProcessEnv = process.env): Argv<T> {
  // getOptions() exists at run time but is missing from @types/yargs.
  const { key, number } = (parser as unknown as { getOptions(): { key: Record<string, unknown>; number: string[] } }).getOptions();
  const known = new Set(Object.keys(key));
  const values: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(env)) {
    if (!name.startsWith(`${prefix}_`) || value === undefined) continue;
    const option = name.slice(prefix.length + 1).toLowerCase().replace(/_/g, '-');
    if (known.has(option)) values[option] = value;
  }
  // yargs turns `--port abc` into NaN; say so in one line instead of failing later.
  return parser.config(values).check((argv) => {
    for (const name of number) {
      const v = (argv as Record<string, unknown>)[name];
      if (typeof v === 'number' && Number.isNaN(v)) throw new Error(`--${name} must be a number`);
    }
    return true;
  });
}
