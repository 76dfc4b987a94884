// The scheduling framework's extension points (k8s pkg/scheduler/framework/interface.go),
// kept tiny: a plugin implements only the hooks it needs. Hooks are synchronous except PreBind
// and Bind, because one scheduling cycle decides against the in-memory cache without waiting
// on I/O; only the binding cycle talks to the apiserver.
import type { PodDisruptionBudget } from 'kubernetes-types/policy/v1';
import type { RestClient, SharedInformerFactory } from '../../client/index.js';
import type { NodeInfo, PodInfo } from './types.js';

export enum Code {
  Success = 0,
  /** An internal error: the pod is retried with backoff. */
  Error = 1,
  /** Not schedulable now; preemption (removing pods) might help. */
  Unschedulable = 2,
  /** Not schedulable on this node whatever is removed from it. */
  UnschedulableAndUnresolvable = 3,
  /** The plugin has nothing to say for this pod (PreScore/PreFilter/Bind). */
  Skip = 4,
}

export interface Status {
  readonly code: Code;
  /** Short reasons, aggregated into "0/3 nodes are available: 2 Insufficient cpu." */
  readonly reasons: readonly string[];
  /** The plugin that returned it (set by the framework). */
  plugin?: string;
}

/** `undefined` means Success everywhere, so the hot path allocates nothing for fits. */
export type Result = Status | undefined;

export function newStatus(code: Code, ...reasons: string[]): Status {
  return { code, reasons };
}

export const isSuccess = (s: Result): boolean => s === undefined || s.code === Code.Success;
export const isRejected = (s: Result): boolean =>
  s !== undefined && (s.code === Code.Unschedulable || s.code === Code.UnschedulableAndUnresolvable);

/** The largest score a Score plugin's normalized result may have (framework.MaxNodeScore). */
export const MAX_NODE_SCORE = 100;

/** Per-cycle scratch space plugins share between their hooks (framework.CycleState). */
export class CycleState {
  private readonly data = new Map<string, unknown>();
  /** Filter plugins whose PreFilter returned Skip. */
  readonly skipFilter = new Set<string>();
  /** Score plugins whose PreScore returned Skip. */
  readonly skipScore = new Set<string>();
  read<T>(key: string): T | undefined {
    return this.data.get(key) as T | undefined;
  }
  write(key: string, value: unknown): void {
    this.data.set(key, value);
  }
}

/** Read access to the cache that plugins get (framework.SharedLister). */
export interface NodeInfoLister {
  /** Nodes that exist (ghost NodeInfos of deleted nodes are left out). */
  list(): readonly NodeInfo[];
  get(name: string): NodeInfo | undefined;
  /** Pods (of any node) in `namespace` matching `selector`, counted per node — memoised and kept up to date by the cache. */
  countMatching(namespace: string, selector: { matches(labels: Record<string, string> | undefined): boolean; toString(): string }): ReadonlyMap<string, number>;
}

/** What plugins are constructed with (framework.Handle). */
export interface Handle {
  readonly nodes: NodeInfoLister;
  /** Binds a pod (the DefaultBinder's edge to the apiserver). */
  bindPod?(pod: PodInfo, nodeName: string): Promise<void>;
  /** Deletes a preemption victim (in the background). */
  evictPod?(victim: PodInfo, preemptor: PodInfo): Promise<void>;
  /** The cluster's PodDisruptionBudgets (preemption spares pods they protect where it can). */
  pdbs?(): PodDisruptionBudget[];
  /** Runs the profile's Filter plugins against a (simulated) node, as preemption needs. */
  runFilters?(state: CycleState, pod: PodInfo, node: NodeInfo): Result;
  /** The scheduler's client (handle.ClientSet()), for plugins that write in PreBind. */
  client?: RestClient;
  /** The scheduler's informers (handle.SharedInformerFactory()): plugins ask for what they read. */
  informerFactory?: SharedInformerFactory;
  /** Aborted when the scheduler stops, so a PreBind that waits gives up. */
  stopped?: AbortSignal;
}

export interface Plugin {
  readonly name: string;
}

export interface PreFilterResult {
  status?: Status;
  /** Only these nodes can fit (e.g. NodeAffinity's `metadata.name` matchFields). */
  nodeNames?: ReadonlySet<string>;
}

export interface PreFilterPlugin extends Plugin {
  preFilter(state: CycleState, pod: PodInfo, nodes: readonly NodeInfo[]): PreFilterResult | undefined;
}

export interface FilterPlugin extends Plugin {
  filter(state: CycleState, pod: PodInfo, node: NodeInfo): Result;
}

/** Node name → why the pod does not fit there. */
export type NodeToStatus = Map<string, Status>;

export interface PostFilterResult {
  status: Status;
  nominatedNodeName?: string;
}

export interface PostFilterPlugin extends Plugin {
  postFilter(state: CycleState, pod: PodInfo, statuses: NodeToStatus, allNodes: readonly NodeInfo[]): PostFilterResult;
}

export interface PreScorePlugin extends Plugin {
  /** Return Skip when the plugin has nothing to score for this pod. */
  preScore(state: CycleState, pod: PodInfo, nodes: readonly NodeInfo[]): Result;
}

export interface NodeScore {
  name: string;
  score: number;
}

export interface ScorePlugin extends Plugin {
  score(state: CycleState, pod: PodInfo, node: NodeInfo): number;
  /** Maps raw scores into [0, MAX_NODE_SCORE] in place. */
  normalizeScore?(state: CycleState, pod: PodInfo, scores: NodeScore[]): void;
}

export interface ReservePlugin extends Plugin {
  reserve(state: CycleState, pod: PodInfo, nodeName: string): Result;
  unreserve(state: CycleState, pod: PodInfo, nodeName: string): void;
}

/** Runs in the binding cycle before Bind; may wait (e.g. for volumes to bind). A failure unreserves and retries the pod. */
export interface PreBindPlugin extends Plugin {
  preBind(state: CycleState, pod: PodInfo, nodeName: string): Promise<Result>;
}

export interface BindPlugin extends Plugin {
  /** Return Skip to let the next bind plugin do it. */
  bind(state: CycleState, pod: PodInfo, nodeName: string): Promise<Result>;
}

/** What changed in the cluster; the queue retries pods a matching event might help (framework.ClusterEvent). */
export type EventResource = 'Node' | 'AssignedPod' | 'UnscheduledPod' | 'PersistentVolumeClaim' | 'PersistentVolume' | 'StorageClass';
export enum ActionType {
  Add = 1,
  Delete = 2,
  UpdateNodeAllocatable = 4,
  UpdateNodeLabel = 8,
  UpdateNodeTaint = 16,
  UpdateNodeCondition = 32,
  UpdatePodLabel = 64,
  UpdatePodScaleDown = 128,
  /** Any other update. */
  Update = 256,
  All = 511,
}

export interface ClusterEvent {
  resource: EventResource;
  action: number;
  /** For metrics and logs, e.g. `NodeAdd`. */
  label: string;
}

/** Plugins that can say which cluster events may make a pod they rejected schedulable (EnqueueExtensions). */
export interface EnqueueExtensions {
  eventsToRegister(): ReadonlyArray<{ resource: EventResource; action: number }>;
}

export function hasEvents(p: Plugin): p is Plugin & EnqueueExtensions {
  return typeof (p as Partial<EnqueueExtensions>).eventsToRegister === 'function';
}
