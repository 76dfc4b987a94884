// metrics-server next to a test apiserver, as a cluster runs it: its own client certificate
// (system:metrics-server, bound by the bootstrap RBAC), a serving certificate from the cluster
// CA, direct client certificates from the cluster CA, and the apiserver's front-proxy CA, whose
// `front-proxy-client` (the aggregator) may assert users in headers. `register()` makes it the
// backend of metrics.k8s.io through the apiserver's aggregation layer, as scripts/up does.
import { pino } from 'pino';
import { Agent, request, type Dispatcher } from 'undici';
import { issueCert, type KeyCert } from '../../client/cert/x509.js';
import { RestClient } from '../../client/rest.js';
import { registrationObjects } from '../../metrics-server/manifest.js';
import { waitFor } from '../harness/ports.js';
import { DEFAULT_ADDRESS_TYPES } from '../../metrics-server/address.js';
import { startMetricsServer, type MetricsServer } from '../../metrics-server/metrics-server.js';
import type { TestApiserver } from '../harness/apiserver.js';

export const FRONT_PROXY_CN = 'front-proxy-client';

export interface MetricsServerEnv {
  ms: MetricsServer;
  url: string;
  frontProxyCA: KeyCert;
  /** A client presenting `cert` (none: anonymous) that trusts the cluster CA. */
  agent(cert?: KeyCert): Dispatcher;
  /** GET as the aggregator would send it: front-proxy certificate, user and groups in headers. */
  getAs(path: string, user: string, groups?: string[], cert?: KeyCert): Promise<{ status: number; body: unknown }>;
  get(path: string, dispatcher: Dispatcher, headers?: Record<string, string | string[]>): Promise<{ status: number; body: unknown }>;
  frontProxyClient: KeyCert;
  /** Registers metrics-server as the APIService v1beta1.metrics.k8s.io and waits until it is Available. */
  register(): Promise<void>;
  stop(): Promise<void>;
}

export async function startMetricsServerEnv(api: TestApiserver, resolutionMs = 1000): Promise<MetricsServerEnv> {
  const { frontProxyCA, frontProxyClient } = api.pki;
  // The aggregator dials the Service's endpoint with ServerName metrics-server.kube-system.svc.
  const serving = await issueCert(api.pki.ca, { commonName: 'metrics-server', dnsNames: ['localhost', 'metrics-server.kube-system.svc'], ipAddresses: ['127.0.0.1'], usages: ['server'] });
  const ms = await startMetricsServer({
    config: await api.configFor('system:metrics-server'),
    qps: 0,
    metricResolutionMs: resolutionMs,
    kubelet: { addressTypes: DEFAULT_ADDRESS_TYPES, port: 10250, useNodeStatusPort: true },
    bindAddress: '127.0.0.1',
    securePort: 0,
    tls: serving,
    clientCA: api.pki.ca.cert,
    requestHeader: {
      clientCA: frontProxyCA.cert,
      allowedNames: [FRONT_PROXY_CN],
      usernameHeaders: ['X-Remote-User'],
      groupHeaders: ['X-Remote-Group'],
      extraHeaderPrefixes: ['X-Remote-Extra-'],
    },
    log: pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }),
  });
  const url = `https://127.0.0.1:${ms.port}`;
  const agents: Agent[] = [];
  const agent = (cert?: KeyCert): Dispatcher => {
    const a = new Agent({ connect: { ca: api.pki.ca.cert, ...(cert ? { cert: cert.cert, key: cert.key } : {}) } });
    agents.push(a);
    return a;
  };
  const get = async (path: string, dispatcher: Dispatcher, headers: Record<string, string | string[]> = {}) => {
    const res = await request(`${url}${path}`, { dispatcher, headers });
    const text = await res.body.text();
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // Plain text (health, Prometheus).
    }
    return { status: res.statusCode, body };
  };
  const frontProxy = agent(frontProxyClient);
  const getAs = (path: string, user: string, groups: string[] = [], cert?: KeyCert) =>
    get(path, cert ? agent(cert) : frontProxy, { 'x-remote-user': user, ...(groups.length ? { 'x-remote-group': groups } : {}) });
  return {
    ms,
    url,
    frontProxyCA,
    frontProxyClient,
    agent,
    get,
    getAs,
    async register() {
      const client = new RestClient({ ...api.config, qps: 0 });
      try {
        for (const o of registrationObjects({ caPem: api.pki.ca.cert, address: '127.0.0.1', port: ms.port, objects: ['service', 'apiservice'] })) {
          const kind = String(o.kind);
          const resource = kind === 'APIService' ? 'apiservices.apiregistration.k8s.io' : kind === 'Service' ? 'services' : 'endpoints';
          await client.resource(resource, kind === 'APIService' ? undefined : 'kube-system').create(o as never);
        }
        await waitFor('v1beta1.metrics.k8s.io Available', async () => {
          const s = (await client.resource('apiservices.apiregistration.k8s.io').get('v1beta1.metrics.k8s.io')) as { status?: { conditions?: { type: string; status: string }[] } };
          return s.status?.conditions?.some((c) => c.type === 'Available' && c.status === 'True');
        }, 30_000, 200);
      } finally {
        await client.close();
      }
    },
    async stop() {
      await ms.stop();
      await Promise.all(agents.map((a) => a.close()));
    },
  };
}
