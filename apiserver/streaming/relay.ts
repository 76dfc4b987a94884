// Byte relays between a client and a kubelet: WebSocket to WebSocket (exec/attach: frames
// pass through untouched, channel bytes included) and WebSocket to socket (port-forward:
// each binary message is a slice of the SPDY byte stream), and socket to socket (a plain
// SPDY/3.1 upgrade, spliced). Either side closing closes the other; a slow reader pauses the
// fast writer.
import type { Duplex } from 'node:stream';
import { WebSocket, type RawData } from 'ws';

/** Unsent bytes past which the sending side is paused. */
const HIGH_WATER = 4 * 1024 * 1024;

/** Closes with the peer's code when that code may be sent on the wire (1005/1006 may not). */
export function closeWebSocket(ws: WebSocket, code?: number, reason?: Buffer): void {
  if (ws.readyState === WebSocket.CLOSING || ws.readyState === WebSocket.CLOSED) return;
  const sendable = code !== undefined && ((code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) || (code >= 3000 && code <= 4999));
  if (sendable) ws.close(code, reason);
  else ws.close();
}

function forward(from: WebSocket, to: WebSocket): void {
  from.on('message', (data: RawData, isBinary: boolean) => {
    if (to.readyState !== WebSocket.OPEN) return;
    to.send(data, { binary: isBinary }, () => {
      if (from.isPaused && to.bufferedAmount < HIGH_WATER) from.resume();
    });
    if (to.bufferedAmount >= HIGH_WATER) from.pause();
  });
  from.once('close', (code: number, reason: Buffer) => closeWebSocket(to, code, reason));
  from.on('error', () => from.terminate());
}

/** `kubelet` may arrive paused (see dialWebSocket): it resumes once both directions are wired. */
export function relayWebSockets(client: WebSocket, kubelet: WebSocket): void {
  forward(client, kubelet);
  forward(kubelet, client);
  if (kubelet.isPaused) kubelet.resume();
}

export function tunnelSocket(client: WebSocket, socket: Duplex, head: Buffer): void {
  if (head.length) client.send(head, { binary: true });
  socket.on('data', (chunk: Buffer) => {
    if (client.readyState !== WebSocket.OPEN) return;
    client.send(chunk, { binary: true }, () => {
      if (socket.isPaused() && client.bufferedAmount < HIGH_WATER) socket.resume();
    });
    if (client.bufferedAmount >= HIGH_WATER) socket.pause();
  });
  client.on('message', (data: RawData) => {
    const buf = Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(data);
    if (!socket.write(buf)) {
      client.pause();
      socket.once('drain', () => client.resume());
    }
  });
  socket.once('close', () => closeWebSocket(client, 1000));
  socket.on('error', () => socket.destroy());
  client.once('close', () => socket.destroy());
  client.on('error', () => client.terminate());
}

/**
 * Two upgraded connections spliced (SPDY/3.1 from client to kubelet): bytes flow both ways;
 * one side ending ends the other once what was written has been flushed, an error tears both down.
 */
export function spliceSockets(a: Duplex, b: Duplex): void {
  a.pipe(b);
  b.pipe(a);
  const follow = (from: Duplex, to: Duplex) => {
    from.once('close', () => {
      if (to.destroyed) return;
      if (to.writableEnded) return void to.destroy();
      to.once('finish', () => to.destroy());
      to.end();
    });
    from.on('error', () => {
      from.destroy();
      to.destroy();
    });
  };
  follow(a, b);
  follow(b, a);
}
