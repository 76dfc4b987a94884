// kube-controller-manager: one process running many controllers over one shared informer
// factory, optionally behind leader election (Lease kube-system/kube-controller-manager), so
// only one replica of the manager acts at a time. Which controllers run is chosen like
// `--controllers` in Kubernetes: `*` = every controller on by default, `name` enables one,
// `-name` disables one.
import { componentRestConfig, type ClientConnection } from '../client/component-base/rest-config.js';
import { DelegatingAuth } from '../client/component-base/delegating-auth.js';
import type { ServingTLS } from '../client/component-base/secure-serving.js';
import { setMaxListeners } from 'node:events';
import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import {
  EventRecorder,
  RestClient,
  SharedInformerFactory,
  type RestConfig,
} from '../client/index.js';
import { newLogger, newRegistry, startHealthServer } from '../client/component-base/daemon.js';
import { campaignForLease, type Campaign, type LeaderElectionOptions } from '../client/leader-campaign.js';
import type { Controller, ControllerClass, ControllerContext } from './controller.js';
import { mergeFlagDeclarations, type FlagDeclarations, type RawFlagValues } from './options.js';
import { ReplicaSetController, ReplicationManager } from './replicaset/replicaset.js';
import { JobController } from './job/job.js';
import { CronJobController } from './cronjob/cronjob.js';
import { DaemonSetController } from './daemonset/daemonset.js';
import { StatefulSetController } from './statefulset/statefulset.js';
import { DeploymentController } from './deployment/deployment.js';
import { EndpointsController } from './endpoints.js';
import { EndpointSliceController } from './endpointslice.js';
import { GarbageCollector } from './garbagecollector/garbagecollector.js';
import { NamespaceController } from './namespace.js';
import { NodeLifecycleController } from './nodelifecycle/nodelifecycle.js';
import { NodeIpamController } from './nodeipam/nodeipam.js';
import { ServiceAccountsController } from './serviceaccount.js';
import { ServiceLBController } from './service-lb.js';
import { ClusterRoleAggregationController } from './clusterrole-aggregation.js';
import { RootCACertPublisher } from './root-ca-cert-publisher.js';
import { TokensController } from './serviceaccount-token.js';
import { HorizontalController } from './podautoscaler/horizontal.js';
import { DisruptionController } from './disruption/disruption.js';
import { TTLAfterFinishedController } from './ttlafterfinished.js';
import { ResourceQuotaController } from './resourcequota/resourcequota.js';
import { PersistentVolumeBinderController } from './volume/persistentvolume/pv-controller.js';
import { ExpandController } from './volume/expand/expand.js';
import { LocalPathProvisioner } from './volume/localpath/provisioner.js';
import { PVCProtectionController } from './volume/pvc-protection.js';
import { PVProtectionController } from './volume/pv-protection.js';

/**
 * Every controller this manager knows, by class; `--controllers` names are the classes'
 * `controllerName`. To add a controller, add ONE entry here (and, if it is off by default in
 * Kubernetes, its name to DISABLED_BY_DEFAULT). Names are kube-controller-manager's (without
 * the `-controller` suffix, which `--controllers` also accepts).
 */
const CONTROLLER_CLASSES: readonly ControllerClass[] = [
  ReplicationManager,
  ReplicaSetController,
  DeploymentController,
  EndpointsController,
  EndpointSliceController,
  GarbageCollector,
  NamespaceController,
  NodeLifecycleController,
  NodeIpamController,
  ServiceAccountsController,
  ServiceLBController,
  JobController,
  CronJobController,
  DaemonSetController,
  StatefulSetController,
  ClusterRoleAggregationController,
  RootCACertPublisher,
  TokensController,
  HorizontalController,
  DisruptionController,
  TTLAfterFinishedController,
  ResourceQuotaController,
  PersistentVolumeBinderController,
  ExpandController,
  LocalPathProvisioner,
  PVCProtectionController,
  PVProtectionController,
];

/** `--controllers` name → controller class. */
export const CONTROLLERS: Readonly<Record<string, ControllerClass>> = Object.fromEntries(CONTROLLER_CLASSES.map((c) => [c.controllerName, c]));

/** Every controller's flags in one table (main.ts makes them yargs flags). */
export function controllerFlagDeclarations(): FlagDeclarations {
  return mergeFlagDeclarations(CONTROLLER_CLASSES.map((c) => c.flags));
}

/** Controllers `*` does not turn on (Kubernetes has e.g. bootstrapsigner, tokencleaner). */
export const DISABLED_BY_DEFAULT: ReadonlySet<string> = new Set<string>([]);

/** kube-controller-manager's older `--controllers` names, still accepted as aliases there. */
const ALIASES: Readonly<Record<string, string>> = {
  endpoint: 'endpoints',
  garbagecollector: 'garbage-collector',
  nodelifecycle: 'node-lifecycle',
  nodeipam: 'node-ipam',
  service: 'service-lb',
  'root-ca-certificate-publisher': 'root-ca-cert-publisher',
  horizontalpodautoscaling: 'horizontal-pod-autoscaler',
  'pvc-protection': 'persistentvolumeclaim-protection',
  'pv-protection': 'persistentvolume-protection',
};

/** Canonical name for a `--controllers` entry: `replicaset-controller` ≡ `replicaset`, `nodeipam` ≡ `node-ipam`. */
function canonical(name: string): string {
  const base = name.replace(/-controller$/, '');
  return ALIASES[base] ?? base;
}

/**
 * Resolves a `--controllers` list against the known names (Kubernetes'
 * IsControllerEnabled): an explicit `-name` wins, then an explicit `name`, then `*` enables
 * the on-by-default ones. Unknown names are an error, as in kube-controller-manager.
 */
export function enabledControllers(
  requested: readonly string[],
  known: readonly string[] = Object.keys(CONTROLLERS),
  disabledByDefault: ReadonlySet<string> = DISABLED_BY_DEFAULT,
): string[] {
  const entries = requested.flatMap((r) => r.split(',')).map((r) => r.trim()).filter(Boolean);
  const knownSet = new Set(known);
  const on = new Set<string>();
  const off = new Set<string>();
  let star = false;
  for (const e of entries) {
    if (e === '*') {
      star = true;
      continue;
    }
    const negated = e.startsWith('-');
    const name = canonical(negated ? e.slice(1) : e);
    if (!knownSet.has(name)) throw new Error(`"${e}" is not in the list of known controllers: ${[...known].sort().join(', ')}`);
    (negated ? off : on).add(name);
  }
  return known.filter((n) => !off.has(n) && (on.has(n) || (star && !disabledByDefault.has(n))));
}

export type { LeaderElectionOptions };

export interface ControllerManagerOptions extends ClientConnection {
  /** A ready client; otherwise one is built from `master`/`kubeconfig`. */
  client?: RestClient;
  kubeconfig?: string;
  /** A plain apiserver URL (overrides the kubeconfig's server), as `--master`. */
  master?: string;
  /** `--controllers`; default `['*']`. */
  controllers?: readonly string[];
  leaderElect?: boolean;
  leaderElection?: LeaderElectionOptions;
  /** Flag values handed to controllers, e.g. `{'concurrent-replicaset-syncs': 5}`. */
  options?: RawFlagValues;
  /** Health/metrics server; omitted = none (tests), 0 = a random port. */
  port?: number;
  bindAddress?: string;
  /** HTTPS for that server, with authentication and authorization delegated to the apiserver; plain HTTP when unset. */
  servingTLS?: ServingTLS;
  logger?: Logger;
  registry?: Registry;
  /** Called when leadership is lost (not on stop()); kube-controller-manager exits then. Default: campaign again. */
  onLeadershipLost?: () => void;
  /** Test-only: extra controllers by name, built from the term's context (merged over CONTROLLERS). */
  extraControllers?: Readonly<Record<string, (ctx: ControllerContext) => Controller>>;
}

export interface ControllerManagerHandle {
  /** Names of the controllers this manager runs (when leading). */
  readonly controllers: readonly string[];
  /** The health server's port, if one was asked for. */
  readonly port: number | undefined;
  readonly registry: Registry;
  isLeader(): boolean;
  /** Clean stop: controllers finish the key in hand, the lease is released. */
  stop(): Promise<void>;
  /**
   * Abrupt stop, like kill -9 as far as the cluster can tell: in-flight requests are cut,
   * the lease is not released, nothing is drained.
   */
  kill(): Promise<void>;
}

export async function startControllerManager(opts: ControllerManagerOptions): Promise<ControllerManagerHandle> {
  const cm = new ControllerManager(opts);
  await cm.start();
  return cm;
}

/** Builds a controller for one term: a class from the table, or a test's factory. */
type ControllerBuilder = (ctx: ControllerContext) => Controller | { disabled: string };

function builderFor(c: ControllerClass): ControllerBuilder {
  return (ctx) => {
    const reason = c.disabledReason?.(ctx);
    return reason !== undefined ? { disabled: reason } : new c(ctx);
  };
}

class ControllerManager implements ControllerManagerHandle {
  readonly controllers: readonly string[];
  readonly registry: Registry;
  private readonly log: Logger;
  private readonly client: RestClient;
  private readonly ownClient: boolean;
  private readonly table: Readonly<Record<string, ControllerBuilder>>;
  /** Controllers whose run failed: /healthz reports them. */
  private readonly failed = new Map<string, string>();
  private readonly stopAll = new AbortController();
  /** The current (or last) leadership term. */
  private running: Promise<void> | undefined;
  /** Shared across leadership terms so stop() can flush what they recorded. */
  private readonly recorders = new Map<string, EventRecorder>();
  private election: Campaign | undefined;
  private health: Awaited<ReturnType<typeof startHealthServer>> | undefined;
  private stopped = false;

  constructor(private readonly opts: ControllerManagerOptions) {
    this.log = opts.logger ?? newLogger('kube-controller-manager');
    this.registry = opts.registry ?? newRegistry();
    this.ownClient = !opts.client;
    this.client = opts.client ?? new RestClient(clientConfig(opts));
    const table: Record<string, ControllerBuilder> = {};
    for (const [name, c] of Object.entries(CONTROLLERS)) table[name] = builderFor(c);
    Object.assign(table, opts.extraControllers);
    this.table = table;
    this.controllers = enabledControllers(opts.controllers ?? ['*'], Object.keys(table));
  }

  get port(): number | undefined {
    return this.health?.port;
  }

  async start(): Promise<void> {
    if (this.opts.leaderElect) this.campaign();
    else this.running = this.runControllers(this.stopAll.signal);
    if (this.opts.port === undefined) return;
    this.health = await startHealthServer({
      bindAddress: this.opts.bindAddress ?? '127.0.0.1',
      port: this.opts.port,
      registry: this.registry,
      check: () => (this.failed.size ? [...this.failed].map(([n, e]) => `controller ${n} failed: ${e}`).join('\n') : undefined),
      ...(this.opts.servingTLS ? { secure: { tls: this.opts.servingTLS, auth: new DelegatingAuth({ client: this.client }) } } : {}),
    });
  }

  private campaign(): void {
    this.election = campaignForLease({
      client: this.client,
      defaultName: 'kube-controller-manager',
      registry: this.registry,
      identity: this.opts.leaderElection?.identity ?? `${hostname()}_${randomUUID()}`,
      leaderElection: this.opts.leaderElection,
      logger: this.log,
      stopped: this.stopAll.signal,
      ...(this.opts.onLeadershipLost ? { onLeadershipLost: this.opts.onLeadershipLost } : {}),
      onStartedLeading: (signal) => {
        // A new term starts only once the previous one has fully stopped.
        const previous = this.running ?? Promise.resolve();
        this.running = previous.then(() => this.runControllers(signal));
      },
    });
  }

  private recorder(component: string): EventRecorder {
    let r = this.recorders.get(component);
    if (!r) this.recorders.set(component, (r = new EventRecorder(this.client, { component, logger: this.log })));
    return r;
  }

  /** One leadership term: fresh informers, every controller, until `signal` aborts. */
  private async runControllers(signal: AbortSignal): Promise<void> {
    // Every controller listens on this one signal (its cache-sync wait, its workers): a few
    // listeners each is expected, not the leak Node's default limit of 10 warns about.
    setMaxListeners(4 * (this.controllers.length + 2), signal);
    const factory = new SharedInformerFactory(this.client, { logger: this.log });
    const ctx: ControllerContext = {
      client: this.client,
      factory,
      recorder: (component) => this.recorder(component),
      log: this.log,
      registry: this.registry,
      options: this.opts.options ?? {},
    };
    // Every controller registers its informers in its constructor; only then start them.
    const runs = this.controllers.map((name) => this.runController(name, { ...ctx, log: this.log.child({ controller: name }) }, signal));
    this.log.info({ controllers: this.controllers }, 'started controllers');
    factory.start();
    await new Promise<void>((resolve) => (signal.aborted ? resolve() : signal.addEventListener('abort', () => resolve(), { once: true })));
    await Promise.all(runs);
    await factory.shutdown();
  }

  /** Builds one controller (synchronously: its informers must be registered now) and runs it. */
  private runController(name: string, ctx: ControllerContext, signal: AbortSignal): Promise<void> {
    const onError = (e: unknown): void => {
      if (signal.aborted) return;
      this.failed.set(name, String(e));
      this.log.error({ controller: name, err: e }, 'controller failed');
    };
    let controller: ReturnType<ControllerBuilder>;
    try {
      controller = this.table[name]!(ctx);
    } catch (e) {
      onError(e);
      return Promise.resolve();
    }
    if ('disabled' in controller) {
      ctx.log.info(controller.disabled);
      return Promise.resolve();
    }
    return controller.run(signal).catch(onError);
  }

  isLeader(): boolean {
    return this.election?.isLeader() ?? true;
  }

  /** Clean stop: controllers finish the key in hand, the lease is released. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.stopAll.abort();
    await this.election?.stop();
    await this.running;
    await Promise.all([...this.recorders.values()].map((r) => r.flush()));
    await this.health?.close();
    if (this.ownClient) await this.client.close();
  }

  /** Abrupt stop, like kill -9 as far as the cluster can tell. */
  async kill(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    // No lease release: leaderElection's releaseOnCancel only applies to stop().
    this.stopAll.abort();
    await this.client.close().catch(() => undefined);
    await this.election?.stop().catch(() => undefined);
    await this.running?.catch(() => undefined);
    await this.health?.close();
  }
}

function clientConfig(opts: ControllerManagerOptions): RestConfig {
  return componentRestConfig(opts, 'kube-controller-manager/v0.1.0');
}
