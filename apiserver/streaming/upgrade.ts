// HTTP upgrades through fastify. Node hands requests with an `Upgrade` header to the server's
// 'upgrade' event, bypassing routing; here they are sent through fastify's router anyway (with
// a response bound to the raw socket), so hooks, errors-as-Status and the resource handlers
// apply unchanged. A handler that wants the socket takes it with `takeUpgrade` and accepts the
// WebSocket itself — with any subprotocol name, since kubectl's port-forward protocol
// ("SPDY/3.1+portforward.k8s.io") is not a token the `ws` package would accept.
import { ServerResponse, type IncomingMessage, type Server } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { WebSocketServer, type WebSocket } from 'ws';

interface PendingUpgrade {
  socket: Duplex;
  head: Buffer;
  taken: boolean;
}

const pending = new WeakMap<IncomingMessage, PendingUpgrade>();

/** Upgraded sockets of each app, destroyed when it closes (one preClose hook per app). */
const upgradedSockets = new WeakMap<FastifyInstance, Set<Duplex>>();

export function routeUpgrades(app: FastifyInstance, server: Server = app.server): void {
  let sockets = upgradedSockets.get(app);
  if (!sockets) {
    const all = new Set<Duplex>();
    sockets = all;
    upgradedSockets.set(app, all);
    app.addHook('preClose', (done) => {
      for (const s of all) s.destroy();
      done();
    });
  }
  const tracked = sockets;
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const up: PendingUpgrade = { socket, head, taken: false };
    pending.set(req, up);
    tracked.add(socket);
    socket.once('close', () => tracked.delete(socket));
    socket.on('error', () => socket.destroy());
    const res = new ServerResponse(req);
    res.assignSocket(socket as Socket);
    // Answered without upgrading: this connection has no HTTP parser any more, so end it.
    res.once('finish', () => {
      if (!up.taken) socket.end();
    });
    try {
      app.routing(req, res);
    } catch {
      socket.destroy();
    }
  });
}

/** The WebSocket subprotocols a request offers, in its order. */
export function offeredProtocols(req: FastifyRequest): string[] {
  return String(req.headers['sec-websocket-protocol'] ?? '')
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean);
}

export function upgradeKind(req: FastifyRequest): 'websocket' | 'spdy' | undefined {
  const u = String(req.headers.upgrade ?? '').toLowerCase();
  if (!pending.has(req.raw)) return undefined;
  if (u === 'websocket') return 'websocket';
  if (u.startsWith('spdy/')) return 'spdy';
  return undefined;
}

/** Takes the raw socket of an upgrade request away from fastify (no reply will be sent). */
export function takeUpgrade(req: FastifyRequest, reply: FastifyReply): { socket: Duplex; head: Buffer } {
  const up = pending.get(req.raw);
  if (!up) throw new Error('not an upgrade request');
  up.taken = true;
  reply.hijack();
  return { socket: up.socket, head: up.head };
}

const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false });
const chosen = new WeakMap<IncomingMessage, string>();
wss.on('headers', (headers, req) => {
  const p = chosen.get(req);
  if (p) headers.push(`Sec-WebSocket-Protocol: ${p}`);
});

/** Completes the client's WebSocket handshake with `protocol` as the negotiated subprotocol. */
export function acceptWebSocket(req: FastifyRequest, reply: FastifyReply, protocol: string): Promise<WebSocket> {
  const { socket, head } = takeUpgrade(req, reply);
  const raw = req.raw;
  // `ws` validates the offered list itself and would refuse names that are not HTTP tokens.
  delete raw.headers['sec-websocket-protocol'];
  if (protocol) chosen.set(raw, protocol);
  return new Promise((resolve, reject) => {
    // `ws` answers a malformed handshake itself and never calls back: the socket just closes.
    socket.once('close', () => reject(new Error('WebSocket handshake failed')));
    wss.handleUpgrade(raw, socket, head, (ws) => resolve(ws));
  });
}
