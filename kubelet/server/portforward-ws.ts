// Port forwarding over WebSocket, the kubelet's channel protocol (v4.channel.k8s.io, or no
// subprotocol): the ports come in the query (`port=80&port=443`), port i gets data channel 2i
// and error channel 2i+1, and the server opens every channel with the port number (2 bytes,
// little-endian). One connection to the pod per port, for the life of the WebSocket.
import { connect, type Socket } from 'node:net';
import type { Logger } from 'pino';
import type { WebSocket } from 'ws';
import type { PortForwardTarget } from './portforward.js';
import { channelFrame } from './remotecommand.js';

/** Ports from `port` (repeatable) or `ports` (comma-separated); a string is the error. Pure. */
export function parsePorts(q: URLSearchParams): number[] | string {
  const raw = [...q.getAll('port'), ...q.getAll('ports').flatMap((p) => p.split(','))].map((p) => p.trim()).filter(Boolean);
  if (!raw.length) return 'query parameter "port" is required';
  const ports: number[] = [];
  for (const p of raw) {
    const n = Number(p);
    if (!/^\d+$/.test(p) || n < 1 || n > 65535) return `invalid port "${p}"`;
    ports.push(n);
  }
  return ports;
}

function portPrefix(port: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16LE(port);
  return b;
}

export function servePortForwardWebSocket(ws: WebSocket, ports: number[], target: PortForwardTarget, log: Logger): void {
  const sockets: Array<Socket | undefined> = ports.map(() => undefined);
  const early: Buffer[][] = ports.map(() => []);
  let open = ports.length;
  const send = (channel: number, data: Buffer | string) => {
    if (ws.readyState === ws.OPEN) ws.send(channelFrame(channel, data));
  };
  ports.forEach((port, i) => {
    send(2 * i, portPrefix(port));
    send(2 * i + 1, portPrefix(port));
  });
  ws.on('message', (data: Buffer, isBinary: boolean) => {
    if (!isBinary || data.length === 0) return;
    // v5's close message: the client is done writing to that port.
    if (data[0] === 255 && data.length > 1 && data[1]! % 2 === 0) return void sockets[data[1]! / 2]?.end();
    if (data[0]! % 2 !== 0) return;
    const i = data[0]! / 2;
    if (i >= ports.length) return;
    const payload = data.subarray(1);
    const s = sockets[i];
    if (s) s.write(payload);
    else early[i]!.push(payload);
  });
  ws.on('close', () => sockets.forEach((s) => s?.destroy()));
  const message = (port: number, err: Error) => `error forwarding port ${port} to pod ${target.podFullName}, uid ${target.podUid}: ${err.message}`;

  void target.host().then(
    (host) => {
      ports.forEach((port, i) => {
        const s = connect({ host, port });
        sockets[i] = s;
        for (const b of early[i]!.splice(0)) s.write(b);
        s.on('data', (c: Buffer) => send(2 * i, c));
        s.on('error', (err) => {
          log.debug({ port, err }, 'port-forward failed');
          send(2 * i + 1, message(port, err));
        });
        s.once('close', () => {
          open -= 1;
          if (open === 0 && ws.readyState === ws.OPEN) ws.close(1000);
        });
      });
    },
    (err: Error) => {
      ports.forEach((port, i) => send(2 * i + 1, message(port, err)));
      ws.close(1000);
    },
  );
}
