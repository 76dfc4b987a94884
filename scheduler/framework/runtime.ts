// frameworkImpl (k8s framework/runtime/framework.go): builds a profile's plugins from the
// registry and runs them at each extension point. The hot path (Filter, Score) is plain loops
// over arrays, since it runs for hundreds of nodes per pod.
import type { ProfileConfig } from '../profile.js';
import type { Registry } from '../plugins/registry.js';
import {
  Code,
  CycleState,
  MAX_NODE_SCORE,
  hasEvents,
  newStatus,
  type BindPlugin,
  type ClusterEvent,
  type FilterPlugin,
  type Handle,
  type NodeScore,
  type NodeToStatus,
  type Plugin,
  type PostFilterPlugin,
  type PostFilterResult,
  type PreBindPlugin,
  type PreFilterPlugin,
  type PreScorePlugin,
  type ReservePlugin,
  type Result,
  type ScorePlugin,
  type Status,
} from './interface.js';
import type { NodeInfo, PodInfo } from './types.js';

const implementsHook = <T extends Plugin>(p: Plugin, hook: string): p is T => typeof (p as unknown as Record<string, unknown>)[hook] === 'function';

const FILTERS_KEY = 'framework/activeFilters';

export interface PreFilterOutcome {
  status?: Status;
  nodeNames?: ReadonlySet<string>;
}

export class Framework {
  readonly schedulerName: string;
  readonly percentageOfNodesToScore: number;
  private readonly preFilters: PreFilterPlugin[] = [];
  private readonly filters: FilterPlugin[] = [];
  private readonly postFilters: PostFilterPlugin[] = [];
  private readonly preScores: PreScorePlugin[] = [];
  private readonly scores: Array<{ plugin: ScorePlugin; weight: number }> = [];
  private readonly reserves: ReservePlugin[] = [];
  private readonly preBinds: PreBindPlugin[] = [];
  private readonly binders: BindPlugin[] = [];
  private readonly events = new Map<string, ReadonlyArray<{ resource: string; action: number }>>();

  constructor(profile: ProfileConfig, registry: Registry, handle: Handle) {
    this.schedulerName = profile.schedulerName;
    this.percentageOfNodesToScore = profile.percentageOfNodesToScore ?? 0;
    for (const name of profile.plugins) {
      const factory = registry[name];
      if (!factory) throw new Error(`profile ${profile.schedulerName}: unknown plugin "${name}"`);
      const p = factory(profile.pluginConfig?.[name], handle);
      if (implementsHook<PreFilterPlugin>(p, 'preFilter')) this.preFilters.push(p);
      if (implementsHook<FilterPlugin>(p, 'filter')) this.filters.push(p);
      if (implementsHook<PostFilterPlugin>(p, 'postFilter')) this.postFilters.push(p);
      if (implementsHook<PreScorePlugin>(p, 'preScore')) this.preScores.push(p);
      if (implementsHook<ScorePlugin>(p, 'score')) this.scores.push({ plugin: p, weight: profile.scoreWeights?.[name] ?? 1 });
      if (implementsHook<ReservePlugin>(p, 'reserve')) this.reserves.push(p);
      if (implementsHook<PreBindPlugin>(p, 'preBind')) this.preBinds.push(p);
      if (implementsHook<BindPlugin>(p, 'bind')) this.binders.push(p);
      // A plugin that says nothing about events is retried on any change, as k8s does.
      this.events.set(name, hasEvents(p) ? p.eventsToRegister() : [{ resource: '*', action: -1 }]);
    }
  }

  /** Does `event` possibly help a pod that these plugins rejected? (no plugins recorded = yes) */
  mayHelp(rejectedBy: ReadonlySet<string>, event: ClusterEvent): boolean {
    if (rejectedBy.size === 0) return true;
    for (const name of rejectedBy) {
      for (const e of this.events.get(name) ?? [{ resource: '*', action: -1 }]) {
        if ((e.resource === '*' || e.resource === event.resource) && (e.action & event.action) !== 0) return true;
      }
    }
    return false;
  }

  /** The resources some plugin registered events for (the scheduler watches only those, as upstream's addAllEventHandlers). */
  registeredResources(): Set<string> {
    const out = new Set<string>();
    for (const evs of this.events.values()) for (const e of evs) out.add(e.resource);
    return out;
  }

  hasScorePlugins(): boolean {
    return this.scores.length > 0;
  }

  runPreFilter(state: CycleState, pod: PodInfo, nodes: readonly NodeInfo[]): PreFilterOutcome {
    let names: Set<string> | undefined;
    for (const p of this.preFilters) {
      const r = p.preFilter(state, pod, nodes);
      if (!r) continue;
      if (r.status?.code === Code.Skip) {
        state.skipFilter.add(p.name);
        continue;
      }
      if (r.status && r.status.code !== Code.Success) {
        r.status.plugin = p.name;
        return { status: r.status };
      }
      if (r.nodeNames) names = names ? new Set([...names].filter((n) => r.nodeNames!.has(n))) : new Set(r.nodeNames);
    }
    state.write(FILTERS_KEY, this.filters.filter((f) => !state.skipFilter.has(f.name)));
    return names ? { nodeNames: names } : {};
  }

  /** The first rejection (k8s stops at the first failing plugin per node). */
  runFilter(state: CycleState, pod: PodInfo, node: NodeInfo): Result {
    const filters = state.read<FilterPlugin[]>(FILTERS_KEY) ?? this.filters;
    for (let i = 0; i < filters.length; i++) {
      const f = filters[i]!;
      const s = f.filter(state, pod, node);
      if (s !== undefined && s.code !== Code.Success) {
        s.plugin = f.name;
        return s;
      }
    }
    return undefined;
  }

  runPostFilter(state: CycleState, pod: PodInfo, statuses: NodeToStatus, allNodes: readonly NodeInfo[]): PostFilterResult {
    let last: PostFilterResult = { status: newStatus(Code.Unschedulable) };
    for (const p of this.postFilters) {
      const r = p.postFilter(state, pod, statuses, allNodes);
      r.status.plugin = p.name;
      if (r.status.code === Code.Success || r.nominatedNodeName) return r;
      last = r;
    }
    return last;
  }

  /** PreScore, Score, NormalizeScore, weights: the weighted total per node (same order as `nodes`). */
  runScore(state: CycleState, pod: PodInfo, nodes: readonly NodeInfo[]): NodeScore[] {
    for (const p of this.preScores) {
      const s = p.preScore(state, pod, nodes);
      if (s?.code === Code.Skip) state.skipScore.add(p.name);
    }
    const totals: NodeScore[] = nodes.map((n) => ({ name: n.name, score: 0 }));
    for (const { plugin, weight } of this.scores) {
      if (state.skipScore.has(plugin.name)) continue;
      const scores: NodeScore[] = new Array(nodes.length);
      for (let i = 0; i < nodes.length; i++) scores[i] = { name: nodes[i]!.name, score: plugin.score(state, pod, nodes[i]!) };
      plugin.normalizeScore?.(state, pod, scores);
      for (let i = 0; i < scores.length; i++) {
        const s = scores[i]!.score;
        if (s > MAX_NODE_SCORE || s < 0) throw new Error(`plugin ${plugin.name} returned an invalid score ${s} for node ${scores[i]!.name}`);
        totals[i]!.score += s * weight;
      }
    }
    return totals;
  }

  runReserve(state: CycleState, pod: PodInfo, nodeName: string): Result {
    for (const p of this.reserves) {
      const s = p.reserve(state, pod, nodeName);
      if (s && s.code !== Code.Success) {
        s.plugin = p.name;
        return s;
      }
    }
    return undefined;
  }

  runUnreserve(state: CycleState, pod: PodInfo, nodeName: string): void {
    for (let i = this.reserves.length - 1; i >= 0; i--) this.reserves[i]!.unreserve(state, pod, nodeName);
  }

  /** The first PreBind failure, in order (k8s RunPreBindPlugins). */
  async runPreBind(state: CycleState, pod: PodInfo, nodeName: string): Promise<Result> {
    for (const p of this.preBinds) {
      const s = await p.preBind(state, pod, nodeName);
      if (s && s.code !== Code.Success && s.code !== Code.Skip) {
        s.plugin = p.name;
        return s;
      }
    }
    return undefined;
  }

  async runBind(state: CycleState, pod: PodInfo, nodeName: string): Promise<Result> {
    for (const p of this.binders) {
      const s = await p.bind(state, pod, nodeName);
      if (s?.code === Code.Skip) continue;
      if (s) s.plugin = p.name;
      return s;
    }
    return newStatus(Code.Error, 'no bind plugin bound the pod');
  }
}

export { CycleState };
