// VolumeBinding (k8s plugins/volumebinding/volume_binding.go): a pod's PersistentVolumeClaims
// decide where it can run. PreFilter rejects pods whose claims are missing, being deleted or
// unbound with Immediate binding (the PV controller must bind those first); Filter keeps the
// nodes every bound volume's node affinity admits and where every WaitForFirstConsumer claim
// can be met (binder.ts); Reserve promises the chosen static PVs in memory; PreBind writes
// the bindings (a PV's claimRef, a claim's selected-node annotation) and waits until the PV
// controller has bound every claim, so the pod reaches its node only with its volumes ready.
import type { PersistentVolume, PersistentVolumeClaim } from 'kubernetes-types/core/v1';
import type { StorageClass } from 'kubernetes-types/storage/v1';
import type { ResourceClient, RestClient, SharedInformerFactory } from '../../client/index.js';
import { ActionType, Code, newStatus } from '../framework/interface.js';
import type { CycleState, EnqueueExtensions, NodeInfoLister, FilterPlugin, Handle, PreBindPlugin, PreFilterPlugin, PreFilterResult, ReservePlugin, Result } from '../framework/interface.js';
import type { NodeInfo, PodInfo } from '../framework/types.js';
import {
  ANN_BOUND_BY_CONTROLLER,
  ANN_SELECTED_NODE,
  ERR_UNBOUND_IMMEDIATE,
  findPodVolumes,
  getPodVolumeClaims,
  isClaimError,
  podClaimNames,
  type PodVolumeClaims,
  type PodVolumes,
  type VolumeListers,
} from './volumebinding/binder.js';
import { waitForBindings } from './volumebinding/wait.js';

export const NAME = 'VolumeBinding';
/** How long PreBind waits for the PV controller (VolumeBindingArgs.BindTimeoutSeconds, default 600). */
export const DEFAULT_BIND_TIMEOUT_SECONDS = 600;

const STATE_KEY = `PreFilter${NAME}`;

interface CycleData {
  claims: PodVolumeClaims;
  /** Filter's result per node (PodVolumesByNode). */
  byNode: Map<string, PodVolumes>;
  /** What Reserve chose for the node the pod is going to. */
  reserved?: PodVolumes;
}

export interface VolumeBindingArgs {
  bindTimeoutSeconds?: number;
}

export interface VolumeBindingDeps {
  listers: VolumeListers;
  client?: RestClient;
  /** The scheduler's nodes, for the node affinity of volumes bound while PreBind waits. */
  nodes?: NodeInfoLister;
  bindTimeoutMs?: number;
  stopped?: AbortSignal;
  /** How often PreBind looks at the informers while waiting. */
  pollIntervalMs?: number;
}

export class VolumeBinding implements PreFilterPlugin, FilterPlugin, ReservePlugin, PreBindPlugin, EnqueueExtensions {
  readonly name = NAME;
  /** PV name → the claim (`ns/name`) it is promised to by a pod in its binding cycle (the assume cache). */
  private readonly assumed = new Map<string, string>();

  constructor(private readonly deps: VolumeBindingDeps) {}

  preFilter(state: CycleState, pod: PodInfo): PreFilterResult | undefined {
    if (podClaimNames(pod.pod).length === 0) return { status: newStatus(Code.Skip) };
    const claims = getPodVolumeClaims(pod.pod, this.deps.listers);
    if (isClaimError(claims)) return { status: newStatus(claims.unresolvable ? Code.UnschedulableAndUnresolvable : Code.Error, claims.message) };
    if (claims.unboundImmediate.length > 0) return { status: newStatus(Code.UnschedulableAndUnresolvable, ERR_UNBOUND_IMMEDIATE) };
    state.write(STATE_KEY, { claims, byNode: new Map() } satisfies CycleData);
    return undefined;
  }

  filter(state: CycleState, pod: PodInfo, node: NodeInfo): Result {
    let data = state.read<CycleData>(STATE_KEY);
    if (!data) {
      // A cycle without PreFilter (preemption's simulation, unit tests) works it out here.
      const claims = getPodVolumeClaims(pod.pod, this.deps.listers);
      if (isClaimError(claims)) return newStatus(Code.UnschedulableAndUnresolvable, claims.message);
      state.write(STATE_KEY, (data = { claims, byNode: new Map() }));
    }
    const r = findPodVolumes(data.claims, node, this.deps.listers, (pv, pvc) => this.takenByOther(pv, pvc));
    if (r.reasons.length > 0) return newStatus(Code.UnschedulableAndUnresolvable, ...r.reasons);
    data.byNode.set(node.name, r.podVolumes);
    return undefined;
  }

  private takenByOther(pv: PersistentVolume, pvc: PersistentVolumeClaim): boolean {
    const owner = this.assumed.get(pv.metadata?.name ?? '');
    return owner !== undefined && owner !== `${pvc.metadata?.namespace ?? ''}/${pvc.metadata?.name ?? ''}`;
  }

  /** AssumePodVolumes: the static PVs chosen for this node are promised, so the next pod's Filter skips them. */
  reserve(state: CycleState, _pod: PodInfo, nodeName: string): Result {
    const data = state.read<CycleData>(STATE_KEY);
    const pv = data?.byNode.get(nodeName);
    if (!data || !pv) return undefined;
    data.reserved = pv;
    for (const b of pv.staticBindings) this.assumed.set(b.pv.metadata?.name ?? '', `${b.pvc.metadata?.namespace ?? ''}/${b.pvc.metadata?.name ?? ''}`);
    return undefined;
  }

  /** RevertAssumedPodVolumes: what was written to the API stays (as upstream); the promise ends. */
  unreserve(state: CycleState): void {
    const data = state.read<CycleData>(STATE_KEY);
    for (const b of data?.reserved?.staticBindings ?? []) this.assumed.delete(b.pv.metadata?.name ?? '');
  }

  /** BindPodVolumes: write the bindings, then wait until the PV controller has bound every claim. */
  async preBind(state: CycleState, _pod: PodInfo, nodeName: string): Promise<Result> {
    const data = state.read<CycleData>(STATE_KEY);
    const reserved = data?.reserved;
    if (!data || !reserved) return undefined;
    const nothingToBind = reserved.staticBindings.length === 0 && reserved.dynamicProvisions.length === 0;
    try {
      if (!nothingToBind) await this.writeBindings(reserved, nodeName);
      await waitForBindings({
        claims: [...data.claims.bound, ...data.claims.unboundDelayBinding],
        podVolumes: reserved,
        node: { name: nodeName, labels: this.deps.nodes?.get(nodeName)?.labels ?? { 'kubernetes.io/hostname': nodeName } },
        listers: this.deps.listers,
        timeoutMs: this.deps.bindTimeoutMs ?? DEFAULT_BIND_TIMEOUT_SECONDS * 1000,
        pollIntervalMs: this.deps.pollIntervalMs ?? 500,
        ...(this.deps.stopped ? { signal: this.deps.stopped } : {}),
      });
      return undefined;
    } catch (e) {
      return newStatus(Code.Error, `binding volumes: ${e instanceof Error ? e.message : String(e)}`);
    } finally {
      for (const b of reserved.staticBindings) this.assumed.delete(b.pv.metadata?.name ?? '');
    }
  }

  private async writeBindings(pv: PodVolumes, nodeName: string): Promise<void> {
    const client = this.deps.client;
    if (!client) throw new Error('no client to write volume bindings with');
    const pvs: ResourceClient<PersistentVolume> = client.resource('persistentvolumes');
    for (const { pvc, pv: vol } of pv.staticBindings) {
      if (vol.spec?.claimRef?.uid === pvc.metadata?.uid) continue;
      // Update, not patch: compare-and-swap on the PV's resourceVersion, so a PV taken meanwhile is a conflict (GetBindVolumeToClaim).
      await pvs.update({
        ...vol,
        metadata: { ...vol.metadata, annotations: { ...vol.metadata?.annotations, [ANN_BOUND_BY_CONTROLLER]: 'yes' } },
        spec: {
          ...vol.spec,
          claimRef: { kind: 'PersistentVolumeClaim', apiVersion: 'v1', namespace: pvc.metadata?.namespace ?? '', name: pvc.metadata?.name ?? '', uid: pvc.metadata?.uid ?? '', resourceVersion: pvc.metadata?.resourceVersion ?? '' },
        },
      });
    }
    for (const pvc of pv.dynamicProvisions) {
      if (pvc.metadata?.annotations?.[ANN_SELECTED_NODE] === nodeName) continue;
      await client.resource<PersistentVolumeClaim>('persistentvolumeclaims', pvc.metadata?.namespace ?? '').update({
        ...pvc,
        metadata: { ...pvc.metadata, annotations: { ...pvc.metadata?.annotations, [ANN_SELECTED_NODE]: nodeName } },
      });
    }
  }

  eventsToRegister() {
    const addOrUpdate = ActionType.Add | ActionType.Update;
    return [
      { resource: 'PersistentVolumeClaim' as const, action: addOrUpdate },
      { resource: 'PersistentVolume' as const, action: addOrUpdate },
      { resource: 'StorageClass' as const, action: addOrUpdate },
      { resource: 'Node' as const, action: ActionType.Add | ActionType.UpdateNodeLabel },
    ];
  }
}

/** No informers (a bare framework in unit tests and benchmarks): every claim is missing. */
const NO_VOLUMES: VolumeListers = { claim: () => undefined, volume: () => undefined, volumes: () => [], storageClass: () => undefined };

/** The registry's factory: listers from the scheduler's informers (PVCs, PVs, StorageClasses). */
export function newVolumeBinding(args: unknown, handle: Handle): VolumeBinding {
  const seconds = (args as VolumeBindingArgs | undefined)?.bindTimeoutSeconds ?? DEFAULT_BIND_TIMEOUT_SECONDS;
  return new VolumeBinding({
    listers: handle.informerFactory ? informerListers(handle.informerFactory) : NO_VOLUMES,
    nodes: handle.nodes,
    ...(handle.client ? { client: handle.client } : {}),
    ...(handle.stopped ? { stopped: handle.stopped } : {}),
    bindTimeoutMs: seconds * 1000,
  });
}

function informerListers(f: SharedInformerFactory): VolumeListers {
  const claims = f.informerFor<PersistentVolumeClaim>('persistentvolumeclaims').lister;
  const volumes = f.informerFor<PersistentVolume>('persistentvolumes').lister;
  const classes = f.informerFor<StorageClass>('storageclasses.storage.k8s.io').lister;
  return {
    claim: (ns, name) => claims.getByName(ns, name),
    volume: (name) => volumes.get(name),
    volumes: () => volumes.list(),
    storageClass: (name) => classes.get(name),
  };
}
