// The cluster DNS daemon: informers on Services, EndpointSlices and Namespaces (and Pods in
// `verified` mode) feed the pure resolver; UDP and TCP listeners carry the bytes; names
// outside the zone go to an optional upstream. `ClusterDns` holds that state as fields — the
// informers, the servers, the metrics — and its steps are methods: build, serve, sync (then
// register the kube-dns endpoint), stop. One query's path is handler.ts; how pods reach the
// server is bootstrap.ts.
import { componentRestConfig, type ClientConnection } from '../client/component-base/rest-config.js';
import { DelegatingAuth } from '../client/component-base/delegating-auth.js';
import type { ServingTLS } from '../client/component-base/secure-serving.js';
import { networkInterfaces } from 'node:os';
import type { Namespace, Pod, Service } from 'kubernetes-types/core/v1';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { RestClient, SharedInformerFactory, isTombstone, sleep, type RestConfig, type SharedInformer } from '../client/index.js';
import { newLogger, newRegistry, startHealthServer } from '../client/component-base/daemon.js';
import { EventRecorder } from '../client/events.js';
import { DNS_RECORDS_SERVED, RecordsServedTracker } from './milestones.js';
import { DEFAULT_DNS_SERVICE_IP, registerKubeDns, setKubeDnsEndpoint, type KubeDnsRegistration } from './bootstrap.js';
import { ListerClusterState, endpointSliceIndexers, podIndexers, serviceIndexers } from './cluster-state.js';
import { parseUpstream } from './forward.js';
import { QueryHandler } from './handler.js';
import { newDnsMetrics } from './metrics.js';
import type { PodMode, ZoneConfig } from './records.js';
import { startTransports, type Transports } from './server.js';

export interface DnsOptions extends ClientConnection {
  /** HTTPS for the health/metrics server, with authentication and authorization delegated to the apiserver; plain HTTP when unset. */
  servingTLS?: ServingTLS;
  /** A ready client; otherwise one is built from `master`/`kubeconfig`. */
  client?: RestClient;
  kubeconfig?: string;
  /** A plain apiserver URL, as `--master`. */
  master?: string;
  /** `--cluster-domain` (default cluster.local). */
  clusterDomain?: string;
  /** Where DNS listens, UDP and TCP (default 0.0.0.0 / 53; port 0 = random). */
  bindAddress?: string;
  port?: number;
  /** `--ttl` of answers and of negative answers, seconds (default 5). */
  ttl?: number;
  /** `--pods` (default insecure, as kubeadm's Corefile). */
  podMode?: PodMode;
  /** `--upstream host:port` resolvers for names outside the zone, tried in order. */
  upstreams?: string[];
  upstreamTimeoutMs?: number;
  /** /healthz and /metrics (default 127.0.0.1:9153; port 0 = random, -1 = off). */
  metricsBindAddress?: string;
  metricsPort?: number;
  /** `--register-service`: ensure the kube-dns Service and publish our endpoint (bootstrap.ts). */
  registerService?: boolean;
  /** The ClusterIP requested for kube-dns (default 10.96.0.10). */
  dnsServiceIP?: string;
  /** The address published as our endpoint; default the bind address, or this host's first non-loopback IPv4. */
  advertiseAddress?: string;
  nodeName?: string;
  /** How long start waits for the informers before serving anyway (zone names get SERVFAIL until synced). */
  syncTimeoutMs?: number;
  logger?: Logger;
  registry?: Registry;
}

export interface DnsHandle {
  /** The UDP and TCP port DNS listens on. */
  port: number;
  /** The /healthz + /metrics port (undefined when off). */
  metricsPort?: number;
  synced(): boolean;
  stop(): Promise<void>;
}

/** Builds the informers and the handler, then serves; resolves once the caches synced or `syncTimeoutMs` passed. */
export async function startDns(opts: DnsOptions = {}): Promise<DnsHandle> {
  const dns = new ClusterDns(opts);
  await dns.start();
  return dns;
}

export class ClusterDns implements DnsHandle {
  private readonly opts: DnsOptions;
  private readonly log: Logger;
  private readonly registry: Registry;
  private readonly client: RestClient;
  private readonly cfg: ZoneConfig;
  private readonly bindAddress: string;
  private readonly informerFactory: SharedInformerFactory;
  private readonly services: SharedInformer<Service>;
  private readonly slices: SharedInformer<EndpointSlice>;
  private readonly namespaces: SharedInformer<Namespace>;
  /** Only in `verified` pod mode. */
  private readonly pods: SharedInformer<Pod> | undefined;
  private readonly handler: QueryHandler;
  private readonly recorder: EventRecorder;
  private readonly served: RecordsServedTracker;
  private readonly abort = new AbortController();
  // The SOA serial follows changes (CoreDNS uses the time of the last one), so secondaries and
  // caches can tell the zone moved.
  private serial = Math.floor(Date.now() / 1000);
  private isSynced = false;
  private transports: Transports | undefined;
  private health: Awaited<ReturnType<typeof startHealthServer>> | undefined;
  private registration: KubeDnsRegistration | undefined;

  constructor(opts: DnsOptions = {}) {
    this.opts = opts;
    this.log = opts.logger ?? newLogger('dns');
    this.registry = opts.registry ?? newRegistry();
    this.client = opts.client ?? new RestClient(clientConfig(opts));
    this.cfg = { zone: opts.clusterDomain ?? 'cluster.local', ttl: opts.ttl ?? 5, podMode: opts.podMode ?? 'insecure' };
    this.bindAddress = opts.bindAddress ?? '0.0.0.0';
    this.informerFactory = new SharedInformerFactory(this.client, { logger: this.log });
    this.services = this.informerFactory.informerFor('services', { indexers: serviceIndexers });
    this.slices = this.informerFactory.informerFor('endpointslices.discovery.k8s.io', { indexers: endpointSliceIndexers });
    this.namespaces = this.informerFactory.informerFor('namespaces');
    this.pods = this.cfg.podMode === 'verified' ? this.informerFactory.informerFor('pods', { indexers: podIndexers }) : undefined;
    const bump = () => {
      this.serial = Math.max(this.serial + 1, Math.floor(Date.now() / 1000));
    };
    const onChange = { onAdd: bump, onUpdate: bump, onDelete: bump };
    for (const inf of [this.services, this.slices, this.namespaces, this.pods]) inf?.addEventHandler(onChange);
    this.recorder = new EventRecorder(this.client, { component: 'dns', ...(opts.nodeName ? { host: opts.nodeName } : {}), logger: this.log });
    this.served = new RecordsServedTracker(this.cfg.zone);
    this.services.addEventHandler({
      onAdd: (svc, initial) => this.recordServed(svc, initial),
      onUpdate: (_old, svc) => this.recordServed(svc, false),
      onDelete: (svc) => this.served.forget((isTombstone(svc) ? svc.obj : svc).metadata?.uid),
    });
    const state = new ListerClusterState({
      services: this.services.lister,
      endpointSlices: this.slices.lister,
      namespaces: this.namespaces.lister,
      ...(this.pods ? { pods: this.pods.lister } : {}),
      serial: () => this.serial,
    });
    this.handler = new QueryHandler({
      state,
      cfg: this.cfg,
      upstreams: (opts.upstreams ?? []).map(parseUpstream),
      upstreamTimeoutMs: opts.upstreamTimeoutMs ?? 2000,
      metrics: newDnsMetrics(this.registry),
      log: this.log,
      synced: () => this.isSynced,
    });
  }

  async start(): Promise<void> {
    await this.serve();
    await this.waitForSync();
    this.log.info(
      { bindAddress: this.bindAddress, port: this.port, zone: this.cfg.zone, upstreams: this.opts.upstreams ?? [], metricsPort: this.health?.port },
      'dns serving',
    );
  }

  /** The DNS listeners and the /healthz + /metrics server. */
  private async serve(): Promise<void> {
    const opts = this.opts;
    this.transports = await startTransports({ bindAddress: this.bindAddress, port: opts.port ?? 53, handle: (buf, t) => this.handler.handle(buf, t), log: this.log });
    if (opts.metricsPort !== -1) {
      this.health = await startHealthServer({
        bindAddress: opts.metricsBindAddress ?? '127.0.0.1',
        port: opts.metricsPort ?? 9153,
        registry: this.registry,
        check: () => (this.isSynced ? undefined : 'informer caches not synced'),
        ...(opts.servingTLS ? { secure: { tls: opts.servingTLS, auth: new DelegatingAuth({ client: this.client }) } } : {}),
      });
    }
    if (opts.registerService) {
      this.registration = {
        clusterIP: opts.dnsServiceIP ?? DEFAULT_DNS_SERVICE_IP,
        address: opts.advertiseAddress ?? advertiseDefault(this.bindAddress),
        port: this.transports.port,
        ...(opts.nodeName ? { nodeName: opts.nodeName } : {}),
      };
    }
  }

  /** Starts the informers; once synced, publishes our endpoint. Waits at most `syncTimeoutMs`, then serves anyway. */
  private async waitForSync(): Promise<void> {
    const signal = this.abort.signal;
    this.informerFactory.start();
    const syncing = this.informerFactory.waitForCacheSync(signal).then(async () => {
      this.isSynced = true;
      this.log.info({ zone: this.cfg.zone, services: this.services.lister.size(), endpointSlices: this.slices.lister.size() }, 'caches synced');
      if (this.registration) await registerWithRetry(this.client, this.registration, this.log, signal);
    });
    syncing.catch((err: unknown) => {
      if (!signal.aborted) this.log.error({ err }, 'start failed');
    });
    const syncTimeout = this.opts.syncTimeoutMs ?? 5000;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([syncing.catch(() => undefined), new Promise<void>((r) => (timer = setTimeout(r, syncTimeout)))]);
    clearTimeout(timer);
    if (!this.isSynced) this.log.warn({ afterMs: syncTimeout }, 'serving before the caches synced: zone names get SERVFAIL until they do');
  }

  /** The Service is in the resolver's cache from now on: its first answer with this ClusterIP is a milestone. */
  private recordServed(svc: Service, initial: boolean): void {
    const m = this.served.observe(svc, initial);
    if (m) this.recorder.event(m.service, 'Normal', DNS_RECORDS_SERVED, m.message);
  }

  get port(): number {
    return this.transports?.port ?? 0;
  }

  get metricsPort(): number | undefined {
    return this.health?.port;
  }

  synced(): boolean {
    return this.isSynced;
  }

  async stop(): Promise<void> {
    this.abort.abort();
    // Drop out of kube-proxy's rotation first, so pods stop being sent here.
    if (this.registration && this.isSynced) {
      await setKubeDnsEndpoint(this.client, { ...this.registration }, false).catch((err: unknown) => this.log.warn({ err }, 'could not mark the kube-dns endpoint not ready'));
    }
    await this.transports?.close();
    await this.health?.close();
    await this.informerFactory.shutdown();
  }
}

async function registerWithRetry(client: RestClient, reg: KubeDnsRegistration, log: Logger, signal: AbortSignal): Promise<void> {
  for (let delay = 500; !signal.aborted; delay = Math.min(delay * 2, 30_000)) {
    try {
      await registerKubeDns(client, reg, log);
      return;
    } catch (err) {
      log.warn({ err, retryInMs: delay }, 'registering kube-dns failed');
      await sleep(delay, signal).catch(() => undefined);
    }
  }
}

/** The address pods can reach us at: the bind address if it is a specific one, else this host's first non-loopback IPv4. */
export function advertiseDefault(bindAddress: string): string {
  if (bindAddress !== '0.0.0.0' && bindAddress !== '::') return bindAddress;
  for (const addrs of Object.values(networkInterfaces())) {
    for (const a of addrs ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  }
  return '127.0.0.1';
}

function clientConfig(opts: DnsOptions): RestConfig {
  return componentRestConfig(opts, 'tskube-dns/v0.1.0');
}
