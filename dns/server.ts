// The DNS transports: one UDP socket and one TCP listener on the same address and port.
// They only move bytes; what to answer is the `handle` callback's business.
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { createServer, isIPv6, type Server, type Socket } from 'node:net';
import { networkInterfaces } from 'node:os';
import type { Logger } from 'pino';

export type Transport = 'udp' | 'tcp';

export interface TransportOptions {
  bindAddress: string;
  /** 0 = a random port, the same for UDP and TCP. */
  port: number;
  /** Returns the response bytes, or undefined to stay silent. For UDP it must fit the client's limit. */
  handle(query: Buffer, transport: Transport): Promise<Buffer | undefined>;
  log: Logger;
  /** Idle TCP connections are closed after this long (RFC 7766 suggests seconds). */
  tcpIdleTimeoutMs?: number;
}

export interface Transports {
  port: number;
  close(): Promise<void>;
}

export async function startTransports(opts: TransportOptions): Promise<Transports> {
  // With port 0 the UDP socket picks, then TCP must get the same number; another process may
  // hold it for TCP, so try a few times.
  for (let attempt = 0; ; attempt++) {
    const udp = await bindUdp(opts);
    const port = udp.address().port;
    try {
      const tcp = await listenTcp(opts, port);
      const local = await bindLocalAddresses(opts, port);
      return {
        port,
        close: async () => {
          await Promise.all([udp, ...local].map((s) => new Promise<void>((r) => s.close(() => r()))));
          await tcp.close();
        },
      };
    } catch (err) {
      await new Promise<void>((r) => udp.close(() => r()));
      if (opts.port !== 0 || attempt >= 5 || (err as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw err;
    }
  }
}

/**
 * A UDP socket bound to the wildcard address answers from whatever source address the route
 * back picks — for a pod on a bridge that is the bridge's address, not the one the query was
 * sent (or DNATed) to, and the client drops the reply. So on a wildcard bind each local IPv4
 * address also gets its own socket (sharing the port via SO_REUSEADDR), which replies from
 * exactly that address.
 */
async function bindLocalAddresses(opts: TransportOptions, port: number): Promise<UdpSocket[]> {
  if (opts.bindAddress !== '0.0.0.0') return [];
  const addresses = Object.values(networkInterfaces())
    .flat()
    .filter((a) => a !== undefined && a.family === 'IPv4')
    .map((a) => a!.address);
  const sockets: UdpSocket[] = [];
  for (const address of addresses) {
    try {
      sockets.push(await bindUdp({ ...opts, bindAddress: address, port }));
    } catch (err) {
      opts.log.warn({ address, err }, 'could not bind a per-address UDP socket');
    }
  }
  return sockets;
}

function bindUdp(opts: TransportOptions): Promise<UdpSocket> {
  const socket = createSocket({ type: isIPv6(opts.bindAddress) ? 'udp6' : 'udp4', reuseAddr: true });
  socket.on('message', (msg, rinfo) => {
    opts.handle(msg, 'udp').then(
      (out) => {
        if (out) socket.send(out, rinfo.port, rinfo.address);
      },
      (err: unknown) => opts.log.error({ err, client: rinfo.address }, 'udp query failed'),
    );
  });
  return new Promise((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(opts.port, opts.bindAddress, () => {
      socket.off('error', reject);
      socket.on('error', (err) => opts.log.error({ err }, 'udp socket error'));
      resolve(socket);
    });
  });
}

async function listenTcp(opts: TransportOptions, port: number): Promise<{ close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    socket.setTimeout(opts.tcpIdleTimeoutMs ?? 10_000, () => socket.destroy());
    let buffered: Buffer = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      buffered = buffered.length ? Buffer.concat([buffered, chunk]) : chunk;
      // Several queries may arrive in one segment (pipelining); each is answered as it is ready.
      while (buffered.length >= 2 && buffered.length >= 2 + buffered.readUInt16BE(0)) {
        const len = buffered.readUInt16BE(0);
        const query = buffered.subarray(2, 2 + len);
        buffered = buffered.subarray(2 + len);
        opts.handle(Buffer.from(query), 'tcp').then(
          (out) => {
            if (!out || socket.destroyed) return;
            const prefix = Buffer.alloc(2);
            prefix.writeUInt16BE(out.length);
            socket.write(Buffer.concat([prefix, out]));
          },
          (err: unknown) => opts.log.error({ err, client: socket.remoteAddress }, 'tcp query failed'),
        );
      }
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, opts.bindAddress, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return {
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
