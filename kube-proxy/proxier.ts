// kube-proxy (cmd/kube-proxy's ProxyServer + a Proxier): informers on Services and
// EndpointSlices feed one desired state; a bounded frequency runner turns it into the mode's
// rules (iptables chains, or userspace listeners plus REDIRECT portals) and applies them. The
// service-range guard goes up before any rule. The `Proxier` holds that state as fields; each
// mode's pure rules and applier live in its own folder (iptables/, userspace/).
import { componentRestConfig, type ClientConnection } from '../client/component-base/rest-config.js';
import { DelegatingAuth } from '../client/component-base/delegating-auth.js';
import type { ServingTLS } from '../client/component-base/secure-serving.js';
import { hostname } from 'node:os';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { Service } from 'kubernetes-types/core/v1';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1';
import { RestClient, SharedInformerFactory, type RestConfig, type SharedInformer } from '../client/index.js';
import { EventRecorder } from '../client/events.js';
import { newLogger, newRegistry, startHealthServer } from '../client/component-base/daemon.js';
import { runCommand, type CommandRunner } from './exec.js';
import { ensureGuard } from './guard.js';
import { ensureHairpin, enableRouteLocalnet, hostAddresses, iptablesUsable, podBridge } from './host.js';
import { IptablesApplier } from './iptables/applier.js';
import { IptablesRuleBuilder, countRules, type RuleSet } from './iptables/rules.js';
import { ProxyMetrics } from './metrics.js';
import { ENDPOINTS_PROGRAMMED, EndpointsProgrammedTracker, programmedMessage } from './milestones.js';
import { buildServicePorts, type NodeInfo, type ServicePort } from './service-ports.js';
import { SyncRunner } from './sync-runner.js';
import { USERSPACE_JUMPS, portalRules, userspaceListeners } from './userspace/rules.js';
import { UserspaceProxier } from './userspace/proxy.js';

export type ProxyMode = 'iptables' | 'userspace';

export interface KubeProxyOptions extends ClientConnection {
  /** HTTPS for the health/metrics server, with authentication and authorization delegated to the apiserver; plain HTTP when unset. */
  servingTLS?: ServingTLS;
  /** A ready client; otherwise one is built from `master`/`kubeconfig`. */
  client?: RestClient;
  kubeconfig?: string;
  /** A plain apiserver URL, as `--master`. */
  master?: string;
  /** `--proxy-mode`; empty = iptables when usable here, else userspace. */
  proxyMode?: ProxyMode | '';
  /** `--hostname-override`: this node's name (for externalTrafficPolicy: Local). */
  nodeName?: string;
  /** `--cluster-cidr`: the pod network. */
  clusterCIDR?: string;
  /** `--service-cluster-ip-range`: the range the guard protects. */
  serviceClusterIPRange?: string;
  /** The host's addresses for load-balancer ports; default: detected. */
  nodeIPs?: string[];
  /** `--nodeport-addresses` (userspace listeners); default all addresses. */
  nodePortAddresses?: string[];
  /** `--min-sync-period` in ms (default 1000). */
  minSyncPeriodMs?: number;
  /** `--sync-period` in ms (default 30000). */
  syncPeriodMs?: number;
  /** `--healthz-bind-address` as `ip:port` (port 0 = random); omitted = no server. */
  healthzBindAddress?: string;
  logger?: Logger;
  registry?: Registry;
  run?: CommandRunner;
}

export interface KubeProxyHandle {
  mode: ProxyMode;
  /** Port of /healthz + /metrics, when serving. */
  healthPort?: number;
  /** Syncs now (after any pending sync) and resolves when done. */
  syncNow(full?: boolean): Promise<void>;
  /** iptables rules last applied (the portals in userspace mode), for tests and debugging. */
  lastRules(): RuleSet | undefined;
  /** The service ports (with endpoints) the last sync served. */
  servicePorts(): readonly ServicePort[];
  stop(): Promise<void>;
}

export const DEFAULT_CLUSTER_CIDR = '10.244.0.0/16';
export const DEFAULT_SERVICE_CIDR = '10.96.0.0/12';

function clientConfig(opts: KubeProxyOptions): RestConfig {
  return componentRestConfig(opts, 'kube-proxy/v0.1.0');
}

/** Picks the mode (iptables when usable here), then builds and starts a Proxier. */
export async function startKubeProxy(opts: KubeProxyOptions = {}): Promise<KubeProxyHandle> {
  const proxier = new Proxier(opts, await iptablesUsable(opts.run ?? runCommand));
  await proxier.start();
  return proxier;
}

export class Proxier implements KubeProxyHandle {
  readonly mode: ProxyMode;
  private readonly opts: KubeProxyOptions;
  private readonly log: Logger;
  private readonly run: CommandRunner;
  private readonly registry: Registry;
  private readonly metrics: ProxyMetrics;
  private readonly client: RestClient;
  private readonly nodeName: string;
  private readonly clusterCIDR: string;
  private readonly serviceCIDR: string;
  private readonly syncPeriodMs: number;
  /** iptables works here (root/NET_ADMIN): the guard goes up in either mode. */
  private readonly canIptables: boolean;
  /** The iptables mode's chains, or the userspace portals when iptables works. */
  private readonly applier: IptablesApplier | undefined;
  private readonly userspace: UserspaceProxier | undefined;
  private readonly builder = new IptablesRuleBuilder();
  private readonly informerFactory: SharedInformerFactory;
  private readonly services: SharedInformer<Service>;
  private readonly slices: SharedInformer<EndpointSlice>;
  private readonly runner: SyncRunner;
  private readonly recorder: EventRecorder;
  private readonly programmed = new EndpointsProgrammedTracker();
  private applied: RuleSet | undefined;
  private served: readonly ServicePort[] = [];
  private lastError: string | undefined;
  private lastSuccess = 0;
  private health: Awaited<ReturnType<typeof startHealthServer>> | undefined;

  constructor(opts: KubeProxyOptions, canIptables: boolean) {
    this.opts = opts;
    this.log = opts.logger ?? newLogger('kube-proxy');
    this.run = opts.run ?? runCommand;
    this.registry = opts.registry ?? newRegistry();
    this.metrics = new ProxyMetrics(this.registry);
    this.client = opts.client ?? new RestClient(clientConfig(opts));
    this.clusterCIDR = opts.clusterCIDR ?? DEFAULT_CLUSTER_CIDR;
    this.serviceCIDR = opts.serviceClusterIPRange ?? DEFAULT_SERVICE_CIDR;
    this.syncPeriodMs = opts.syncPeriodMs ?? 30_000;
    this.canIptables = canIptables;
    this.mode = opts.proxyMode || (canIptables ? 'iptables' : 'userspace');
    if (this.mode === 'iptables' && !canIptables) throw new Error('proxy mode iptables needs iptables and root (NET_ADMIN); use --proxy-mode userspace');
    this.nodeName = opts.nodeName ?? hostname();
    this.applier = canIptables ? new IptablesApplier(this.run, this.mode === 'iptables' ? undefined : USERSPACE_JUMPS) : undefined;
    this.userspace = this.mode === 'userspace' ? new UserspaceProxier(this.log) : undefined;
    this.informerFactory = new SharedInformerFactory(this.client, { logger: this.log });
    this.services = this.informerFactory.informerFor('services');
    this.slices = this.informerFactory.informerFor('endpointslices.discovery.k8s.io');
    this.recorder = new EventRecorder(this.client, { component: 'kube-proxy', host: this.nodeName, logger: this.log });
    this.runner = new SyncRunner({
      minIntervalMs: opts.minSyncPeriodMs ?? 1000,
      maxIntervalMs: this.syncPeriodMs,
      sync: (full) => this.sync(full),
      onError: (e) => {
        this.lastError = String(e);
        this.metrics.syncErrors.inc();
        this.log.error({ err: e }, 'sync failed');
      },
    });
  }

  /** Guard and host settings first, then informers, a first full sync, the runner, the health server. */
  async start(): Promise<void> {
    this.log.info({ mode: this.mode, nodeName: this.nodeName, clusterCIDR: this.clusterCIDR, serviceCIDR: this.serviceCIDR }, 'starting kube-proxy');
    // Safety first: nothing for the service range leaves the host, even before any rule exists.
    if (this.canIptables) await ensureGuard(this.run, this.serviceCIDR);
    if (this.mode === 'iptables') await enableRouteLocalnet();
    const onChange = { onAdd: () => this.runner.request(), onUpdate: () => this.runner.request(), onDelete: () => this.runner.request() };
    this.services.addEventHandler(onChange);
    this.slices.addEventHandler(onChange);
    this.informerFactory.start();
    await this.informerFactory.waitForCacheSync();
    await this.runner.syncNow(true);
    this.runner.start();
    this.health = await this.startHealth();
  }

  private nodeInfo(): NodeInfo {
    return { nodeName: this.nodeName, nodeIPs: this.opts.nodeIPs ?? hostAddresses(this.clusterCIDR), clusterCIDR: this.clusterCIDR };
  }

  /** One sync (syncProxyRules): the desired state from the caches, through the mode, onto the host. */
  private async sync(full: boolean): Promise<void> {
    const started = process.hrtime.bigint();
    const services = this.services.lister.list();
    const ports = buildServicePorts(services, this.slices.lister.list());
    const node = this.nodeInfo();
    const rules = this.mode === 'iptables' ? await this.syncIptables(ports, node, full) : await this.syncUserspace(ports, node, full);
    this.applied = rules;
    this.served = ports;
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const firstSync = this.lastSuccess === 0;
    this.recordSync(rules, full, seconds);
    for (const p of this.programmed.synced(ports, services, firstSync)) {
      this.recorder.event(p.service, 'Normal', ENDPOINTS_PROGRAMMED, programmedMessage(this.mode, p.endpoints, this.nodeName));
    }
    this.log.debug({ full, servicePorts: ports.length, ms: seconds * 1000 }, 'synced proxy rules');
  }

  private async syncIptables(ports: readonly ServicePort[], node: NodeInfo, full: boolean): Promise<RuleSet> {
    const rules = this.builder.build(ports, node);
    await this.applier!.sync(rules, full);
    const bridge = podBridge(this.clusterCIDR);
    if (bridge) await ensureHairpin(bridge);
    return rules;
  }

  /** Listeners always; the REDIRECT portals only where iptables works. */
  private async syncUserspace(ports: readonly ServicePort[], node: NodeInfo, full: boolean): Promise<RuleSet | undefined> {
    const listeners = userspaceListeners(ports, node, { nodePortAddresses: this.opts.nodePortAddresses ?? ['0.0.0.0'] });
    const bound = await this.userspace!.sync(listeners);
    this.metrics.listeners.set(this.userspace!.listenerCount);
    if (!this.applier) return undefined;
    const rules = portalRules(listeners, bound);
    await this.applier.sync(rules, full);
    return rules;
  }

  private recordSync(rules: RuleSet | undefined, full: boolean, seconds: number): void {
    if (rules) {
      this.metrics.rules.set({ table: 'nat' }, countRules({ nat: rules.nat, filter: new Map() }));
      this.metrics.rules.set({ table: 'filter' }, countRules({ nat: new Map(), filter: rules.filter }));
    }
    this.metrics.syncDuration.observe({ full: String(full) }, seconds);
    this.metrics.lastSync.setToCurrentTime();
    this.lastSuccess = Date.now();
    this.lastError = undefined;
  }

  private async startHealth(): Promise<Awaited<ReturnType<typeof startHealthServer>> | undefined> {
    const address = this.opts.healthzBindAddress;
    if (address === undefined) return undefined;
    const sep = address.lastIndexOf(':');
    return startHealthServer({
      bindAddress: address.slice(0, sep) || '0.0.0.0',
      port: Number(address.slice(sep + 1)),
      registry: this.registry,
      // Unhealthy when syncing keeps failing or has not happened for two sync periods.
      check: () => (this.lastError ? `last sync failed: ${this.lastError}` : Date.now() - this.lastSuccess > 2 * this.syncPeriodMs ? 'proxy rules are stale' : undefined),
      ...(this.opts.servingTLS ? { secure: { tls: this.opts.servingTLS, auth: new DelegatingAuth({ client: this.client }) } } : {}),
    });
  }

  get healthPort(): number | undefined {
    return this.health?.port;
  }

  syncNow(full = false): Promise<void> {
    return this.runner.syncNow(full);
  }

  lastRules(): RuleSet | undefined {
    return this.applied;
  }

  servicePorts(): readonly ServicePort[] {
    return this.served;
  }

  async stop(): Promise<void> {
    await this.runner.stop();
    await this.informerFactory.shutdown();
    await this.userspace?.close();
    await this.health?.close();
  }
}
