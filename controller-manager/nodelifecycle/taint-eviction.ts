// The NoExecute taint manager (pkg/controller/tainteviction), run inside the node lifecycle
// controller: a pod on a node with NoExecute taints it does not tolerate is deleted — at once,
// or after the smallest tolerationSeconds of the tolerations it uses. Pods without their own
// not-ready/unreachable toleration get the DefaultTolerationSeconds admission defaults
// (--default-not-ready-toleration-seconds / --default-unreachable-toleration-seconds, 300).
import type { Node, Pod, Taint, Toleration } from 'kubernetes-types/core/v1';
import { WorkQueue, metaNamespaceKey, deletedObject, isNotFound, splitKey, type EventRecorder, type ReconcileResult, type ResourceClient, type SharedInformer } from '../../client/index.js';
import type { ControllerContext } from '../controller.js';
import { metaTime } from '../../api/time.js';
import { runQueue } from '../run-queue.js';
import { TAINT_NODE_NOT_READY, TAINT_NODE_UNREACHABLE, toleratesTaint } from '../../api/scheduling/taints.js';

/** The pod's tolerations plus the DefaultTolerationSeconds admission defaults it lacks. */
export function effectiveTolerations(pod: Pod, defaults: { notReadySeconds: number; unreachableSeconds: number }): Toleration[] {
  const tols = [...(pod.spec?.tolerations ?? [])];
  const has = (key: string): boolean => tols.some((t) => (t.key === key || !t.key) && (t.effect === 'NoExecute' || !t.effect));
  const extra: Toleration[] = [];
  if (!has(TAINT_NODE_NOT_READY)) extra.push({ key: TAINT_NODE_NOT_READY, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: defaults.notReadySeconds });
  if (!has(TAINT_NODE_UNREACHABLE)) extra.push({ key: TAINT_NODE_UNREACHABLE, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: defaults.unreachableSeconds });
  return [...tols, ...extra];
}

/**
 * Seconds until a pod must go from a node with these NoExecute taints: 0 when some taint is
 * not tolerated, the smallest tolerationSeconds of the tolerations used, undefined = never.
 */
export function evictionDelaySeconds(noExecute: readonly Taint[], tolerations: readonly Toleration[]): number | undefined {
  if (noExecute.length === 0) return undefined;
  const used: Toleration[] = [];
  for (const taint of noExecute) {
    const t = tolerations.find((tol) => toleratesTaint(tol, taint));
    if (!t) return 0;
    used.push(t);
  }
  let min: number | undefined;
  for (const t of used) {
    if (t.tolerationSeconds === undefined || t.tolerationSeconds === null) continue;
    if (t.tolerationSeconds <= 0) return 0;
    min = min === undefined ? t.tolerationSeconds : Math.min(min, t.tolerationSeconds);
  }
  return min;
}

export const noExecuteTaints = (node: Node | undefined): Taint[] => (node?.spec?.taints ?? []).filter((t) => t.effect === 'NoExecute');

export interface TaintEvictionOptions {
  /** tolerationSeconds of the default not-ready / unreachable tolerations. */
  defaults: { notReadySeconds: number; unreachableSeconds: number };
  workers: number;
}

/** Evicts pods from NoExecute-tainted nodes; its informers are the node lifecycle controller's. */
export class TaintEviction {
  /** pod uid → when the eviction was first scheduled. */
  private readonly evictions = new Map<string, number>();
  private readonly queue = new WorkQueue<string>({ name: 'taint_eviction' });
  private readonly podClient: ResourceClient<Pod>;

  constructor(
    private readonly ctx: ControllerContext,
    private readonly nodes: SharedInformer<Node>,
    private readonly pods: SharedInformer<Pod>,
    private readonly recorder: EventRecorder,
    private readonly opts: TaintEvictionOptions,
  ) {
    this.podClient = ctx.client.resource('pods');
    const onPod = (p: Pod): void => {
      if (p.spec?.nodeName && (noExecuteTaints(nodes.lister.getByName('', p.spec.nodeName)).length || this.evictions.has(p.metadata?.uid ?? ''))) {
        this.queue.add(metaNamespaceKey(p));
      }
    };
    pods.addEventHandler({ onAdd: onPod, onUpdate: (_o, p) => onPod(p), onDelete: (p) => void this.evictions.delete(deletedObject(p).metadata?.uid ?? '') });
  }

  /** A node's NoExecute taints changed: look at every pod on it. */
  nodeTaintsChanged(old: Node, cur: Node): void {
    if (JSON.stringify(noExecuteTaints(old)) === JSON.stringify(noExecuteTaints(cur))) return;
    for (const p of this.pods.lister.byIndex('spec.nodeName', cur.metadata?.name ?? '')) this.queue.add(metaNamespaceKey(p));
  }

  run(signal: AbortSignal): Promise<void> {
    return runQueue(this.ctx, signal, { name: 'taint-eviction', queue: this.queue, workers: this.opts.workers, reconcile: (key) => this.sync(key) });
  }

  private async sync(key: string): Promise<ReconcileResult | void> {
    const { namespace, name } = splitKey(key);
    const pod = this.pods.lister.getByName(namespace, name);
    const uid = pod?.metadata?.uid ?? '';
    const node = pod?.spec?.nodeName ? this.nodes.lister.getByName('', pod.spec.nodeName) : undefined;
    const delay = pod && node && !pod.metadata?.deletionTimestamp ? evictionDelaySeconds(noExecuteTaints(node), effectiveTolerations(pod, this.opts.defaults)) : undefined;
    if (!pod || delay === undefined) {
      if (uid) this.evictions.delete(uid);
      return;
    }
    const start = this.evictions.get(uid) ?? Date.now();
    this.evictions.set(uid, start);
    const due = start + delay * 1000;
    if (Date.now() < due) return { requeueAfterMs: due - Date.now() };
    await this.evict(pod, key);
    this.evictions.delete(uid);
    this.ctx.log.info({ pod: key, node: node?.metadata?.name }, 'evicted pod from tainted node');
  }

  /** DisruptionTarget condition first (as Kubernetes), then the delete, pinned to the pod's uid. */
  private async evict(pod: Pod, key: string): Promise<void> {
    const { namespace, name } = splitKey(key);
    this.recorder.event(pod, 'Normal', 'TaintManagerEviction', `Marking for deletion Pod ${key}`);
    await this.podClient
      .inNamespace(namespace)
      .patch(
        name,
        'strategic',
        { status: { conditions: [{ type: 'DisruptionTarget', status: 'True', reason: 'DeletionByTaintManager', message: 'Taint manager: deleting due to NoExecute taint', lastTransitionTime: metaTime() }] } },
        { subresource: 'status' },
      )
      .catch(() => undefined);
    await this.podClient
      .inNamespace(namespace)
      .delete(name, { preconditions: { uid: pod.metadata?.uid ?? '' } })
      .catch((e: unknown) => {
        if (!isNotFound(e)) throw e;
      });
  }
}
