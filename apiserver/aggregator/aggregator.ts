// The aggregation layer (Kubernetes' kube-aggregator, which kube-apiserver puts in front of
// itself): APIServices from the apiserver's own store; the autoregister step; the proxy for
// Service-backed group-versions; the availability controller; the discovery of aggregated
// groups. The routes ask `handle` first for every /apis path, and the discovery documents
// pass through `discovery`.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import type { Endpoints, Service } from 'kubernetes-types/core/v1';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1';
import type { APIService } from '../../api/apiregistration.js';
import { groupVersions } from '../../api/resources.js';
import type { ResourceStore } from '../registry/store.js';
import type { WatchCache } from '../storage/watch-cache.js';
import { autoregister } from './autoregister.js';
import { AvailabilityController } from './availability.js';
import { DiscoveryCache, mergeAggregated, mergeGroupList, remoteGroup } from './discovery.js';
import { OpenAPIV3Aggregation } from './openapi.js';
import { probe } from './probe.js';
import { proxyRequest } from './proxy.js';
import { resolveService, type ResolveFailure, type Target } from './resolver.js';
import { ProxyTransport, type ProxyClientCert } from './transport.js';

export interface AggregatorOptions {
  store(group: string, resource: string): ResourceStore;
  /** The group-versions this apiserver serves itself (built-ins and CRDs'); default: the built-ins. */
  served?(): { group: string; version: string }[];
  /** --proxy-client-cert-file / --proxy-client-key-file: what the apiserver presents to backends. */
  proxyClient?: ProxyClientCert;
  /** --enable-aggregator-routing: dial endpoint addresses instead of the Service's ClusterIP. */
  enableAggregatorRouting: boolean;
  log: Logger;
  /** Between availability re-checks (default 10 s). */
  availabilityIntervalMs?: number;
}

export class Aggregator {
  readonly discoveryCache = new DiscoveryCache();
  private readonly transport: ProxyTransport;
  private readonly openapiV3: OpenAPIV3Aggregation;
  private readonly availability: AvailabilityController;
  private readonly unsubscribes: (() => void)[] = [];

  constructor(private readonly o: AggregatorOptions) {
    this.transport = new ProxyTransport(o.proxyClient);
    this.openapiV3 = new OpenAPIV3Aggregation(this.transport);
    this.availability = new AvailabilityController({
      onPassed: (svc, target) => this.openapiV3.refresh(svc, target),
      onRemoved: (name) => this.openapiV3.remove(name),
      apiServices: this.apiServiceStore,
      resolve: (s) => this.resolve(s),
      transport: this.transport,
      discovery: this.discoveryCache,
      log: o.log.child({ controller: 'apiservice-availability' }),
      ...(o.availabilityIntervalMs ? { intervalMs: o.availabilityIntervalMs } : {}),
    });
  }

  /**
   * Local APIServices for what is served now: at start, and whenever CRDs change what is served
   * (kube-apiserver's crdregistration controller feeding autoregister).
   */
  async registerServed(): Promise<void> {
    await autoregister(this.apiServiceStore, this.o.served?.() ?? groupVersions(), this.o.log.child({ controller: 'autoregister' }));
  }

  private get apiServiceStore(): ResourceStore {
    return this.o.store('apiregistration.k8s.io', 'apiservices');
  }

  /** Once the watch caches are ready: register the Local APIServices, start the controllers. */
  async start(): Promise<void> {
    await this.registerServed();
    this.follow(this.apiServiceStore.cache, (obj) => this.availability.enqueue(obj.metadata?.name ?? ''));
    const byService = (obj: { metadata?: { namespace?: string; name?: string } }) => {
      for (const s of this.apiServices()) {
        const ref = s.spec.service;
        if (ref && ref.namespace === obj.metadata?.namespace && ref.name === obj.metadata?.name) this.availability.enqueue(s.metadata?.name ?? '');
      }
    };
    this.follow(this.o.store('', 'services').cache, byService);
    this.follow(this.o.store('', 'endpoints').cache, byService);
    this.follow(this.o.store('discovery.k8s.io', 'endpointslices').cache, (obj) => {
      const svc = obj.metadata?.labels?.['kubernetes.io/service-name'];
      if (svc) byService({ metadata: { namespace: obj.metadata?.namespace ?? '', name: svc } });
    });
    this.availability.start();
  }

  stop(): void {
    this.availability.stop();
    for (const u of this.unsubscribes.splice(0)) u();
    this.transport.close();
  }

  /** Calls `fn` with every changed object; a reset cache (etcd history lost) is followed again. */
  private follow(cache: WatchCache, fn: (obj: { metadata?: { namespace?: string; name?: string; labels?: Record<string, string> } }) => void): void {
    const subscribe = () => {
      const unsubscribe = cache.watch(cache.rv, {
        onEvent: (ev) => fn(ev.entry.obj),
        onReset: () => {
          unsubscribe();
          void cache.ready.then(subscribe, () => undefined);
        },
      });
      this.unsubscribes.push(unsubscribe);
    };
    subscribe();
  }

  apiServices(): APIService[] {
    return this.apiServiceStore.cache.list().map((e) => e.obj as unknown as APIService);
  }

  /** The Service-backed APIService serving `group/version`, if any. */
  remoteFor(group: string, version: string): APIService | undefined {
    const s = this.apiServiceStore.cache.get(`${version}.${group}`)?.obj as unknown as APIService | undefined;
    return s?.spec.service ? s : undefined;
  }

  resolve(svc: APIService): Target | ResolveFailure {
    const ref = svc.spec.service!;
    const ns = ref.namespace ?? '';
    const name = ref.name ?? '';
    const slices = this.o.store('discovery.k8s.io', 'endpointslices').cache.list(`${ns}/`).map((e) => e.obj as unknown as EndpointSlice).filter((s) => s.metadata?.labels?.['kubernetes.io/service-name'] === name);
    return resolveService({
      ref: { namespace: ns, name, port: ref.port ?? 443 },
      service: this.o.store('', 'services').cache.get(`${ns}/${name}`)?.obj as unknown as Service | undefined,
      endpoints: this.o.store('', 'endpoints').cache.get(`${ns}/${name}`)?.obj as unknown as Endpoints | undefined,
      slices,
      routing: this.o.enableAggregatorRouting,
    });
  }

  /**
   * Serves a request that belongs to an aggregated API server: the proxy for
   * /apis/<group>/<version>[/…], the APIGroup for /apis/<group> of a group only they serve.
   * Undefined for everything else (the apiserver's own routes).
   */
  handle(req: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> | object | undefined {
    const path = req.url.split('?')[0]!;
    const parts = path.split('/').filter(Boolean);
    if (parts[0] !== 'apis' || parts.length < 2) return undefined;
    if (parts.length === 2) return req.method === 'GET' ? remoteGroup(parts[1]!, this.apiServices()) : undefined;
    const svc = this.remoteFor(parts[1]!, parts[2]!);
    if (!svc) return undefined;
    return proxyRequest({ transport: this.transport, resolve: (s) => this.resolve(s), onBackendError: (s) => this.availability.enqueue(s.metadata?.name ?? '') }, svc, req, reply);
  }

  /** OpenAPI v3: the index with aggregated group-versions, and their documents from the backends. */
  readonly openapi = {
    v3Index: (base: object): object => this.openapiV3.index(base as { paths: Record<string, unknown> }),
    v3Document: async (path: string): Promise<Buffer | undefined> => {
      const found = this.openapiV3.find(path.replace(/^\/+|\/+$/g, ''), (name) => this.apiServiceStore.cache.get(name)?.obj as unknown as APIService | undefined);
      if (!found) return undefined;
      const target = this.resolve(found.svc);
      if ('reason' in target) return undefined;
      const r = await probe(this.transport, found.svc, target, found.url).catch(() => undefined);
      return r && r.status === 200 ? r.body : undefined;
    },
  };

  /** The built-in discovery documents with the aggregated groups merged in. */
  readonly discovery = {
    groupList: (base: object): object => mergeGroupList(base as { groups: [] }, this.apiServices()),
    aggregated: (base: object): object => mergeAggregated(base as { items: [] }, this.apiServices(), this.discoveryCache),
  };
}
