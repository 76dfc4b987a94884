// The scheduler cache (k8s backend/cache/cache.go): every node with the pods counted against
// it — pods the informer reports as bound, and pods the scheduler *assumed* (decided and sent
// for binding, not yet seen bound). Counting assumed pods is what lets the next decision run
// while binds are in flight without double-booking a node. An assumed pod is confirmed when
// the informer reports it bound, forgotten when its binding fails, and expires if, after its
// binding finished, the informer never confirms it within the TTL.
import type { Node } from 'kubernetes-types/core/v1';
import type { NodeInfoLister } from './framework/interface.js';
import { NodeInfo, type PodInfo } from './framework/types.js';

interface PodState {
  info: PodInfo;
  nodeName: string;
  assumed: boolean;
  bindingFinished: boolean;
  /** When an assumed pod whose binding finished gives up waiting for confirmation. */
  deadline?: number;
}

interface Selector {
  matches(labels: Record<string, string> | undefined): boolean;
  toString(): string;
}

interface Memo {
  namespace: string;
  selector: Selector;
  counts: Map<string, number>;
}

export interface SchedulerCacheOptions {
  /** How long an assumed pod whose binding finished may stay unconfirmed (k8s: 30 s before 1.27). */
  assumedPodTtlMs?: number;
  now?: () => number;
  /** Memoised selector counts kept (least recently used dropped first). */
  maxSelectorMemos?: number;
}

const counted = (p: PodInfo): boolean => !p.pod.metadata?.deletionTimestamp;

export class SchedulerCache implements NodeInfoLister {
  private readonly nodes = new Map<string, NodeInfo>();
  private nodeList: NodeInfo[] | undefined;
  private readonly pods = new Map<string, PodState>();
  /** uids of assumed pods, so expiry does not walk every pod. */
  private readonly assumed = new Set<string>();
  private readonly memos = new Map<string, Memo>();
  private readonly ttlMs: number;
  private readonly now: () => number;
  private readonly maxMemos: number;

  constructor(opts: SchedulerCacheOptions = {}) {
    this.ttlMs = opts.assumedPodTtlMs ?? 30_000;
    this.now = opts.now ?? Date.now;
    this.maxMemos = opts.maxSelectorMemos ?? 64;
  }

  // ---- NodeInfoLister ----

  list(): readonly NodeInfo[] {
    this.nodeList ??= [...this.nodes.values()].filter((n) => n.node !== undefined);
    return this.nodeList;
  }

  get(name: string): NodeInfo | undefined {
    return this.nodes.get(name);
  }

  countMatching(namespace: string, selector: Selector): ReadonlyMap<string, number> {
    const key = `${namespace}\n${selector.toString()}`;
    let memo = this.memos.get(key);
    if (memo) {
      this.memos.delete(key);
      this.memos.set(key, memo);
      return memo.counts;
    }
    memo = { namespace, selector, counts: new Map() };
    for (const s of this.pods.values()) {
      if (s.info.namespace === namespace && counted(s.info) && selector.matches(s.info.labels as Record<string, string>)) {
        memo.counts.set(s.nodeName, (memo.counts.get(s.nodeName) ?? 0) + 1);
      }
    }
    this.memos.set(key, memo);
    if (this.memos.size > this.maxMemos) this.memos.delete(this.memos.keys().next().value as string);
    return memo.counts;
  }

  // ---- nodes ----

  addNode(node: Node): void {
    const name = node.metadata?.name ?? '';
    let info = this.nodes.get(name);
    if (!info) this.nodes.set(name, (info = new NodeInfo(name)));
    info.setNode(node);
    this.nodeList = undefined;
  }

  updateNode(node: Node): void {
    const info = this.nodes.get(node.metadata?.name ?? '');
    if (!info || !info.node) return this.addNode(node);
    info.setNode(node);
  }

  removeNode(name: string): void {
    const info = this.nodes.get(name);
    if (!info) return;
    // Pods still counted against it keep a ghost entry until they are gone, as k8s does.
    if (info.pods.size === 0) this.nodes.delete(name);
    else info.removeNode();
    this.nodeList = undefined;
  }

  nodeCount(): number {
    return this.list().length;
  }

  // ---- pods ----

  /** Counts a pod the scheduler has just placed, before the apiserver confirms the binding. */
  assumePod(info: PodInfo, nodeName: string): void {
    if (this.pods.has(info.uid)) throw new Error(`pod ${info.key} (${info.uid}) is already in the cache, so can't be assumed`);
    this.pods.set(info.uid, { info, nodeName, assumed: true, bindingFinished: false });
    this.assumed.add(info.uid);
    this.addToNode(info, nodeName);
  }

  /** The binding call returned: from now on the TTL runs. */
  finishBinding(uid: string): void {
    const s = this.pods.get(uid);
    if (!s || !s.assumed) return;
    s.bindingFinished = true;
    s.deadline = this.now() + this.ttlMs;
  }

  /** The binding failed: the assumed pod no longer counts. */
  forgetPod(uid: string): void {
    const s = this.pods.get(uid);
    if (!s || !s.assumed) return;
    this.removeFromNode(s.info, s.nodeName);
    this.pods.delete(uid);
    this.assumed.delete(uid);
  }

  isAssumed(uid: string): boolean {
    return this.pods.get(uid)?.assumed === true;
  }

  /** The informer saw the pod bound: confirm an assumed pod (moving it if it landed elsewhere) or add it. */
  addPod(info: PodInfo, nodeName: string): void {
    const s = this.pods.get(info.uid);
    if (s) {
      this.removeFromNode(s.info, s.nodeName);
      s.info = info;
      s.nodeName = nodeName;
      s.assumed = false;
      s.deadline = undefined;
      this.assumed.delete(info.uid);
      this.addToNode(info, nodeName);
      return;
    }
    this.pods.set(info.uid, { info, nodeName, assumed: false, bindingFinished: true });
    this.addToNode(info, nodeName);
  }

  updatePod(info: PodInfo, nodeName: string): void {
    this.addPod(info, nodeName);
  }

  removePod(uid: string): void {
    const s = this.pods.get(uid);
    if (!s) return;
    this.removeFromNode(s.info, s.nodeName);
    this.pods.delete(uid);
    this.assumed.delete(uid);
  }

  /** Drops assumed pods whose binding finished more than the TTL ago; returns their keys. */
  cleanupExpiredAssumedPods(now = this.now()): string[] {
    const expired: string[] = [];
    for (const uid of this.assumed) {
      const s = this.pods.get(uid);
      if (s && s.bindingFinished && s.deadline !== undefined && now >= s.deadline) {
        this.removeFromNode(s.info, s.nodeName);
        this.pods.delete(uid);
        this.assumed.delete(uid);
        expired.push(s.info.key);
      }
    }
    return expired;
  }

  podCount(): number {
    return this.pods.size;
  }

  private addToNode(info: PodInfo, nodeName: string): void {
    let n = this.nodes.get(nodeName);
    if (!n) this.nodes.set(nodeName, (n = new NodeInfo(nodeName)));
    n.addPod(info);
    this.adjustMemos(info, nodeName, 1);
  }

  private removeFromNode(info: PodInfo, nodeName: string): void {
    const n = this.nodes.get(nodeName);
    if (!n) return;
    if (n.removePod(info.uid)) this.adjustMemos(info, nodeName, -1);
    if (!n.node && n.pods.size === 0) this.nodes.delete(nodeName);
  }

  private adjustMemos(info: PodInfo, nodeName: string, delta: 1 | -1): void {
    if (this.memos.size === 0 || !counted(info)) return;
    for (const m of this.memos.values()) {
      if (m.namespace !== info.namespace || !m.selector.matches(info.labels as Record<string, string>)) continue;
      const v = (m.counts.get(nodeName) ?? 0) + delta;
      if (v > 0) m.counts.set(nodeName, v);
      else m.counts.delete(nodeName);
    }
  }
}
