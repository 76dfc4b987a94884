// The Node authorizer's graph (Kubernetes' plugin/pkg/auth/authorizer/node/graph.go): which
// objects each node may read because of the pods bound to it.
//
//   node ← pod ← secret, configmap, serviceaccount, pvc ← pv ← secret
//
// Kubernetes keeps a general graph and walks it per request (with a destination index for
// busy vertices). Here every question the authorizer asks is "is X reachable from node N", so
// the graph is kept materialised: per node, a reference count for every object it reaches.
// A request is then three Map lookups and no allocation; each add/update/delete of a pod, PVC or
// PV touches only the counts of the nodes it changes. Counting keeps shared objects right:
// a secret two pods use stays reachable while either pod is on the node.
//
// A PVC reaches a PV when the PV's spec.claimRef names the claim (Kubernetes' edge: claimRef
// is written by the PV controller or an admin, never by the claim's owner), or — because
// tskube runs no PV binder, so hand-bound PVs have no claimRef — when the claim's
// spec.volumeName names a PV whose claimRef is unset. A claim can thus never reach a PV that
// is bound to another claim.
import type { PersistentVolume, PersistentVolumeClaim } from 'kubernetes-types/core/v1';
import { isObject, type KObject } from '../../../api/types.js';
import { isMirrorPod, podReferences, pvSecretReferences, type SecretRef } from './references.js';

/** Kinds of objects a node may reach (Kubernetes' vertex types the authorizer asks about). */
export type VertexType = 'pod' | 'secret' | 'configmap' | 'serviceaccount' | 'pvc' | 'pv';

/** namespace → name → count; cluster-scoped objects (PVs) use namespace ''. */
class RefCounts {
  private readonly byNamespace = new Map<string, Map<string, number>>();
  size = 0;

  has(namespace: string, name: string): boolean {
    return this.byNamespace.get(namespace)?.has(name) ?? false;
  }

  /** Returns the new count. */
  inc(namespace: string, name: string): number {
    let names = this.byNamespace.get(namespace);
    if (!names) this.byNamespace.set(namespace, (names = new Map()));
    const n = (names.get(name) ?? 0) + 1;
    names.set(name, n);
    if (n === 1) this.size++;
    return n;
  }

  /** Returns the new count (0: gone). */
  dec(namespace: string, name: string): number {
    const names = this.byNamespace.get(namespace);
    const cur = names?.get(name);
    if (!names || cur === undefined) return 0;
    if (cur > 1) {
      names.set(name, cur - 1);
      return cur - 1;
    }
    names.delete(name);
    if (names.size === 0) this.byNamespace.delete(namespace);
    this.size--;
    return 0;
  }
}

/** Everything one node reaches. */
class NodeRefs {
  readonly pod = new RefCounts();
  readonly secret = new RefCounts();
  readonly configmap = new RefCounts();
  readonly serviceaccount = new RefCounts();
  readonly pvc = new RefCounts();
  readonly pv = new RefCounts();
}

/** What a pod bound to a node contributes (references resolved once, at add time). */
interface PodRecord {
  namespace: string;
  name: string;
  uid: string;
  node: string;
  secrets: string[];
  configMaps: string[];
  claims: string[];
  serviceAccount: string;
}

interface PVRecord {
  /** `namespace/name` of spec.claimRef, '' when unset. */
  claim: string;
  secrets: SecretRef[];
}

const key = (namespace: string, name: string): string => `${namespace}/${name}`;

function getOrAdd<K, V>(m: Map<K, V>, k: K, make: () => V): V {
  let v = m.get(k);
  if (v === undefined) m.set(k, (v = make()));
  return v;
}

function sameStrings(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

function samePod(a: PodRecord, b: PodRecord): boolean {
  return (
    a.node === b.node &&
    a.uid === b.uid &&
    a.serviceAccount === b.serviceAccount &&
    sameStrings(a.secrets, b.secrets) &&
    sameStrings(a.configMaps, b.configMaps) &&
    sameStrings(a.claims, b.claims)
  );
}

function samePV(a: PVRecord, b: PVRecord): boolean {
  return a.claim === b.claim && sameSecretRefs(a.secrets, b.secrets);
}

export class NodeGraph {
  private readonly nodes = new Map<string, NodeRefs>();
  private readonly pods = new Map<string, PodRecord>();
  private readonly pvs = new Map<string, PVRecord>();
  /** PVC key → the PV its spec.volumeName names. */
  private readonly claimVolume = new Map<string, string>();
  /** PV name → PVC keys whose spec.volumeName names it. */
  private readonly claimsByVolume = new Map<string, Set<string>>();
  /** The effective PVC ↔ PV links, both ways. */
  private readonly pvClaims = new Map<string, Set<string>>();
  private readonly claimPVs = new Map<string, Set<string>>();
  /** Which nodes reach a PVC: where a change of its links must be applied. */
  private readonly claimNodes = new Map<string, Set<string>>();

  // ---- queries (the authorizer's hot path: no allocation) ------------------------------

  /** Whether node `node` reaches the object (namespace '' for PVs). */
  hasPathFrom(type: VertexType, node: string, namespace: string, name: string): boolean {
    const refs = this.nodes.get(node);
    return refs !== undefined && refs[type].has(namespace, name);
  }

  /** The node a pod is bound to, as the graph knows it. */
  nodeOfPod(namespace: string, name: string): string | undefined {
    return this.pods.get(key(namespace, name))?.node;
  }

  /** How many distinct objects of a type a node reaches (for tests and metrics). */
  countFor(type: VertexType, node: string): number {
    return this.nodes.get(node)?.[type].size ?? 0;
  }

  /** Nodes that reach anything. */
  get nodeCount(): number {
    return this.nodes.size;
  }

  // ---- pods -----------------------------------------------------------------------------

  /** Adds or updates a pod; a pod not (or no longer) bound to a node contributes nothing. */
  addPod(pod: KObject): void {
    const namespace = pod.metadata?.namespace ?? '';
    const name = pod.metadata?.name ?? '';
    const k = key(namespace, name);
    const node = nodeNameOf(pod);
    const old = this.pods.get(k);
    if (!node) {
      if (old) this.removePodRecord(k, old);
      return;
    }
    // A mirror pod reaches only its node: a node must never gain access to other objects by
    // creating a pod (defence in depth behind NodeRestriction, as in Kubernetes).
    const refs = isMirrorPod(pod) ? { secrets: [], configMaps: [], claims: [], serviceAccount: '' } : podReferences(pod);
    const rec: PodRecord = { namespace, name, uid: pod.metadata?.uid ?? '', node, ...refs };
    if (old && samePod(old, rec)) return;
    if (old) this.removePodRecord(k, old);
    this.addPodRecord(k, rec);
  }

  deletePod(namespace: string, name: string): void {
    const k = key(namespace, name);
    const old = this.pods.get(k);
    if (old) this.removePodRecord(k, old);
  }

  /** Makes the pods exactly `pods` (after a relist). */
  replacePods(pods: Iterable<KObject>): void {
    const seen = new Set<string>();
    for (const p of pods) {
      seen.add(key(p.metadata?.namespace ?? '', p.metadata?.name ?? ''));
      this.addPod(p);
    }
    for (const [k, rec] of [...this.pods]) if (!seen.has(k)) this.removePodRecord(k, rec);
  }

  private addPodRecord(k: string, rec: PodRecord): void {
    this.pods.set(k, rec);
    const { node, namespace: ns } = rec;
    const refs = getOrAdd(this.nodes, node, () => new NodeRefs());
    refs.pod.inc(ns, rec.name);
    for (const s of rec.secrets) refs.secret.inc(ns, s);
    for (const c of rec.configMaps) refs.configmap.inc(ns, c);
    if (rec.serviceAccount) refs.serviceaccount.inc(ns, rec.serviceAccount);
    for (const c of rec.claims) {
      if (refs.pvc.inc(ns, c) !== 1) continue;
      const ck = key(ns, c);
      getOrAdd(this.claimNodes, ck, () => new Set()).add(node);
      for (const pv of this.claimPVs.get(ck) ?? []) this.addPVToNode(refs, pv);
    }
  }

  private removePodRecord(k: string, rec: PodRecord): void {
    this.pods.delete(k);
    const { node, namespace: ns } = rec;
    const refs = this.nodes.get(node);
    if (!refs) return;
    refs.pod.dec(ns, rec.name);
    for (const s of rec.secrets) refs.secret.dec(ns, s);
    for (const c of rec.configMaps) refs.configmap.dec(ns, c);
    if (rec.serviceAccount) refs.serviceaccount.dec(ns, rec.serviceAccount);
    for (const c of rec.claims) {
      if (refs.pvc.dec(ns, c) !== 0) continue;
      const ck = key(ns, c);
      for (const pv of this.claimPVs.get(ck) ?? []) this.removePVFromNode(refs, pv);
      deleteFromSet(this.claimNodes, ck, node);
    }
    // Everything a node reaches hangs off its pods: with none left, nothing is left.
    if (refs.pod.size === 0) this.nodes.delete(node);
  }

  // ---- PVs and PVCs ------------------------------------------------------------------------

  addPV(pv: KObject): void {
    const name = pv.metadata?.name ?? '';
    const ref = (pv as PersistentVolume).spec?.claimRef;
    const rec: PVRecord = { claim: ref?.name ? key(ref.namespace ?? '', ref.name) : '', secrets: pvSecretReferences(pv) };
    const old = this.pvs.get(name);
    if (old && samePV(old, rec)) return;
    // The secrets a node was given for this PV are taken back with the old list.
    if (old && !sameSecretRefs(old.secrets, rec.secrets)) this.relinkPV(name, new Set());
    this.pvs.set(name, rec);
    this.relinkPV(name);
  }

  deletePV(name: string): void {
    if (!this.pvs.has(name)) return;
    this.relinkPV(name, new Set());
    this.pvs.delete(name);
  }

  replacePVs(pvs: Iterable<KObject>): void {
    const seen = new Set<string>();
    for (const pv of pvs) {
      seen.add(pv.metadata?.name ?? '');
      this.addPV(pv);
    }
    for (const name of [...this.pvs.keys()]) if (!seen.has(name)) this.deletePV(name);
  }

  addPVC(pvc: KObject): void {
    const ck = key(pvc.metadata?.namespace ?? '', pvc.metadata?.name ?? '');
    this.setClaimVolume(ck, (pvc as PersistentVolumeClaim).spec?.volumeName ?? '');
  }

  deletePVC(namespace: string, name: string): void {
    this.setClaimVolume(key(namespace, name), '');
  }

  replacePVCs(pvcs: Iterable<KObject>): void {
    const seen = new Set<string>();
    for (const pvc of pvcs) {
      seen.add(key(pvc.metadata?.namespace ?? '', pvc.metadata?.name ?? ''));
      this.addPVC(pvc);
    }
    for (const ck of [...this.claimVolume.keys()]) if (!seen.has(ck)) this.setClaimVolume(ck, '');
  }

  private setClaimVolume(ck: string, volume: string): void {
    const old = this.claimVolume.get(ck) ?? '';
    if (old === volume) return;
    if (old) deleteFromSet(this.claimsByVolume, old, ck);
    if (volume) {
      this.claimVolume.set(ck, volume);
      getOrAdd(this.claimsByVolume, volume, () => new Set()).add(ck);
    } else {
      this.claimVolume.delete(ck);
    }
    if (old) this.relinkPV(old);
    if (volume) this.relinkPV(volume);
  }

  /** The claims a PV is linked to: its claimRef, else the claims naming it (see the header). */
  private desiredClaims(pv: string): Set<string> {
    const rec = this.pvs.get(pv);
    if (!rec) return new Set();
    if (rec.claim) return new Set([rec.claim]);
    return new Set(this.claimsByVolume.get(pv) ?? []);
  }

  /** Brings a PV's links to `desired`, touching only the nodes of the claims that change. */
  private relinkPV(pv: string, desired = this.desiredClaims(pv)): void {
    const current = this.pvClaims.get(pv) ?? new Set<string>();
    for (const ck of [...current]) if (!desired.has(ck)) this.unlink(ck, pv);
    for (const ck of desired) if (!current.has(ck)) this.link(ck, pv);
  }

  private link(ck: string, pv: string): void {
    getOrAdd(this.pvClaims, pv, () => new Set()).add(ck);
    getOrAdd(this.claimPVs, ck, () => new Set()).add(pv);
    for (const node of this.claimNodes.get(ck) ?? []) this.addPVToNode(this.nodes.get(node)!, pv);
  }

  private unlink(ck: string, pv: string): void {
    deleteFromSet(this.pvClaims, pv, ck);
    deleteFromSet(this.claimPVs, ck, pv);
    for (const node of this.claimNodes.get(ck) ?? []) this.removePVFromNode(this.nodes.get(node)!, pv);
  }

  private addPVToNode(refs: NodeRefs, pv: string): void {
    if (refs.pv.inc('', pv) !== 1) return;
    for (const s of this.pvs.get(pv)?.secrets ?? []) refs.secret.inc(s.namespace, s.name);
  }

  private removePVFromNode(refs: NodeRefs, pv: string): void {
    // The PV's record still holds the secrets it was added with (addPV unlinks before it
    // replaces a record whose secrets changed).
    if (refs.pv.dec('', pv) !== 0) return;
    for (const s of this.pvs.get(pv)?.secrets ?? []) refs.secret.dec(s.namespace, s.name);
  }
}

function nodeNameOf(pod: KObject): string {
  const spec = pod.spec;
  const n = isObject(spec) ? spec.nodeName : undefined;
  return typeof n === 'string' ? n : '';
}

function sameSecretRefs(a: SecretRef[], b: SecretRef[]): boolean {
  return a.length === b.length && a.every((s, i) => s.namespace === b[i]!.namespace && s.name === b[i]!.name);
}

function deleteFromSet<K, V>(m: Map<K, Set<V>>, k: K, v: V): void {
  const s = m.get(k);
  if (!s) return;
  s.delete(v);
  if (s.size === 0) m.delete(k);
}
