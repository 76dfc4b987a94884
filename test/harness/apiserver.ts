// A real etcd + a real apiserver (in-process, random port) for integration tests — secure as
// a real cluster: HTTPS with the test PKI's serving certificate, x509 / service-account token
// / anonymous authentication, Node+RBAC authorization. Tests act as the admin
// (`kubernetes-admin` in `system:masters`) through `api.config`, or as anyone through
// `api.configFor(user, groups)`. As in Kubernetes' own integration tests, the ServiceAccount
// admission plugin is off unless a test turns it on (no controller-manager makes the
// `default` accounts here).
import { pino } from 'pino';
import { Agent, type Dispatcher } from 'undici';
import { createApiserver, DEFAULT_OPTIONS, type Apiserver, type ApiserverOptions } from '../../apiserver/server/apiserver.js';
import type { SecurityOptions } from '../../apiserver/auth/index.js';
import type { RestConfig } from '../../client/rest.js';
import { DEFAULT_REQUEST_HEADERS } from '../../apiserver/auth/authn/request-header.js';
import { startEtcd, type EtcdHandle } from './etcd.js';
import { testPki, type TestPki } from './pki.js';

export const TEST_ISSUER = 'https://kubernetes.default.svc.cluster.local';

export interface TestApiserver {
  /** https://127.0.0.1:<port> */
  url: string;
  /** The admin's REST config (client certificate in system:masters). */
  config: RestConfig;
  /** A REST config for `user` in `groups`, by client certificate. */
  configFor(user: string, groups?: string[]): Promise<RestConfig>;
  /** An undici dispatcher that presents the admin's certificate (for raw fetch). */
  dispatcher: Dispatcher;
  pki: TestPki;
  etcd: EtcdHandle;
  server: Apiserver;
  stop(): Promise<void>;
}

export interface TestApiserverOptions extends Partial<Omit<ApiserverOptions, 'security'>> {
  /** Overrides of the secure defaults. */
  security?: Partial<SecurityOptions>;
  /** Start on this etcd instead of a fresh one (it is not stopped with the apiserver). */
  etcd?: EtcdHandle;
  /** Listen on this port (default: a random one). */
  port?: number;
}

/** The secure options a test apiserver runs with. */
export async function testSecurity(overrides: Partial<SecurityOptions> = {}): Promise<SecurityOptions> {
  const pki = await testPki();
  return {
    tls: { cert: pki.apiserver.cert, key: pki.apiserver.key, clientCA: pki.ca.cert },
    anonymousAuth: true,
    serviceAccount: { publicKeys: [{ source: 'test PKI', pem: pki.serviceAccount.publicKey }], signingKey: pki.serviceAccount.privateKey, issuers: [TEST_ISSUER] },
    authorizationModes: ['Node', 'RBAC'],
    kubeletClient: { cert: pki.kubeletClient.cert, key: pki.kubeletClient.key, ca: pki.ca.cert },
    // The front proxy's identity and headers, as kubeadm configures them.
    requestHeader: { clientCA: pki.frontProxyCA.cert, allowedNames: ['front-proxy-client'], ...DEFAULT_REQUEST_HEADERS },
    ...overrides,
  };
}

export async function startTestApiserver(overrides: TestApiserverOptions = {}): Promise<TestApiserver> {
  const { security: securityOverrides, etcd: givenEtcd, port: givenPort, ...rest } = overrides;
  const pki = await testPki();
  const etcd = givenEtcd ?? (await startEtcd());
  const server = await createApiserver({
    ...DEFAULT_OPTIONS,
    compactionIntervalSeconds: 0,
    etcdServers: [etcd.endpoint],
    logger: pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }),
    disableAdmissionPlugins: ['ServiceAccount'],
    // Aggregated API servers are reached with the front-proxy certificate, at endpoint addresses.
    aggregator: { proxyClient: { cert: pki.frontProxyClient.cert, key: pki.frontProxyClient.key }, enableAggregatorRouting: true },
    ...rest,
    security: await testSecurity(securityOverrides),
  });
  await server.app.listen({ host: '127.0.0.1', port: givenPort ?? 0 });
  await server.ready();
  const addr = server.app.server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  const url = `https://127.0.0.1:${port}`;
  const configFor = async (user: string, groups: string[] = []): Promise<RestConfig> => {
    const kc = await pki.client(user, groups);
    return { server: url, ca: pki.ca.cert, cert: kc.cert, key: kc.key };
  };
  const config: RestConfig = { server: url, ca: pki.ca.cert, cert: pki.admin.cert, key: pki.admin.key };
  const dispatcher = new Agent({ connect: { ca: pki.ca.cert, cert: pki.admin.cert, key: pki.admin.key } });
  return {
    url,
    config,
    configFor,
    dispatcher,
    pki,
    etcd,
    server,
    async stop() {
      await dispatcher.close();
      await server.close();
      if (!givenEtcd) await etcd.stop();
    },
  };
}

/** A dispatcher that trusts the test CA and presents `cert` (none: an anonymous client). */
export function dispatcherFor(pki: TestPki, cert?: { cert: string; key: string }): Dispatcher {
  return new Agent({ connect: { ca: pki.ca.cert, ...(cert ? { cert: cert.cert, key: cert.key } : {}) } });
}
