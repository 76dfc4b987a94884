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
import type { Controller, ControllerContext } from './controller.js';
import { newReplicaSetController, newReplicationController } from './replicaset/replicaset.js';
import { newJobController } from './job/job.js';
import { newCronJobController } from './cronjob/cronjob.js';
import { newDaemonSetController } from './daemonset/daemonset.js';
import { newStatefulSetController } from './statefulset/statefulset.js';
import { newDeploymentController } from './deployment/deployment.js';
import { endpointsController } from './endpoints.js';
import { endpointSliceController } from './endpointslice.js';
import { garbageCollectorController } from './garbagecollector/garbagecollector.js';
import { namespaceController } from './namespace.js';
import { nodeLifecycleController } from './nodelifecycle.js';
import { nodeIpamController } from './nodeipam.js';
import { serviceAccountController } from './serviceaccount.js';
import { serviceLBController } from './service-lb.js';
import { clusterRoleAggregationController } from './clusterrole-aggregation.js';
import { rootCACertPublisher } from './root-ca-cert-publisher.js';
import { serviceAccountTokenController } from './serviceaccount-token.js';

/**
 * Every controller this manager knows: `--controllers` name → factory. To add a controller,
 * add ONE line here (and, if it is off by default in Kubernetes, its name to
 * DISABLED_BY_DEFAULT). Names are kube-controller-manager's (without the `-controller`
 * suffix, which `--controllers` also accepts).
 */
export const CONTROLLERS: Readonly<Record<string, () => Controller>> = {
  replicationcontroller: newReplicationController,
  replicaset: newReplicaSetController,
  deployment: newDeploymentController,
  endpoints: () => endpointsController,
  endpointslice: () => endpointSliceController,
  'garbage-collector': () => garbageCollectorController,
  namespace: () => namespaceController,
  'node-lifecycle': () => nodeLifecycleController,
  'node-ipam': () => nodeIpamController,
  serviceaccount: () => serviceAccountController,
  'service-lb': () => serviceLBController,
  job: newJobController,
  cronjob: () => newCronJobController(),
  daemonset: newDaemonSetController,
  statefulset: newStatefulSetController,
  'clusterrole-aggregation': () => clusterRoleAggregationController,
  'root-ca-cert-publisher': () => rootCACertPublisher,
  'serviceaccount-token': () => serviceAccountTokenController,
};

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
  options?: Readonly<Record<string, string | number | boolean | undefined>>;
  /** Health/metrics server; omitted = none (tests), 0 = a random port. */
  port?: number;
  bindAddress?: string;
  /** HTTPS for that server, with authentication and authorization delegated to the apiserver; plain HTTP when unset. */
  servingTLS?: ServingTLS;
  logger?: Logger;
  registry?: Registry;
  /** Called when leadership is lost (not on stop()); kube-controller-manager exits then. Default: campaign again. */
  onLeadershipLost?: () => void;
  /** Test-only: extra controllers by name (merged over CONTROLLERS). */
  extraControllers?: Readonly<Record<string, () => Controller>>;
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
  const log = opts.logger ?? newLogger('kube-controller-manager');
  const registry = opts.registry ?? newRegistry();
  const ownClient = !opts.client;
  const client = opts.client ?? new RestClient(clientConfig(opts));
  const table = { ...CONTROLLERS, ...opts.extraControllers };
  const names = enabledControllers(opts.controllers ?? ['*'], Object.keys(table));
  const failed = new Map<string, string>();
  const stopAll = new AbortController();
  let running: Promise<void> | undefined;
  /** Shared across leadership terms so stop() can flush what they recorded. */
  const recorders = new Map<string, EventRecorder>();

  /** One leadership term: fresh informers, every controller, until `signal` aborts. */
  const runControllers = async (signal: AbortSignal): Promise<void> => {
    // Every controller listens on this one signal (its cache-sync wait, its workers): a few
    // listeners each is expected, not the leak Node's default limit of 10 warns about.
    setMaxListeners(4 * (names.length + 2), signal);
    const factory = new SharedInformerFactory(client, { logger: log });
    const ctx: ControllerContext = {
      client,
      factory,
      recorder(component) {
        let r = recorders.get(component);
        if (!r) recorders.set(component, (r = new EventRecorder(client, { component, logger: log })));
        return r;
      },
      log,
      registry,
      options: opts.options ?? {},
    };
    // Every controller registers its informers before its first await; only then start them.
    const runs = names.map((name) =>
      table[name]()
        .run({ ...ctx, log: log.child({ controller: name }) }, signal)
        .catch((e: unknown) => {
          if (signal.aborted) return;
          failed.set(name, String(e));
          log.error({ controller: name, err: e }, 'controller failed');
        }),
    );
    log.info({ controllers: names }, 'started controllers');
    factory.start();
    await new Promise<void>((resolve) => (signal.aborted ? resolve() : signal.addEventListener('abort', () => resolve(), { once: true })));
    await Promise.all(runs);
    await factory.shutdown();
  };

  const identity = opts.leaderElection?.identity ?? `${hostname()}_${randomUUID()}`;
  let election: Campaign | undefined;
  if (opts.leaderElect) {
    election = campaignForLease({
      client,
      defaultName: 'kube-controller-manager',
      identity,
      leaderElection: opts.leaderElection,
      logger: log,
      stopped: stopAll.signal,
      ...(opts.onLeadershipLost ? { onLeadershipLost: opts.onLeadershipLost } : {}),
      onStartedLeading: (signal) => {
        // A new term starts only once the previous one has fully stopped.
        const previous = running ?? Promise.resolve();
        running = previous.then(() => runControllers(signal));
      },
    });
  } else running = runControllers(stopAll.signal);

  const health = opts.port === undefined
    ? undefined
    : await startHealthServer({
        bindAddress: opts.bindAddress ?? '127.0.0.1',
        port: opts.port,
        registry,
        check: () => (failed.size ? [...failed].map(([n, e]) => `controller ${n} failed: ${e}`).join('\n') : undefined),
        ...(opts.servingTLS ? { secure: { tls: opts.servingTLS, auth: new DelegatingAuth({ client }) } } : {}),
      });

  let stopped = false;
  return {
    controllers: names,
    port: health?.port,
    registry,
    isLeader: () => election?.isLeader() ?? true,
    async stop() {
      if (stopped) return;
      stopped = true;
      stopAll.abort();
      await election?.stop();
      await running;
      await Promise.all([...recorders.values()].map((r) => r.flush()));
      await health?.close();
      if (ownClient) await client.close();
    },
    async kill() {
      if (stopped) return;
      stopped = true;
      // No lease release: leaderElection's releaseOnCancel only applies to stop().
      stopAll.abort();
      await client.close().catch(() => undefined);
      await election?.stop().catch(() => undefined);
      await running?.catch(() => undefined);
      await health?.close();
    },
  };
}

function clientConfig(opts: ControllerManagerOptions): RestConfig {
  return componentRestConfig(opts, 'kube-controller-manager/v0.1.0');
}
