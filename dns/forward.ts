// Forwarding to an upstream resolver (`--upstream host:port`) for names outside the cluster
// zone: the query bytes go out unchanged, over the transport the client used, with a fresh
// socket per query (no shared state to poison) and a deadline.
import { createSocket } from 'node:dgram';
import { connect, isIPv6 } from 'node:net';

export interface Upstream {
  host: string;
  port: number;
}

/** `host:port`, `[v6]:port` or a bare host (port 53). */
export function parseUpstream(spec: string): Upstream {
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(spec);
  if (bracketed) return { host: bracketed[1], port: Number(bracketed[2] ?? 53) };
  if (isIPv6(spec)) return { host: spec, port: 53 };
  const i = spec.lastIndexOf(':');
  if (i < 0) return { host: spec, port: 53 };
  const port = Number(spec.slice(i + 1));
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`bad upstream "${spec}": port must be 1-65535`);
  return { host: spec.slice(0, i), port };
}

/**
 * One exchange with an upstream: `start` gets a `finish` that settles the promise once (on the
 * reply, an error or the deadline) and then releases the socket with `close`.
 */
function exchange(upstream: Upstream, timeoutMs: number, start: (finish: (err: Error | undefined, msg?: Buffer) => void) => { close(): void }): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    let done = false;
    let socket: { close(): void } | undefined;
    const finish = (err: Error | undefined, msg?: Buffer): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket?.close();
      if (err) reject(err);
      else resolve(msg as Buffer);
    };
    const timer = setTimeout(() => finish(new Error(`upstream ${upstream.host}:${upstream.port} timed out after ${timeoutMs} ms`)), timeoutMs);
    socket = start(finish);
    if (done) socket.close();
  });
}

/** Sends one query over UDP and resolves the first reply whose id matches. */
export function forwardUdp(upstream: Upstream, query: Buffer, timeoutMs: number): Promise<Buffer> {
  return exchange(upstream, timeoutMs, (finish) => {
    const socket = createSocket(isIPv6(upstream.host) ? 'udp6' : 'udp4');
    const id = query.readUInt16BE(0);
    socket.on('error', (e) => finish(e));
    socket.on('message', (msg) => {
      if (msg.length >= 2 && msg.readUInt16BE(0) === id) finish(undefined, msg);
    });
    socket.send(query, upstream.port, upstream.host);
    return { close: () => socket.close() };
  });
}

/** Sends one query over TCP (two-byte length prefix, RFC 1035 §4.2.2) and resolves the reply. */
export function forwardTcp(upstream: Upstream, query: Buffer, timeoutMs: number): Promise<Buffer> {
  return exchange(upstream, timeoutMs, (finish) => {
    const socket = connect({ host: upstream.host, port: upstream.port });
    let buffered: Buffer = Buffer.alloc(0);
    socket.on('error', (e) => finish(e));
    socket.on('connect', () => {
      const len = Buffer.alloc(2);
      len.writeUInt16BE(query.length);
      socket.write(Buffer.concat([len, query]));
    });
    socket.on('data', (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      if (buffered.length >= 2 && buffered.length >= 2 + buffered.readUInt16BE(0)) finish(undefined, buffered.subarray(2, 2 + buffered.readUInt16BE(0)));
    });
    socket.on('end', () => finish(new Error(`upstream ${upstream.host}:${upstream.port} closed the connection`)));
    return { close: () => socket.destroy() };
  });
}
