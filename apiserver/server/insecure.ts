// The unsafe plain-HTTP port (Kubernetes' old insecure port; `--insecure-port`): loopback only,
// every request on it is `system:unsecured`. Without TLS the whole app is in this mode.
import { createServer, type Server } from 'node:http';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { UserInfo } from '../../api/user.js';
import { routeUpgrades } from '../streaming/upgrade.js';

/** The identity of every request on the unsafe plain-HTTP port. */
export const INSECURE_USER: UserInfo = { username: 'system:unsecured', groups: ['system:masters', 'system:authenticated'] };

export class InsecurePort {
  private readonly sockets = new WeakSet<object>();
  private readonly servers: Server[] = [];

  /** `tls`: whether the app itself serves HTTPS (else every request is insecure). */
  constructor(
    private readonly app: FastifyInstance,
    private readonly tls: boolean,
  ) {}

  readonly isInsecure = (req: FastifyRequest): boolean => !this.tls || this.sockets.has(req.raw.socket);

  /** Serves the app on plain HTTP at host:port (loopback only); returns the port. */
  async listen(host: string, port: number): Promise<number> {
    if (!isLoopback(host)) throw new Error(`the unsafe plain-HTTP port may only listen on loopback, not ${host}`);
    const server = createServer((req, res) => {
      this.sockets.add(req.socket);
      this.app.routing(req, res);
    });
    server.on('upgrade', (req) => this.sockets.add(req.socket));
    routeUpgrades(this.app, server);
    this.servers.push(server);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => resolve());
    });
    const addr = server.address();
    return typeof addr === 'object' && addr ? addr.port : port;
  }

  async close(): Promise<void> {
    for (const s of this.servers) {
      s.closeAllConnections();
      await new Promise<void>((resolve) => s.close(() => resolve()));
    }
  }
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\./.test(host);
}
