// kc proxy: serves the Kubernetes API on a local plain-HTTP port (127.0.0.1:8001 by default)
// with the user's credentials, filtered as kubectl's proxy filters (loopback Host headers
// only, no exec/attach), until SIGINT (or the in-process abort signal).
import { chmodSync, lstatSync, rmSync } from 'node:fs';
import { bool, str, type KcCommand } from '../command.js';
import { CliError, VerbatimError } from '../errors.js';
import { parseDuration, USER_AGENT } from '../factory.js';
import { write } from '../io.js';
import { klogLine } from '../klog.js';
import { DEFAULT_HOST_ACCEPT_RE, DEFAULT_METHOD_REJECT_RE, DEFAULT_PATH_ACCEPT_RE, DEFAULT_PATH_REJECT_RE, makeFilter, type FilterServer } from '../proxy-filter.js';
import { ApiProxy } from '../proxy-server.js';

const DEFAULT_PORT = 8001;

/** Go's net.Listen("tcp", address:port) rules, as far as kubectl users meet them. */
function listenHost(address: string, port: number): string {
  if (address.startsWith('[') && address.endsWith(']')) return address.slice(1, -1);
  if (address.includes(':')) throw new CliError(`listen tcp: address ${address}:${port}: too many colons in address`);
  if (address === 'localhost') return '127.0.0.1';
  return address;
}

function listenError(e: unknown, host: string, port: number): CliError {
  const code = (e as NodeJS.ErrnoException).code;
  const addr = `${host.includes(':') ? `[${host}]` : host}:${port}`;
  if (code === 'EADDRINUSE') return new CliError(`listen tcp ${addr}: bind: address already in use`);
  if (code === 'EADDRNOTAVAIL') return new CliError(`listen tcp ${addr}: bind: cannot assign requested address`);
  if (code === 'EACCES') return new CliError(`listen tcp ${addr}: bind: permission denied`);
  return new CliError((e as Error).message);
}

async function listen(proxy: ApiProxy, address: string, port: number): Promise<string> {
  const host = listenHost(address, port);
  // Go listens on all interfaces, IPv6 included, for 0.0.0.0.
  const candidates = host === '0.0.0.0' || host === '' ? ['::', '0.0.0.0'] : [host];
  let last: unknown;
  for (const h of candidates) {
    try {
      const a = await proxy.listen(h, port);
      return a.family === 'IPv6' ? `[${a.address}]:${a.port}` : `${a.address}:${a.port}`;
    } catch (e) {
      last = e;
    }
  }
  throw listenError(last, host, port);
}

async function listenUnix(proxy: ApiProxy, path: string): Promise<string> {
  // A socket left by an earlier run is replaced; any other file is not.
  try {
    if (lstatSync(path).isSocket()) rmSync(path);
  } catch {
    // nothing there
  }
  try {
    await proxy.listenUnix(path);
  } catch (e) {
    throw new CliError(`listen unix ${path}: ${(e as Error).message}`);
  }
  chmodSync(path, 0o600);
  return path;
}

function filterFor(argv: Record<string, unknown>): FilterServer | undefined {
  if (bool(argv.disableFilter)) return undefined;
  try {
    return makeFilter({
      acceptPaths: str(argv.acceptPaths) ?? DEFAULT_PATH_ACCEPT_RE,
      rejectPaths: str(argv.rejectPaths) ?? DEFAULT_PATH_REJECT_RE,
      acceptHosts: str(argv.acceptHosts) ?? DEFAULT_HOST_ACCEPT_RE,
      rejectMethods: str(argv.rejectMethods) ?? DEFAULT_METHOD_REJECT_RE,
    });
  } catch (e) {
    // kubectl exits through klog.Fatalf here.
    throw new VerbatimError(klogLine('F', 'proxy_server.go:83', `Error compiling re: ${(e as Error).message}`).trimEnd(), 255);
  }
}

export const proxyCommand: KcCommand = {
  command: 'proxy',
  describe: 'Run a proxy to the Kubernetes API server',
  builder: (y) =>
    y
      .option('port', { alias: 'p', type: 'number', default: DEFAULT_PORT, describe: 'Port to serve on; 0 picks a free one' })
      .option('address', { type: 'string', default: '127.0.0.1', describe: 'IP address to serve on' })
      .option('api-prefix', { type: 'string', default: '/', describe: 'Prefix to serve the proxied API under' })
      .option('accept-paths', { type: 'string', describe: `Regular expressions (comma-separated) of paths to accept [${DEFAULT_PATH_ACCEPT_RE}]` })
      .option('reject-paths', { type: 'string', describe: `Paths to reject even if accepted [${DEFAULT_PATH_REJECT_RE}]` })
      .option('accept-hosts', { type: 'string', describe: `Host headers to accept [${DEFAULT_HOST_ACCEPT_RE}]` })
      .option('reject-methods', { type: 'string', describe: `HTTP methods to reject, e.g. 'POST,PUT,PATCH' [${DEFAULT_METHOD_REJECT_RE}]` })
      .option('disable-filter', { type: 'boolean', describe: 'Accept every request (dangerous on a reachable port: XSRF)' })
      .option('unix-socket', { alias: 'u', type: 'string', describe: 'Unix socket to serve on instead of a port' })
      .option('keepalive', { type: 'string', describe: 'TCP keep-alive period of connections to the server (0: off)' })
      .option('append-server-path', { type: 'boolean', describe: "Append the kubeconfig server's path to each request" }),
  run: async (f, argv) => {
    const port = Number(argv.port);
    const unixSocket = str(argv.unixSocket);
    const apiPrefix = (str(argv.apiPrefix) ?? '/').replace(/\/?$/, '/');
    const appendServerPath = bool(argv.appendServerPath);
    const keepAliveMs = parseDuration(str(argv.keepalive), 'keepalive') ?? 0;
    const config = f.restConfig;
    const serverPath = new URL(config.server).pathname;
    if (!appendServerPath && serverPath !== '' && serverPath !== '/') {
      await write(f.io.stderr, klogLine('W', 'proxy.go:172', `Your kube context contains a server path ${serverPath}, use --append-server-path to automatically append the path to each request`));
    }
    const disable = bool(argv.disableFilter);
    if (disable && !unixSocket) await write(f.io.stderr, klogLine('W', 'proxy.go:177', 'Request filter disabled, your proxy is vulnerable to XSRF attacks, please be cautious'));
    const filter = filterFor(argv);
    if (port !== DEFAULT_PORT && unixSocket) throw new CliError('cannot set --unix-socket and --port at the same time');

    const proxy = new ApiProxy({
      config,
      apiPrefix,
      filter,
      appendServerPath,
      tokenFile: f.loaded.tokenFile,
      userAgent: USER_AGENT,
      keepAliveMs,
      logError: (m) => void write(f.io.stderr, klogLine('E', 'proxy_server.go:147', m)),
    });
    let where: string;
    try {
      where = unixSocket ? await listenUnix(proxy, unixSocket) : await listen(proxy, str(argv.address) ?? '127.0.0.1', port);
    } catch (e) {
      await proxy.close();
      throw e;
    }
    await write(f.io.stdout, `Starting to serve on ${where}\n`);
    await new Promise<void>((resolve) => {
      if (f.io.signal) {
        if (f.io.signal.aborted) return resolve();
        f.io.signal.addEventListener('abort', () => resolve(), { once: true });
      } else process.once('SIGINT', () => resolve());
    });
    await proxy.close();
  },
};
