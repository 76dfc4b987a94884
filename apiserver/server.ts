// Builds the apiserver: fastify routes for discovery, OpenAPI, health and every resource in
// api/resources.ts, over one Storage and one ResourceStore (with its watch cache) per resource.
import Fastify, { LogController, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { RESOURCES, type ResourceInfo } from '../api/resources.js';
import { errors, StatusError } from '../api/status.js';
import { NamespaceLifecycle } from './admission.js';
import { bootstrap } from './bootstrap.js';
import { Compactor } from './compaction.js';
import {
  aggregatedDiscovery,
  aggregatedDiscoveryContentType,
  apiGroup,
  apiGroupList,
  apiResourceList,
  coreAPIVersions,
  versionInfo,
  wantsAggregatedDiscovery,
} from './discovery.js';
import { handleResource, type HandlerContext } from './handlers.js';
import { ApiserverMetrics, verbOf } from './metrics.js';
import { openapiV2, openapiV3Document, openapiV3Index } from './openapi.js';
import { ResourceStore, type AdmissionPlugin } from './registry.js';
import { parseRequestInfo } from './request-info.js';
import { Storage } from './storage.js';
import { loadEncryptionTransformers } from './encryption/storage-transformers.js';
import { ServiceAllocator, DEFAULT_SERVICE_ALLOCATOR_OPTIONS } from './service-alloc.js';
import { AllocationRepair } from './service-alloc-repair.js';
import { sendRaw } from './responses.js';
import type { StreamingSubresources } from './subresources.js';
import { KubeletStreaming } from './streaming.js';
import { routeUpgrades } from './streaming-upgrade.js';

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
  /** `--encryption-provider-config`: an EncryptionConfiguration file (encryption at rest). */
  encryptionProviderConfig?: string;
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

export async function createApiserver(options: ApiserverOptions): Promise<Apiserver> {
  const log = options.logger;
  const storage = Storage.connect(options.etcdServers, { transformers: loadEncryptionTransformers(options.encryptionProviderConfig, options.etcdPrefix), log });
  const metrics = new ApiserverMetrics(true);
  const stores = new Map<string, ResourceStore>();
  const serviceAllocator = new ServiceAllocator(storage.etcd, options.etcdPrefix, {
    serviceClusterIPRange: options.serviceClusterIPRange ?? DEFAULT_SERVICE_ALLOCATOR_OPTIONS.serviceClusterIPRange,
    serviceNodePortRange: options.serviceNodePortRange ?? DEFAULT_SERVICE_ALLOCATOR_OPTIONS.serviceNodePortRange,
  }, log.child({ admission: 'ServiceAllocator' }));
  const admission: AdmissionPlugin[] = [new NamespaceLifecycle(() => stores.get('/namespaces')!), serviceAllocator, ...(options.admission ?? [])];
  for (const info of RESOURCES) {
    stores.set(`${info.group}/${info.resource}`, new ResourceStore(info, storage, options.etcdPrefix, admission, log.child({ resource: info.resource }), options.watchCacheSize));
  }
  const store = (group: string, resource: string): ResourceStore => {
    const s = stores.get(`${group}/${resource}`);
    if (!s) throw errors.notFound({ group, resource }, resource);
    return s;
  };
  const ctx: HandlerContext & { streaming?: StreamingSubresources } = {
    store,
    watch: {
      bookmarkIntervalSeconds: options.bookmarkIntervalSeconds,
      maxBufferedBytes: 16 * 1024 * 1024,
      minRequestTimeoutSeconds: options.minRequestTimeoutSeconds,
      onOpen: (r) => metrics.watchers.inc({ resource: r }),
      onClose: (r) => metrics.watchers.dec({ resource: r }),
    },
    // pods/log|exec|attach|portforward and nodes/proxy go to the kubelet of the object's node.
    streaming: options.streaming ?? new KubeletStreaming({ store, log }),
  };

  const app = Fastify({
    loggerInstance: log,
    // Request lines are logged by our own onResponse hook, with the k8s verb and resource.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: BODY_LIMIT,
    return503OnClosing: false,
    forceCloseConnections: true,
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 4096 },
    // Errors fastify raises before routing (bad URL encoding, bad headers) are Statuses too.
    frameworkErrors: (err, req, reply) => {
      void sendStatus(reply as unknown as FastifyReply, toStatusError(err, req as unknown as FastifyRequest));
    },
  });
  // WebSocket/SPDY upgrades (exec, attach, portforward) go through the same routes.
  routeUpgrades(app as unknown as FastifyInstance);
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: BODY_LIMIT }, (_req, body, done) => done(null, body));

  // Parsed once per request: the metrics hook and the handler both need it.
  const parsed = new WeakMap<FastifyRequest, ReturnType<typeof parseRequestInfo>>();
  const requestInfo = (req: FastifyRequest): ReturnType<typeof parseRequestInfo> => {
    if (!parsed.has(req)) parsed.set(req, parseRequestInfo(req.url));
    return parsed.get(req);
  };
  let inflight = 0;
  app.addHook('onRequest', async (req) => {
    const started = process.hrtime.bigint();
    const url = req.url;
    const long = /[?&]watch=(true|1)(&|$)/.test(url) || /\/watch\//.test(url) || /\/(log|exec|attach|portforward|proxy)(\/|\?|$)/.test(url);
    const ri = requestInfo(req);
    const verb = verbOf(req.method, ri?.name !== undefined, long && !!ri);
    const resource = ri ? (ri.subresource ? `${ri.info.resource}/${ri.subresource}` : ri.info.resource) : 'other';
    if (!long) {
      if (inflight >= options.maxRequestsInflight) throw errors.tooManyRequests();
      inflight++;
      metrics.inflight.set(inflight);
    }
    reqMeta.set(req, { started, verb, resource, long });
  });
  const reqMeta = new WeakMap<FastifyRequest, { started: bigint; verb: string; resource: string; long: boolean }>();
  const done = (req: FastifyRequest, code: number) => {
    const m = reqMeta.get(req);
    if (!m) return;
    reqMeta.delete(req);
    if (!m.long) {
      inflight--;
      metrics.inflight.set(inflight);
      metrics.latency.observe({ verb: m.verb, resource: m.resource }, Number(process.hrtime.bigint() - m.started) / 1e9);
    }
    metrics.requests.inc({ verb: m.verb, resource: m.resource, code: String(code) });
    req.log.debug({ verb: m.verb, resource: m.resource, url: req.url, code, ms: Number(process.hrtime.bigint() - m.started) / 1e6 }, 'request');
  };
  app.addHook('onResponse', async (req, reply) => done(req, reply.statusCode));
  app.addHook('onRequestAbort', async (req) => done(req, 499));

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

  // ---- health, version, metrics --------------------------------------------------------
  let cachesReady = false;
  const health = async (_req: FastifyRequest, reply: FastifyReply) => reply.type('text/plain').send('ok');
  app.get('/healthz', health);
  app.get('/livez', health);
  app.get('/readyz', async (_req, reply) => {
    if (!cachesReady) return reply.code(503).type('text/plain').send('[-]watch caches not ready\nreadyz check failed');
    try {
      await storage.currentRevision();
    } catch {
      return reply.code(503).type('text/plain').send('[-]etcd failed\nreadyz check failed');
    }
    return reply.type('text/plain').send('ok');
  });
  app.get('/version', async () => versionInfo());
  app.get('/metrics', async (_req, reply) => reply.type(metrics.registry.contentType).send(await metrics.registry.metrics()));

  // ---- OpenAPI ---------------------------------------------------------------------------
  app.get('/openapi/v2', async () => openapiV2());
  app.get('/openapi/v3', async () => openapiV3Index());
  app.get('/openapi/v3/*', async (req) => {
    const gv = (req.params as { '*': string })['*'];
    const doc = openapiV3Document(gv);
    if (!doc) throw new StatusError(404, 'NotFound', `the server could not find the requested resource (get ${gv})`);
    return doc;
  });

  // ---- discovery and resources ----------------------------------------------------------
  const discovery = (req: FastifyRequest, reply: FastifyReply): FastifyReply | undefined => {
    if (req.method !== 'GET') return undefined;
    const path = req.url.split('?')[0]!.replace(/\/+$/, '');
    const parts = path.split('/').filter(Boolean);
    const aggregated = wantsAggregatedDiscovery(req.headers.accept);
    if (parts.length === 1 && aggregated) {
      return sendRaw(reply, 200, aggregatedDiscoveryContentType(aggregated), JSON.stringify(aggregatedDiscovery(parts[0] as 'api' | 'apis', aggregated)));
    }
    let body: object | undefined;
    if (path === '/api') body = coreAPIVersions(`${req.hostname}`);
    else if (path === '/apis') body = apiGroupList();
    else if (parts[0] === 'api' && parts.length === 2) body = apiResourceList('', parts[1]!);
    else if (parts[0] === 'apis' && parts.length === 2) body = apiGroup(parts[1]!);
    else if (parts[0] === 'apis' && parts.length === 3) body = apiResourceList(parts[1]!, parts[2]!);
    if (!body) return undefined;
    return sendRaw(reply, 200, 'application/json', JSON.stringify(body));
  };
  const api = async (req: FastifyRequest, reply: FastifyReply) => {
    const handled = discovery(req, reply);
    if (handled) return handled;
    const ri = requestInfo(req);
    if (!ri) throw new StatusError(404, 'NotFound', `the server could not find the requested resource`);
    return handleResource(ctx, req, reply, ri);
  };
  for (const prefix of ['/api', '/apis']) {
    app.all(prefix, api);
    app.all(`${prefix}/*`, api);
  }

  // Caches fill in the background; /readyz says when they have.
  const repair = new AllocationRepair({
    ips: serviceAllocator.ips,
    ports: serviceAllocator.ports,
    listServices: async () => (await storage.range(stores.get('/services')!.prefix)).items.map((i) => i.obj),
    log: log.child({ controller: 'service-allocation-repair' }),
    intervalMs: options.serviceAllocationRepairIntervalMs ?? 180_000,
  });
  let closing = false;
  const allReady = Promise.all([...stores.values()].map((s) => s.cache.ready)).then(async () => {
    await bootstrap(store, log, { kubernetesServiceIP: serviceAllocator.ipRange.kubernetesServiceIP });
    if (!closing) repair.start();
    cachesReady = true;
  });
  allReady.catch((e: unknown) => log.error({ err: String(e) }, 'apiserver start-up failed'));
  const compactor = new Compactor(storage, options.compactionIntervalSeconds, log);

  return {
    app: app as unknown as FastifyInstance,
    storage,
    metrics,
    store,
    ready: () => allReady,
    async close() {
      closing = true;
      compactor.stop();
      await repair.stop();
      await app.close();
      await Promise.all([...stores.values()].map((s) => s.cache.stop()));
      await storage.close();
    },
  };
}

export type { ResourceInfo };
