// Builds the apiserver: one Storage and one ResourceStore (with its watch cache) per resource
// of api/resources.ts (registry/stores.ts), then a fastify app of plugins registered in order:
// Status errors (errors.ts), raw bodies (raw-body.ts), the handler chain (filters/chain.ts:
// request info → authentication → audit → impersonation → in-flight limit → authorization),
// then the routes (routes.ts). The post-start hooks (controlplane/post-start.ts) run once the
// watch caches are filled.
// HTTPS with client certificates when `security.tls` is given; otherwise plain HTTP where every
// request is the all-powerful `system:unsecured` (Kubernetes' old insecure port: tests and
// benchmarks only).
import { StorageObjectInUseProtection } from '../admission/storage-object-in-use-protection.js';
import Fastify, { LogController, type FastifyInstance } from 'fastify';
import type { Socket } from 'node:net';
import type { Logger } from 'pino';
import { admissionChain } from '../admission/chain.js';
import { ApiExtensions, APIEXTENSIONS_STRATEGIES } from '../apiextensions/index.js';
import { groupVersions } from '../../api/resources.js';
import { NamespaceLifecycle } from '../admission/namespace-lifecycle.js';
import { LimitRanger } from '../admission/limit-ranger.js';
import { ResourceQuotaAdmission } from '../admission/resourcequota.js';
import { ServiceAllocator, DEFAULT_SERVICE_ALLOCATOR_OPTIONS } from '../alloc/allocator.js';
import { AllocationRepair } from '../alloc/repair.js';
import { buildSecurity, type Security, type SecurityOptions } from '../auth/index.js';
import { EndpointReconciler } from '../controlplane/endpoint-reconciler.js';
import { publishAuthenticationInfo } from '../controlplane/cluster-authentication-trust.js';
import { Aggregator } from '../aggregator/aggregator.js';
import { PostStartHooks } from '../controlplane/post-start.js';
import { loadEncryptionTransformers } from '../encryption/storage-transformers.js';
import { registerHandlerChain } from '../filters/chain.js';
import { AuditIndex, auditIndexSink, DEFAULT_AUDIT_INDEX_MAX_EVENTS } from '../audit/index-store.js';
import { auditIndexDiscovery, auditIndexRoutes } from '../audit/index-routes.js';
import type { HandlerContext, StreamingSubresources } from '../handlers/context.js';
import type { ResourceStore } from '../registry/store.js';
import type { AdmissionPlugin } from '../admission/interfaces.js';
import { PriorityAdmission } from '../admission/priority.js';
import { DefaultStorageClass } from '../admission/default-storage-class.js';
import { PersistentVolumeClaimResize } from '../admission/persistent-volume-claim-resize.js';
import type { StorageClass } from 'kubernetes-types/storage/v1';
import type { PriorityClass } from 'kubernetes-types/scheduling/v1';
import { ResourceStores } from '../registry/stores.js';
import { Compactor } from '../storage/compaction.js';
import { Storage } from '../storage/storage.js';
import { KubeletStreaming } from '../streaming/kubelet.js';
import { routeUpgrades } from '../streaming/upgrade.js';
import { frameworkErrors, statusErrors } from './errors.js';
import { InsecurePort, INSECURE_USER } from './insecure.js';
import { ApiserverMetrics } from './metrics.js';
import { BODY_LIMIT, rawBodies } from './raw-body.js';
import { apiRoutes, healthRoutes, openapiRoutes, type ReadyCheck } from './routes.js';
import { EtcdHealth } from '../storage/etcd-health.js';
import { MasterLeases } from '../controlplane/master-leases.js';

export { INSECURE_USER };

export interface ApiserverOptions {
  etcdServers: string[];
  etcdPrefix: string;
  logger: Logger;
  maxRequestsInflight: number;
  /** `--max-mutating-requests-inflight`: with APF, added to maxRequestsInflight as the server's concurrency limit. */
  maxMutatingRequestsInflight: number;
  /** `--enable-priority-and-fairness` (default true); false: the plain max-in-flight limit. */
  enablePriorityAndFairness: boolean;
  /** Bytes a watcher may have waiting in its socket before it is closed (default 16 MiB). */
  watchMaxBufferedBytes?: number;
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
  /** `--disable-admission-plugins`: NamespaceLifecycle, LimitRanger, NodeRestriction, ServiceAccount, Priority, ResourceQuota. */
  disableAdmissionPlugins?: string[];
  /** `--advertise-address` and the secure port: what the `kubernetes` Service's endpoints say. None: no endpoints. */
  advertise?: { address: string; port: number };
  /** `--endpoint-reconciler-type`: `lease` (default: every live apiserver, by leases in etcd) or `none`. */
  endpointReconcilerType?: EndpointReconcilerType;
  /** The lease reconciler's timing (upstream: 15 s TTL, 10 s interval); tests shorten them. */
  endpointReconciler?: { leaseTTLSeconds?: number; intervalMs?: number };
  /** `--etcd-readycheck-timeout`: deadline of /readyz's quorum read (default 2 s). */
  etcdReadycheckTimeoutMs?: number;
  /** Deadline of every other etcd call (default 10 s): without quorum, writes fail instead of hanging. */
  etcdRequestTimeoutMs?: number;
  /** Between the background etcd probes that log a lost and regained quorum (default 5 s). */
  etcdHealthIntervalMs?: number;
  /** The aggregation layer: what the apiserver presents to aggregated API servers, and how it finds them. */
  aggregator?: AggregatorSettings;
  /** `--audit-index-max-events`: audit events kept by object uid (default 20000; 0 = no index). */
  auditIndexMaxEvents?: number;
}

export type EndpointReconcilerType = 'lease' | 'none';
export const ENDPOINT_RECONCILER_TYPES: readonly EndpointReconcilerType[] = ['lease', 'none'];

export interface AggregatorSettings {
  /** `--proxy-client-cert-file` / `--proxy-client-key-file` (PEM texts). */
  proxyClient?: { cert: string; key: string };
  /** `--enable-aggregator-routing`: endpoint addresses instead of ClusterIPs (default false, as upstream). */
  enableAggregatorRouting?: boolean;
  /** Between APIService availability checks (default 10 s). */
  availabilityIntervalMs?: number;
}

export const DEFAULT_OPTIONS: Omit<ApiserverOptions, 'etcdServers' | 'logger'> = {
  etcdPrefix: '/registry',
  maxRequestsInflight: 400,
  maxMutatingRequestsInflight: 200,
  enablePriorityAndFairness: true,
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
  /** The step close() is in (for a shutdown that does not finish: what it waits for). */
  readonly closing: string | undefined;
}

export async function createApiserver(options: ApiserverOptions): Promise<Apiserver> {
  const log = options.logger;
  const storage = Storage.connect(options.etcdServers, {
    transformers: loadEncryptionTransformers(options.encryptionProviderConfig, options.etcdPrefix),
    log,
    ...(options.etcdRequestTimeoutMs ? { requestTimeoutMs: options.etcdRequestTimeoutMs } : {}),
  });
  const etcdHealth = new EtcdHealth({
    storage,
    log: log.child({ component: 'etcd-health' }),
    ...(options.etcdReadycheckTimeoutMs ? { timeoutMs: options.etcdReadycheckTimeoutMs } : {}),
    ...(options.etcdHealthIntervalMs !== undefined ? { intervalMs: options.etcdHealthIntervalMs } : {}),
  });
  const metrics = new ApiserverMetrics(true);
  // The stores share one admission list, filled once security is built over their caches.
  const admission: AdmissionPlugin[] = [];
  const stores = new ResourceStores(storage, options.etcdPrefix, admission, log, options.watchCacheSize, APIEXTENSIONS_STRATEGIES);
  const apiextensions = new ApiExtensions({
    storage,
    etcdPrefix: options.etcdPrefix,
    admission,
    watchCacheSize: options.watchCacheSize,
    crds: stores.get('apiextensions.k8s.io', 'customresourcedefinitions'),
    log,
  });

  const serviceAllocator = new ServiceAllocator(storage.etcd, options.etcdPrefix, {
    serviceClusterIPRange: options.serviceClusterIPRange ?? DEFAULT_SERVICE_ALLOCATOR_OPTIONS.serviceClusterIPRange,
    serviceNodePortRange: options.serviceNodePortRange ?? DEFAULT_SERVICE_ALLOCATOR_OPTIONS.serviceNodePortRange,
  }, log.child({ admission: 'ServiceAllocator' }));
  const security = await buildSecurity(options.security, stores.get, log);
  const storageClasses = async (): Promise<StorageClass[]> => (await storage.range(stores.get('storage.k8s.io', 'storageclasses').prefix)).items.map((i) => i.obj as unknown as StorageClass);
  admission.push(...admissionChain(
    [
      { name: 'NamespaceLifecycle', plugin: new NamespaceLifecycle(() => stores.get('', 'namespaces')) },
      // Kubernetes' order: LimitRanger runs after NamespaceLifecycle, before ServiceAccount.
      { name: 'LimitRanger', plugin: new LimitRanger(() => stores.get('', 'limitranges')) },
      ...security.admission,
      // After ServiceAccount and NodeRestriction, as in Kubernetes' AllOrderedPlugins.
      { name: 'Priority', plugin: new PriorityAdmission(async () => (await storage.range(stores.get('scheduling.k8s.io', 'priorityclasses').prefix)).items.map((i) => i.obj as unknown as PriorityClass)) },
      // Then the storage plugins, in AllOrderedPlugins' order.
      { name: 'DefaultStorageClass', plugin: new DefaultStorageClass(storageClasses) },
      { name: 'StorageObjectInUseProtection', plugin: new StorageObjectInUseProtection() },
      { name: 'PersistentVolumeClaimResize', plugin: new PersistentVolumeClaimResize(storageClasses) },
      // Last, as in Kubernetes: it charges what LimitRanger and the others defaulted.
      { name: 'ResourceQuota', plugin: new ResourceQuotaAdmission(() => stores.get('', 'resourcequotas')) },
    ],
    options.disableAdmissionPlugins ?? [],
    [serviceAllocator, ...(options.admission ?? [])],
  ));
  // After the admission chain is complete: the custom resource stores take it when made.
  const crdsServed = apiextensions.start();
  crdsServed.catch((e: unknown) => log.error({ err: e }, 'serving CustomResourceDefinitions failed'));

  const aggregator = new Aggregator({
    store: stores.get,
    ...(options.aggregator?.proxyClient ? { proxyClient: options.aggregator.proxyClient } : {}),
    enableAggregatorRouting: options.aggregator?.enableAggregatorRouting ?? false,
    ...(options.aggregator?.availabilityIntervalMs ? { availabilityIntervalMs: options.aggregator.availabilityIntervalMs } : {}),
    log: log.child({ component: 'aggregator' }),
    served: () => groupVersions(apiextensions.registry.resources()),
  });
  // CRDs change what is served: their group-versions get (and lose) Local APIServices, once
  // the aggregator has started.
  let aggregatorStarted = false;
  apiextensions.registry.onChange(() => {
    if (aggregatorStarted) aggregator.registerServed().catch((e: unknown) => log.warn({ err: e }, 'registering the APIServices of CRDs failed'));
  });
  const app = newApp(options);
  const sockets = trackSockets(app);
  const auditIndexMax = options.auditIndexMaxEvents ?? DEFAULT_AUDIT_INDEX_MAX_EVENTS;
  const auditIndex = auditIndexMax > 0 ? new AuditIndex(auditIndexMax) : undefined;
  const insecure = new InsecurePort(app, !!options.security?.tls);
  // WebSocket/SPDY upgrades (exec, attach, portforward) go through the same routes.
  routeUpgrades(app);
  await app.register(rawBodies);
  await app.register(statusErrors);
  await registerHandlerChain(app, {
    authenticator: security.authenticator,
    authorizer: security.authorizer,
    ...(security.audit ? { audit: security.audit } : {}),
    ...(auditIndex ? { auditIndex: auditIndexSink(auditIndex) } : {}),
    maxRequestsInflight: options.maxRequestsInflight,
    ...(options.enablePriorityAndFairness ? { priorityAndFairness: { serverConcurrencyLimit: options.maxRequestsInflight + options.maxMutatingRequestsInflight } } : {}),
    metrics,
    insecure: { user: INSECURE_USER, isInsecure: insecure.isInsecure },
    ...(security.identityHeaders?.length ? { identityHeaders: security.identityHeaders } : {}),
  });
  // Caches fill in the background; /readyz says when they and the post-start hooks are done.
  const postStart = new PostStartHooks({
    stores,
    bootstrap: { kubernetesServiceIP: serviceAllocator.ipRange.kubernetesServiceIP },
    security,
    repair: new AllocationRepair({
      ips: serviceAllocator.ips,
      ports: serviceAllocator.ports,
      listServices: async () => (await storage.range(stores.get('', 'services').prefix)).items.map((i) => i.obj),
      log: log.child({ controller: 'service-allocation-repair' }),
      intervalMs: options.serviceAllocationRepairIntervalMs ?? 180_000,
    }),
    ...(options.advertise && (options.endpointReconcilerType ?? 'lease') === 'lease' ? { endpoints: kubernetesEndpoints(stores, storage, options, options.advertise, log) } : {}),
    hooks: [
      () => publishAuthenticationInfo(stores.get('', 'configmaps'), {
        ...(options.security?.tls.clientCA ? { clientCA: options.security.tls.clientCA } : {}),
        ...(options.security?.requestHeader ? { requestHeader: options.security.requestHeader } : {}),
      }, log.child({ controller: 'cluster-authentication-trust' })),
      async () => {
        // Tried again when it fails (post-start steps retry): start the controllers only once.
        if (!aggregatorStarted) {
          await aggregator.start();
          aggregatorStarted = true;
        }
        // CRDs served while it started.
        await aggregator.registerServed();
      },
    ],
    log,
  });
  await app.register(healthRoutes, { metrics, readyChecks: () => readyChecks(postStart, stores, etcdHealth) });
  await app.register(openapiRoutes, { registry: apiextensions.registry, aggregator });
  if (auditIndex) await app.register(auditIndexRoutes, { index: auditIndex });
  await app.register(apiRoutes, {
    ctx: handlerContext(options, metrics, stores, apiextensions, security, log),
    registry: apiextensions.registry,
    aggregator,
    ...(auditIndex ? { localDiscovery: auditIndexDiscovery } : {}),
  });
  const compactor = new Compactor(storage, options.compactionIntervalSeconds, log);

  let closing: string | undefined;
  const step = async (name: string, fn: () => unknown): Promise<void> => {
    closing = name;
    await fn();
  };
  return {
    app,
    storage,
    metrics,
    get closing() {
      if (closing === undefined || sockets.size === 0) return closing;
      const open = [...sockets].slice(0, 10).map((s) => `${s.remoteAddress}:${s.remotePort}`);
      return `${closing}; ${sockets.size} connection(s) open: ${open.join(', ')}`;
    },
    store: stores.get,
    ready: async () => {
      await postStart.done;
      await crdsServed;
    },
    listenInsecure: (host, port) => insecure.listen(host, port),
    async close() {
      await step('leaving the kubernetes endpoints', () => postStart.stopEndpoints());
      etcdHealth.stop();
      aggregator.stop();
      compactor.stop();
      await step('stopping the allocation repair', () => postStart.stopRepair());
      await step('closing the insecure port', () => insecure.close());
      await step('closing the server', async () => {
        // fastify closes the connections it knows of once. One still in its TLS handshake then
        // (an http server sees a connection only after it) becomes a keep-alive connection
        // nobody closes, and close() waited for its keep-alive timeout (72 s): seen under load,
        // with clients reconnecting as the server went down. So every connection left is cut.
        const sweep = setInterval(() => {
          for (const s of sockets) s.destroy();
        }, 250);
        try {
          await app.close();
        } finally {
          clearInterval(sweep);
        }
      });
      await step('stopping the CRD controllers', () => apiextensions.stop());
      await step('stopping security', () => security.stop());
      await step('stopping the watch caches', () => stores.stop());
      await step('closing the etcd client', () => storage.close());
      closing = undefined;
    },
  };
}

/** Every TCP connection of the app's server (TLS ones from their first byte), while open. */
function trackSockets(app: FastifyInstance): ReadonlySet<Socket> {
  const sockets = new Set<Socket>();
  app.server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
  });
  return sockets;
}

function newApp(options: ApiserverOptions): FastifyInstance {
  const tls = options.security?.tls;
  return Fastify({
    loggerInstance: options.logger,
    // Request lines are logged by the metrics stage, with the k8s verb and resource.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: BODY_LIMIT,
    return503OnClosing: false,
    forceCloseConnections: true,
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 4096 },
    // Client certificates are asked for but not required: Node verifies them against the
    // client CA and the x509 authenticator reads the verdict (anonymous and token clients
    // send none).
    ...(tls ? { https: { cert: tls.cert, key: tls.key, ...clientCertOptions(options.security) } } : {}),
    frameworkErrors,
  }) as unknown as FastifyInstance;
}

/**
 * Client certificates are asked for when --client-ca-file or --requestheader-client-ca-file is
 * set; both CAs are offered, so clients (Go's picks a certificate by the CAs named) present
 * theirs. Each authenticator then checks its own CA (auth/authn/x509.ts, request-header.ts).
 */
function clientCertOptions(security: SecurityOptions | undefined): { ca?: string; requestCert?: boolean; rejectUnauthorized?: boolean } {
  const cas = [security?.tls.clientCA, security?.requestHeader?.clientCA].filter((c): c is string => !!c);
  return cas.length ? { ca: cas.join('\n'), requestCert: true, rejectUnauthorized: false } : {};
}

/** What the REST handlers are given. */
function handlerContext(options: ApiserverOptions, metrics: ApiserverMetrics, stores: ResourceStores, apiextensions: ApiExtensions, security: Security, log: Logger): HandlerContext {
  const store = stores.get;
  return {
    // Custom resources by served version; built-ins from the static stores.
    store: (group, resource, version) => (version !== undefined ? apiextensions.store(group, resource, version) : undefined) ?? store(group, resource),
    watch: {
      bookmarkIntervalSeconds: options.bookmarkIntervalSeconds,
      maxBufferedBytes: options.watchMaxBufferedBytes ?? 16 * 1024 * 1024,
      minRequestTimeoutSeconds: options.minRequestTimeoutSeconds,
      onOpen: (r) => metrics.watchers.inc({ resource: r }),
      onClose: (r) => metrics.watchers.dec({ resource: r }),
      onTerminated: (r) => metrics.terminatedWatchers.inc({ resource: r }),
    },
    // pods/log|exec|attach|portforward and nodes/proxy go to the kubelet of the object's node.
    streaming: options.streaming ?? new KubeletStreaming({ store, log, ...(security.kubeletClient ? { tls: security.kubeletClient } : {}) }),
    ...(security.reviews ? { security: { reviews: security.reviews, ...(security.tokenRequests ? { tokenRequests: security.tokenRequests } : {}) } } : {}),
  };
}

function kubernetesEndpoints(stores: ResourceStores, storage: Storage, options: ApiserverOptions, advertise: { address: string; port: number }, log: Logger): EndpointReconciler {
  const rlog = log.child({ controller: 'kubernetes-service-endpoints' });
  return new EndpointReconciler({
    endpoints: stores.get('', 'endpoints'),
    slices: stores.get('discovery.k8s.io', 'endpointslices'),
    leases: new MasterLeases(storage, options.etcdPrefix, options.endpointReconciler?.leaseTTLSeconds ?? 15, rlog),
    self: { ip: advertise.address, port: advertise.port },
    log: rlog,
    ...(options.endpointReconciler?.intervalMs ? { intervalMs: options.endpointReconciler.intervalMs } : {}),
  });
}

/** /readyz's checks (k8s names: ping, etcd, etcd-readiness; then the watch caches and post-start hooks). */
async function readyChecks(postStart: PostStartHooks, stores: ResourceStores, etcdHealth: EtcdHealth): Promise<ReadyCheck[]> {
  const etcd = await etcdHealth.check();
  const unsynced = stores.all().filter((s) => !s.cache.isReady).map((s) => s.cache.prefix);
  return [
    { name: 'ping' },
    { name: 'etcd', ...(etcd !== undefined ? { error: etcd } : {}) },
    { name: 'etcd-readiness', ...(etcd !== undefined ? { error: etcd } : {}) },
    { name: 'watch-cache-sync', ...(unsynced.length ? { error: `not synced: ${unsynced.join(', ')}` } : {}) },
    { name: 'poststarthooks', ...(postStart.ready ? {} : { error: 'post-start hooks have not finished' }) },
  ];
}
