// Builds the apiserver: one Storage and one ResourceStore (with its watch cache) per resource
// of api/resources.ts, the handler chain (filters/chain.ts: request info → authentication →
// audit → impersonation → in-flight limit → authorization), then the routes (routes.ts).
// HTTPS with client certificates when `security.tls` is given; otherwise plain HTTP where every
// request is the all-powerful `system:unsecured` (Kubernetes' old insecure port: tests and
// benchmarks only).
import type { Server } from 'node:http';
import Fastify, { LogController, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { RESOURCES, type ResourceInfo } from '../../api/resources.js';
import { errors, StatusError } from '../../api/status.js';
import type { UserInfo } from '../../api/user.js';
import { NamespaceLifecycle } from '../admission/namespace-lifecycle.js';
import { bootstrap } from '../controlplane/bootstrap.js';
import { Compactor } from '../storage/compaction.js';
import { registerHandlerChain } from '../filters/chain.js';
import type { HandlerContext } from '../handlers/context.js';
import { ApiserverMetrics } from './metrics.js';
import { ResourceStore, type AdmissionPlugin } from '../registry/store.js';
import { apiRoutes, healthRoutes, openapiRoutes } from './routes.js';
import { Storage } from '../storage/storage.js';
import { loadEncryptionTransformers } from '../encryption/storage-transformers.js';
import { ServiceAllocator, DEFAULT_SERVICE_ALLOCATOR_OPTIONS } from '../alloc/allocator.js';
import { AllocationRepair } from '../alloc/repair.js';
import { sendRaw } from '../handlers/responses.js';
import type { StreamingSubresources } from '../handlers/context.js';
import { KubeletStreaming } from '../streaming/kubelet.js';
import { routeUpgrades } from '../streaming/upgrade.js';
import { buildSecurity, type SecurityOptions } from '../auth/index.js';
import { EndpointReconciler } from '../controlplane/endpoint-reconciler.js';

export interface ApiserverOptions {
  etcdServers: string[];
  etcdPrefix: string;
  logger: Logger;
  maxRequestsInflight: number;
  watchCacheSize: number;
  /** Seconds between etcd compactions (0 = never). */
  compactionIntervalSeconds: number;
  bookmarkIntervalSeconds: number;
  minRequestTimeoutSeconds: number;
  /** Extra admission plugins (e.g. service IP allocation). */
  admission?: AdmissionPlugin[];
  streaming?: StreamingSubresources;
  /** `--service-cluster-ip-range` (default 10.96.0.0/12). */
  serviceClusterIPRange?: string;
  /** `--service-node-port-range` (default 30000-32767). */
  serviceNodePortRange?: string;
  /** Between service allocation repair passes (default 3 minutes). */
  serviceAllocationRepairIntervalMs?: number;
  /** TLS, authentication, authorization, audit; undefined: the unsafe plain-HTTP mode. */
  security?: SecurityOptions;
  /** `--encryption-provider-config`: an EncryptionConfiguration file (encryption at rest). */
  encryptionProviderConfig?: string;
  /** `--disable-admission-plugins`: NamespaceLifecycle, NodeRestriction, ServiceAccount. */
  disableAdmissionPlugins?: string[];
  /** `--advertise-address` and the secure port: what the `kubernetes` Service's endpoints say. None: no endpoints. */
  advertise?: { address: string; port: number };
}

export const DEFAULT_OPTIONS: Omit<ApiserverOptions, 'etcdServers' | 'logger'> = {
  etcdPrefix: '/registry',
  maxRequestsInflight: 400,
  watchCacheSize: 10_000,
  compactionIntervalSeconds: 300,
  bookmarkIntervalSeconds: 60,
  minRequestTimeoutSeconds: 1800,
};

export interface Apiserver {
  app: FastifyInstance;
  storage: Storage;
  metrics: ApiserverMetrics;
  store(group: string, resource: string): ResourceStore;
  /** Resolves when every watch cache holds its initial list. */
  ready(): Promise<void>;
  /**
   * Also serves plain HTTP on a loopback address, where every request is `system:unsecured`
   * (no authentication, no authorization). Unsafe: for tests and benchmarks. Returns the port.
   */
  listenInsecure(host: string, port: number): Promise<number>;
  close(): Promise<void>;
}

const BODY_LIMIT = 3 * 1024 * 1024;

function sendStatus(reply: FastifyReply, e: StatusError): FastifyReply {
  return sendRaw(reply, e.code, 'application/json', JSON.stringify(e.status));
}

/** Any thrown error → a Status reply. Only our own bugs become 500s, and they are logged. */
function toStatusError(err: unknown, req: FastifyRequest): StatusError {
  if (err instanceof StatusError) return err;
  const e = err as { code?: string; statusCode?: number; message?: string };
  if (e.code === 'FST_ERR_CTP_BODY_TOO_LARGE' || e.statusCode === 413) return errors.tooLarge();
  if (e.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE' || e.statusCode === 415) return errors.unsupportedMediaType(String(req.headers['content-type'] ?? ''));
  if (e.statusCode && e.statusCode >= 400 && e.statusCode < 500) return errors.badRequest(e.message ?? 'bad request');
  req.log.error({ err }, 'internal error');
  return errors.internal(e.message ?? String(err));
}

/** The identity of every request on the unsafe plain-HTTP port (Kubernetes' insecure port). */
export const INSECURE_USER: UserInfo = { username: 'system:unsecured', groups: ['system:masters', 'system:authenticated'] };

export async function createApiserver(options: ApiserverOptions): Promise<Apiserver> {
  const log = options.logger;
  const storage = Storage.connect(options.etcdServers, { transformers: loadEncryptionTransformers(options.encryptionProviderConfig, options.etcdPrefix), log });
  const metrics = new ApiserverMetrics(true);
  const stores = new Map<string, ResourceStore>();
  const store = (group: string, resource: string): ResourceStore => {
    const s = stores.get(`${group}/${resource}`);
    if (!s) throw errors.notFound({ group, resource }, resource);
    return s;
  };
  const serviceAllocator = new ServiceAllocator(storage.etcd, options.etcdPrefix, {
    serviceClusterIPRange: options.serviceClusterIPRange ?? DEFAULT_SERVICE_ALLOCATOR_OPTIONS.serviceClusterIPRange,
    serviceNodePortRange: options.serviceNodePortRange ?? DEFAULT_SERVICE_ALLOCATOR_OPTIONS.serviceNodePortRange,
  }, log.child({ admission: 'ServiceAllocator' }));
  // The stores share one admission list, filled once security is built over their caches.
  const admission: AdmissionPlugin[] = [];
  for (const info of RESOURCES) {
    if (info.virtual) continue;
    stores.set(`${info.group}/${info.resource}`, new ResourceStore(info, storage, options.etcdPrefix, admission, log.child({ resource: info.resource }), options.watchCacheSize));
  }
  const security = await buildSecurity(options.security, store, log);
  // Kubernetes' order: NamespaceLifecycle first, then the security plugins; our service IP and
  // port allocation (Kubernetes does it in the Service registry) and test extras last.
  const disabled = new Set(options.disableAdmissionPlugins ?? []);
  const named = [{ name: 'NamespaceLifecycle', plugin: new NamespaceLifecycle(() => stores.get('/namespaces')!) as AdmissionPlugin }, ...security.admission];
  for (const d of disabled) if (!named.some((n) => n.name === d)) throw new Error(`--disable-admission-plugins: unknown plugin "${d}" (known: ${named.map((n) => n.name).join(', ')})`);
  admission.push(...named.filter((n) => !disabled.has(n.name)).map((n) => n.plugin), serviceAllocator, ...(options.admission ?? []));

  const ctx: HandlerContext = {
    store,
    watch: {
      bookmarkIntervalSeconds: options.bookmarkIntervalSeconds,
      maxBufferedBytes: 16 * 1024 * 1024,
      minRequestTimeoutSeconds: options.minRequestTimeoutSeconds,
      onOpen: (r) => metrics.watchers.inc({ resource: r }),
      onClose: (r) => metrics.watchers.dec({ resource: r }),
    },
    // pods/log|exec|attach|portforward and nodes/proxy go to the kubelet of the object's node.
    streaming: options.streaming ?? new KubeletStreaming({ store, log, ...(security.kubeletClient ? { tls: security.kubeletClient } : {}) }),
    ...(security.reviews ? { security: { reviews: security.reviews, ...(security.tokenRequests ? { tokenRequests: security.tokenRequests } : {}) } } : {}),
  };

  const tls = options.security?.tls;
  const app = Fastify({
    loggerInstance: log,
    // Request lines are logged by the metrics stage, with the k8s verb and resource.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: BODY_LIMIT,
    return503OnClosing: false,
    forceCloseConnections: true,
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 4096 },
    // Client certificates are asked for but not required: Node verifies them against the
    // client CA and the x509 authenticator reads the verdict (anonymous and token clients
    // send none).
    ...(tls ? { https: { cert: tls.cert, key: tls.key, ...(tls.clientCA ? { ca: tls.clientCA, requestCert: true, rejectUnauthorized: false } : {}) } } : {}),
    // Errors fastify raises before routing (bad URL encoding, bad headers) are Statuses too.
    frameworkErrors: (err, req, reply) => {
      void sendStatus(reply as unknown as FastifyReply, toStatusError(err, req as unknown as FastifyRequest));
    },
  }) as unknown as FastifyInstance;
  // WebSocket/SPDY upgrades (exec, attach, portforward) go through the same routes.
  routeUpgrades(app);
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: BODY_LIMIT }, (_req, body, done) => done(null, body));
  app.setErrorHandler((err, req, reply) => {
    const e = toStatusError(err, req);
    if (e.code === 429) reply.header('Retry-After', '1');
    if (reply.raw.headersSent) {
      reply.raw.destroy();
      return;
    }
    return sendStatus(reply, e);
  });
  app.setNotFoundHandler((req, reply) => sendStatus(reply, new StatusError(404, 'NotFound', `the server could not find the requested resource (${req.method} ${req.url.split('?')[0]})`)));

  const insecureSockets = new WeakSet<object>();
  await registerHandlerChain(app, {
    authenticator: security.authenticator,
    authorizer: security.authorizer,
    ...(security.audit ? { audit: security.audit } : {}),
    maxRequestsInflight: options.maxRequestsInflight,
    metrics,
    insecure: { user: INSECURE_USER, isInsecure: (req) => !tls || insecureSockets.has(req.raw.socket) },
  });
  let cachesReady = false;
  await app.register(healthRoutes, {
    metrics,
    notReady: async () => {
      if (!cachesReady) return 'watch caches not ready';
      try {
        await storage.currentRevision();
      } catch {
        return 'etcd failed';
      }
      return undefined;
    },
  });
  await app.register(openapiRoutes);
  await app.register(apiRoutes, { ctx });

  // Caches fill in the background; /readyz says when they have.
  const repair = new AllocationRepair({
    ips: serviceAllocator.ips,
    ports: serviceAllocator.ports,
    listServices: async () => (await storage.range(stores.get('/services')!.prefix)).items.map((i) => i.obj),
    log: log.child({ controller: 'service-allocation-repair' }),
    intervalMs: options.serviceAllocationRepairIntervalMs ?? 180_000,
  });
  const endpoints = options.advertise
    ? new EndpointReconciler({ endpoints: store('', 'endpoints'), slices: store('discovery.k8s.io', 'endpointslices'), address: options.advertise.address, port: options.advertise.port, log: log.child({ controller: 'kubernetes-service-endpoints' }) })
    : undefined;
  let closing = false;
  const allReady = Promise.all([...stores.values()].map((s) => s.cache.ready)).then(async () => {
    await bootstrap(store, log, { kubernetesServiceIP: serviceAllocator.ipRange.kubernetesServiceIP });
    await security.start();
    if (!closing) {
      repair.start();
      endpoints?.start();
    }
    cachesReady = true;
  });
  allReady.catch((e: unknown) => log.error({ err: e }, 'apiserver start-up failed'));
  const compactor = new Compactor(storage, options.compactionIntervalSeconds, log);
  const extraServers: Server[] = [];

  return {
    app,
    storage,
    metrics,
    store,
    ready: () => allReady,
    async listenInsecure(host: string, port: number): Promise<number> {
      if (!isLoopback(host)) throw new Error(`the unsafe plain-HTTP port may only listen on loopback, not ${host}`);
      const { createServer } = await import('node:http');
      const server = createServer((req, res) => {
        insecureSockets.add(req.socket);
        app.routing(req, res);
      });
      server.on('upgrade', (req) => insecureSockets.add(req.socket));
      routeUpgrades(app, server);
      extraServers.push(server);
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => resolve());
      });
      const addr = server.address();
      return typeof addr === 'object' && addr ? addr.port : port;
    },
    async close() {
      closing = true;
      // A clean stop takes this apiserver out of the kubernetes Service (Kubernetes does too).
      if (cachesReady) await endpoints?.stop(true);
      else await endpoints?.stop(false);
      compactor.stop();
      await repair.stop();
      for (const s of extraServers) {
        s.closeAllConnections();
        await new Promise<void>((resolve) => s.close(() => resolve()));
      }
      await app.close();
      await security.stop();
      await Promise.all([...stores.values()].map((s) => s.cache.stop()));
      await storage.close();
    },
  };
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\./.test(host);
}

export type { ResourceInfo };
