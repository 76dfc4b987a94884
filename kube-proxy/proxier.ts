// kube-proxy: informers on Services and EndpointSlices feed one desired state; a bounded
// frequency runner turns it into the mode's rules (iptables chains, or userspace listeners
// plus REDIRECT portals) and applies them. The service-range guard goes up before any rule.
import { componentRestConfig, type ClientConnection } from '../client/component-base/rest-config.js';
import { DelegatingAuth } from '../client/component-base/delegating-auth.js';
import type { ServingTLS } from '../client/component-base/secure-serving.js';
import { hostname } from 'node:os';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { RestClient, SharedInformerFactory, type RestConfig } from '../client/index.js';
import { newLogger, newRegistry, startHealthServer } from '../client/component-base/daemon.js';
import { runCommand, type CommandRunner } from './exec.js';
import { ensureGuard } from './guard.js';
import { ensureHairpin, enableRouteLocalnet, hostAddresses, iptablesUsable, podBridge } from './host.js';
import { IptablesApplier } from './iptables-apply.js';
import { IptablesRuleBuilder, countRules, type RuleSet } from './iptables.js';
import { ProxyMetrics } from './metrics.js';
import { buildServicePorts, type NodeInfo, type ServicePort } from './service-ports.js';
import { SyncRunner } from './sync-runner.js';
import { USERSPACE_JUMPS, portalRules, userspaceListeners } from './userspace.js';
import { UserspaceProxier } from './userspace-proxy.js';

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

export async function startKubeProxy(opts: KubeProxyOptions = {}): Promise<KubeProxyHandle> {
  const log = opts.logger ?? newLogger('kube-proxy');
  const run = opts.run ?? runCommand;
  const registry = opts.registry ?? newRegistry();
  const metrics = new ProxyMetrics(registry);
  const client = opts.client ?? new RestClient(clientConfig(opts));
  const clusterCIDR = opts.clusterCIDR ?? DEFAULT_CLUSTER_CIDR;
  const serviceCIDR = opts.serviceClusterIPRange ?? DEFAULT_SERVICE_CIDR;
  const syncPeriodMs = opts.syncPeriodMs ?? 30_000;
  const canIptables = await iptablesUsable(run);
  const mode: ProxyMode = opts.proxyMode || (canIptables ? 'iptables' : 'userspace');
  if (mode === 'iptables' && !canIptables) throw new Error('proxy mode iptables needs iptables and root (NET_ADMIN); use --proxy-mode userspace');
  const nodeName = opts.nodeName ?? hostname();
  log.info({ mode, nodeName, clusterCIDR, serviceCIDR }, 'starting kube-proxy');

  // Safety first: nothing for the service range leaves the host, even before any rule exists.
  if (canIptables) await ensureGuard(run, serviceCIDR);
  if (mode === 'iptables') await enableRouteLocalnet();

  const applier = canIptables ? new IptablesApplier(run, mode === 'iptables' ? undefined : USERSPACE_JUMPS) : undefined;
  const userspace = mode === 'userspace' ? new UserspaceProxier(log) : undefined;
  const builder = new IptablesRuleBuilder();
  const factory = new SharedInformerFactory(client, { logger: log });
  const services = factory.informerFor('services');
  const slices = factory.informerFor('endpointslices.discovery.k8s.io');
  let applied: RuleSet | undefined;
  let served: readonly ServicePort[] = [];
  let lastError: string | undefined;
  let lastSuccess = 0;

  const nodeInfo = (): NodeInfo => ({ nodeName, nodeIPs: opts.nodeIPs ?? hostAddresses(clusterCIDR), clusterCIDR });

  const sync = async (full: boolean): Promise<void> => {
    const started = process.hrtime.bigint();
    const ports = buildServicePorts(services.lister.list(), slices.lister.list());
    const node = nodeInfo();
    let rules: RuleSet | undefined;
    if (mode === 'iptables') {
      rules = builder.build(ports, node);
      await applier!.sync(rules, full);
      const bridge = podBridge(clusterCIDR);
      if (bridge) await ensureHairpin(bridge);
    } else {
      const listeners = userspaceListeners(ports, node, { nodePortAddresses: opts.nodePortAddresses ?? ['0.0.0.0'] });
      const bound = await userspace!.sync(listeners);
      metrics.listeners.set(userspace!.listenerCount);
      if (applier) {
        rules = portalRules(listeners, bound);
        await applier.sync(rules, full);
      }
    }
    applied = rules;
    served = ports;
    if (rules) {
      metrics.rules.set({ table: 'nat' }, countRules({ nat: rules.nat, filter: new Map() }));
      metrics.rules.set({ table: 'filter' }, countRules({ nat: new Map(), filter: rules.filter }));
    }
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    metrics.syncDuration.observe({ full: String(full) }, seconds);
    metrics.lastSync.setToCurrentTime();
    lastSuccess = Date.now();
    lastError = undefined;
    log.debug({ full, servicePorts: ports.length, ms: seconds * 1000 }, 'synced proxy rules');
  };

  const runner = new SyncRunner({
    minIntervalMs: opts.minSyncPeriodMs ?? 1000,
    maxIntervalMs: syncPeriodMs,
    sync,
    onError: (e) => {
      lastError = String(e);
      metrics.syncErrors.inc();
      log.error({ err: e }, 'sync failed');
    },
  });
  const onChange = { onAdd: () => runner.request(), onUpdate: () => runner.request(), onDelete: () => runner.request() };
  services.addEventHandler(onChange);
  slices.addEventHandler(onChange);
  factory.start();
  await factory.waitForCacheSync();
  await runner.syncNow(true);
  runner.start();

  let health: Awaited<ReturnType<typeof startHealthServer>> | undefined;
  if (opts.healthzBindAddress !== undefined) {
    const sep = opts.healthzBindAddress.lastIndexOf(':');
    health = await startHealthServer({
      bindAddress: opts.healthzBindAddress.slice(0, sep) || '0.0.0.0',
      port: Number(opts.healthzBindAddress.slice(sep + 1)),
      registry,
      // Unhealthy when syncing keeps failing or has not happened for two sync periods.
      check: () => (lastError ? `last sync failed: ${lastError}` : Date.now() - lastSuccess > 2 * syncPeriodMs ? 'proxy rules are stale' : undefined),
      ...(opts.servingTLS ? { secure: { tls: opts.servingTLS, auth: new DelegatingAuth({ client }) } } : {}),
    });
  }

  return {
    mode,
    ...(health ? { healthPort: health.port } : {}),
    syncNow: (full = false) => runner.syncNow(full),
    lastRules: () => applied,
    servicePorts: () => served,
    async stop() {
      await runner.stop();
      await factory.shutdown();
      await userspace?.close();
      await health?.close();
    },
  };
}
