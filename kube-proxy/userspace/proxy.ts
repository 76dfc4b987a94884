// The userspace mode's edge: one TCP server per listener, splicing each client to an
// endpoint (splice.ts). Round robin (with ClientIP affinity when asked); unlike the iptables
// mode a refused, unreachable or resetting endpoint is skipped and the next one tried, so a
// client only fails when every endpoint does.
import { createServer, type Server, type Socket } from 'node:net';
import type { Logger } from 'pino';
import { LoadBalancer, type UserspaceListener } from './rules.js';
import { ENDPOINT_DIAL_TIMEOUTS_MS, splice } from './splice.js';

interface Active {
  spec: UserspaceListener;
  server: Server;
  port: number;
  lb: LoadBalancer;
  sockets: Set<Socket>;
}

export interface UserspaceProxierOptions {
  /** Per dial attempt, as k8s' EndpointDialTimeouts (the default). */
  dialTimeoutsMs?: readonly number[];
}

const endpointKeys = (l: UserspaceListener): string[] => l.endpoints.map((e) => `${e.ip}:${e.port}`);

export class UserspaceProxier {
  private readonly active = new Map<string, Active>();
  private readonly failed = new Set<string>();
  private readonly dialTimeoutsMs: readonly number[];

  constructor(
    private readonly log: Logger,
    opts: UserspaceProxierOptions = {},
  ) {
    this.dialTimeoutsMs = opts.dialTimeoutsMs ?? ENDPOINT_DIAL_TIMEOUTS_MS;
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
    const clientIP = (client.remoteAddress ?? '').replace(/^::ffff:/, '');
    splice(client, {
      order: a.lb.order(clientIP, Date.now()),
      dialTimeoutsMs: this.dialTimeoutsMs,
      connected: (endpoint) => a.lb.connected(clientIP, endpoint, Date.now()),
      track: (s) => a.sockets.add(s),
      untrack: (s) => a.sockets.delete(s),
      log: this.log,
      service: a.spec.servicePort,
    });
  }

  async close(): Promise<void> {
    const all = [...this.active.values()];
    this.active.clear();
    await Promise.all(all.map(closeServer));
  }
}

async function closeServer(a: Active): Promise<void> {
  for (const s of a.sockets) s.destroy();
  await new Promise<void>((resolve) => a.server.close(() => resolve()));
}
