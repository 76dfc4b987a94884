// kc port-forward POD|TYPE/NAME [LOCAL:]REMOTE…: one local listener per port; each accepted
// connection gets its own WebSocket to pods/portforward (v4.channel.k8s.io, `?ports=P`:
// channel 0 data, channel 1 errors, each starting with the port as 2 little-endian bytes).
import { createServer, type Server, type Socket } from 'node:net';
import { strs, type KcCommand } from '../command.js';
import { CliError, formatError } from '../errors.js';
import { write } from '../io.js';
import { openChannel } from '../channel.js';
import { objectPath } from '../fetch.js';
import { resolvePod } from '../pod-select.js';
import { resolveType } from '../resource-args.js';
import { StatusError } from '../../api/status.js';

export interface PortSpec {
  local: number;
  remote: number;
}

export function parsePortSpec(s: string): PortSpec {
  const parts = s.split(':');
  const num = (v: string | undefined, what: string): number => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 0 || n > 65535) throw new CliError(`Error parsing ${what} port '${v}': invalid port`);
    return n;
  };
  if (parts.length === 1) return { local: num(parts[0], 'local'), remote: num(parts[0], 'remote') };
  if (parts.length === 2) return { local: parts[0] === '' ? 0 : num(parts[0], 'local'), remote: num(parts[1], 'remote') };
  throw new CliError(`invalid port format '${s}'`);
}

/** The server cannot forward at all (rather than this one connection failing). */
function unsupported(e: unknown): boolean {
  return e instanceof StatusError && [400, 404, 405, 501, 503].includes(e.code);
}

export const portForwardCommand: KcCommand = {
  command: 'port-forward [args..]',
  describe: 'Forward one or more local ports to a pod',
  builder: (y) => y.option('address', { type: 'string', array: true, default: ['localhost'], describe: 'Addresses to listen on' }),
  run: async (f, argv) => {
    const args = strs(argv.args);
    if (args.length < 2) throw new CliError('TYPE/NAME and list of ports are required for port-forward');
    const pod = await resolvePod(f, args[0]!);
    if (pod.status?.phase !== 'Running') throw new CliError(`unable to forward port because pod is not running. Current status=${pod.status?.phase ?? 'Unknown'}`);
    const specs = args.slice(1).map(parsePortSpec);
    const addresses = strs(argv.address).map((a) => (a === 'localhost' ? '127.0.0.1' : a));
    const path = objectPath(resolveType('pods'), pod.metadata?.namespace, pod.metadata?.name ?? '', 'portforward');
    const servers: Server[] = [];
    let fatal: unknown;
    let stop: () => void = () => undefined;
    const stopped = new Promise<void>((resolve) => (stop = resolve));
    const handle = async (sock: Socket, spec: PortSpec, local: number): Promise<void> => {
      await write(f.io.stdout, `Handling connection for ${local}\n`);
      let ws;
      try {
        ws = await openChannel(f, path, [['ports', String(spec.remote)]], ['v4.channel.k8s.io']);
      } catch (e) {
        sock.destroy();
        if (unsupported(e)) {
          fatal = new CliError(`port-forward is not supported by this server yet: ${e instanceof Error ? e.message : String(e)}`);
          stop();
        } else {
          await write(f.io.stderr, `an error occurred forwarding ${local} -> ${spec.remote}: ${formatError(e)}\n`);
        }
        return;
      }
      const seen = new Set<number>();
      ws.on('message', (data: Buffer) => {
        let ch = data[0]!;
        let payload = data.subarray(1);
        // Each channel starts with the port as 2 little-endian bytes; strip them only when they
        // are there (a relay may deliver data first), so data is never cut.
        if (!seen.has(ch)) {
          seen.add(ch);
          if (payload.length >= 2 && payload.readUInt16LE(0) === spec.remote) payload = payload.subarray(2);
        }
        ch %= 2;
        if (payload.length === 0) return;
        if (ch === 0) sock.write(payload);
        else void write(f.io.stderr, `an error occurred forwarding ${local} -> ${spec.remote}: ${payload.toString()}\n`);
      });
      ws.on('close', () => sock.end());
      ws.on('error', () => sock.destroy());
      sock.on('data', (d: Buffer) => ws.send(Buffer.concat([Buffer.from([0]), d])));
      sock.on('end', () => ws.close());
      sock.on('error', () => ws.close());
    };
    for (const spec of specs) {
      for (const addr of addresses) {
        const server = createServer((sock) => void handle(sock, spec, (server.address() as { port: number }).port));
        await new Promise<void>((resolve, reject) => {
          server.once('error', (e: NodeJS.ErrnoException) => reject(new CliError(`unable to listen on port ${spec.local}: ${e.message}`)));
          server.listen(spec.local, addr, () => resolve());
        });
        servers.push(server);
        const port = (server.address() as { port: number }).port;
        await write(f.io.stdout, `Forwarding from ${addr}:${port} -> ${spec.remote}\n`);
      }
    }
    f.io.signal?.addEventListener('abort', () => stop(), { once: true });
    const onSigint = (): void => stop();
    if (!f.io.signal) process.once('SIGINT', onSigint);
    await stopped;
    process.removeListener('SIGINT', onSigint);
    await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
    if (fatal) throw fatal;
  },
};
