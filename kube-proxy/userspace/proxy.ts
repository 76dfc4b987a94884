// The userspace mode's edge: one TCP server per listener, splicing each client to an
// endpoint. Round robin (with ClientIP affinity when asked); unlike the iptables mode a
// refused or unreachable endpoint is skipped and the next one tried, so a client only fails
// when every endpoint does.
import { connect, createServer, type Server, type Socket } from 'node:net';
import type { Logger } from 'pino';
import { LoadBalancer, type UserspaceListener } from './rules.js';

interface Active {
  spec: UserspaceListener;
  server: Server;
  port: number;
  lb: LoadBalancer;
  sockets: Set<Socket>;
}

export interface UserspaceProxierOptions {
  /** Per endpoint attempt; the old k8s proxier started at 250 ms and doubled. */
  connectTimeoutMs?: number;
}

const endpointKeys = (l: UserspaceListener): string[] => l.endpoints.map((e) => `${e.ip}:${e.port}`);

export class UserspaceProxier {
  private readonly active = new Map<string, Active>();
  private readonly failed = new Set<string>();
  private readonly connectTimeoutMs: number;

  constructor(
    private readonly log: Logger,
    opts: UserspaceProxierOptions = {},
  ) {
    this.connectTimeoutMs = opts.connectTimeoutMs ?? 1000;
  }

  get listenerCount(): number {
    return this.active.size;
  }

  /** Opens, updates and closes listeners to match. Returns listener key → bound port. */
  async sync(desired: readonly UserspaceListener[]): Promise<Map<string, number>> {
    const want = new Map(desired.map((l) => [l.key, l]));
    for (const [key, a] of this.active) {
      if (!want.has(key)) {
        this.active.delete(key);
        await closeServer(a);
      }
    }
    for (const spec of desired) {
      const a = this.active.get(spec.key);
      if (a) {
        a.spec = spec;
        a.lb.update(endpointKeys(spec), spec.affinitySeconds);
        continue;
      }
      try {
        this.active.set(spec.key, await this.open(spec));
        this.failed.delete(spec.key);
      } catch (e) {
        // Busy port, or an address that is not ours: try again next sync, say it once.
        if (!this.failed.has(spec.key)) this.log.warn({ listener: spec.key, err: e }, 'could not open proxy listener');
        this.failed.add(spec.key);
      }
    }
    return new Map([...this.active].map(([k, a]) => [k, a.port]));
  }

  private async open(spec: UserspaceListener): Promise<Active> {
    const sockets = new Set<Socket>();
    const server = createServer({ allowHalfOpen: true, pauseOnConnect: true });
    const active: Active = { spec, server, port: 0, lb: new LoadBalancer(endpointKeys(spec), spec.affinitySeconds), sockets };
    server.on('connection', (client) => this.handle(active, client));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(spec.port, spec.address, () => {
        server.off('error', reject);
        resolve();
      });
    });
    server.on('error', (e) => this.log.warn({ listener: spec.key, err: e }, 'proxy listener error'));
    const addr = server.address();
    active.port = typeof addr === 'object' && addr ? addr.port : spec.port;
    this.log.info({ listener: spec.key, address: `${spec.address}:${active.port}` }, 'opened proxy listener');
    return active;
  }

  private handle(a: Active, client: Socket): void {
    a.sockets.add(client);
    client.on('close', () => a.sockets.delete(client));
    client.on('error', () => client.destroy());
    const clientIP = (client.remoteAddress ?? '').replace(/^::ffff:/, '');
    const order = a.lb.order(clientIP, Date.now());
    const attempt = (i: number): void => {
      if (client.destroyed) return;
      if (i >= order.length) {
        this.log.debug({ service: a.spec.servicePort }, 'no endpoint accepted the connection');
        client.destroy();
        return;
      }
      const endpoint = order[i]!;
      const sep = endpoint.lastIndexOf(':');
      const upstream = connect({ host: endpoint.slice(0, sep), port: Number(endpoint.slice(sep + 1)), allowHalfOpen: true });
      const timer = setTimeout(() => upstream.destroy(new Error('connect timeout')), this.connectTimeoutMs);
      const failed = (e: Error): void => {
        clearTimeout(timer);
        upstream.destroy();
        this.log.debug({ service: a.spec.servicePort, endpoint, err: e }, 'endpoint failed; trying the next');
        attempt(i + 1);
      };
      upstream.once('error', failed);
      upstream.once('connect', () => {
        clearTimeout(timer);
        upstream.off('error', failed);
        a.lb.connected(clientIP, endpoint, Date.now());
        // Writes pass straight through: Nagle on a relay adds a delayed-ACK wait per reply.
        client.setNoDelay(true);
        upstream.setNoDelay(true);
        a.sockets.add(upstream);
        // Ends travel through relay() (half-close kept, buffers flushed); only errors cut.
        upstream.on('close', (hadError) => {
          a.sockets.delete(upstream);
          if (hadError) client.destroy();
        });
        upstream.on('error', () => upstream.destroy());
        client.on('close', (hadError) => {
          if (hadError) upstream.destroy();
        });
        relay(client, upstream);
        relay(upstream, client);
        client.resume();
      });
    };
    attempt(0);
  }

  async close(): Promise<void> {
    const all = [...this.active.values()];
    this.active.clear();
    await Promise.all(all.map(closeServer));
  }
}

/**
 * Copies `from` into `to` with backpressure, and passes the end on (half-close). Measured
 * here, plain data events carry short connections noticeably faster than stream.pipe().
 */
function relay(from: Socket, to: Socket): void {
  from.on('data', (chunk: Buffer) => {
    if (!to.write(chunk)) {
      from.pause();
      to.once('drain', () => from.resume());
    }
  });
  from.on('end', () => to.end());
}

async function closeServer(a: Active): Promise<void> {
  for (const s of a.sockets) s.destroy();
  await new Promise<void>((resolve) => a.server.close(() => resolve()));
}
