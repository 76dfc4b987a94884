// NodeRestriction (Kubernetes' plugin/pkg/admission/noderestriction/admission.go): the writes
// a kubelet may make, once the Node authorizer let the request through. It limits a node to
// its own Node object (without touching its taints or the labels that steer workloads), to
// the status, eviction and deletion of pods bound to it, to tokens bound to those pods, and to
// its own Lease. Requests from anyone but a node pass untouched. The messages are Kubernetes'.
import type { ResourceInfo } from '../../api/resources.js';
import { errors, type GroupResource, type StatusError } from '../../api/status.js';
import { isObject, type KObject } from '../../api/types.js';
import type { UserInfo } from '../../api/user.js';
import { describeDiff, semanticEqual } from '../../api/validation/equal.js';
import { NAMESPACE_NODE_LEASE } from '../auth/node/authorizer.js';
import { nodeIdentityOf } from '../auth/node/identity.js';
import { isMirrorPod, MIRROR_POD_ANNOTATION } from '../auth/node/references.js';
import type { AdmissionAttributes, AdmissionPlugin, Operation } from './interfaces.js';

/** Looks a pod up (the lead's pods watch cache, or storage); undefined when it does not exist. */
export type PodGetter = (namespace: string, name: string) => KObject | undefined | Promise<KObject | undefined>;

/** A TokenRequest as the token handler has it: metadata carries the URL's namespace and service account name. */
export type NodeTokenRequest = KObject & { metadata: { namespace: string; name: string } };

const PODS: GroupResource = { group: '', resource: 'pods' };
const SERVICE_ACCOUNTS: GroupResource = { group: '', resource: 'serviceaccounts' };

/** v1.LabelNamespaceNodeRestriction: labels only an admin may put on a Node. */
const NODE_RESTRICTION_LABEL_NAMESPACE = 'node-restriction.kubernetes.io';
/** kubeletapis' kubeletLabels: the kubernetes.io labels a kubelet may set on its Node. */
const KUBELET_LABELS = new Set([
  'kubernetes.io/hostname',
  'topology.kubernetes.io/zone',
  'topology.kubernetes.io/region',
  'failure-domain.beta.kubernetes.io/zone',
  'failure-domain.beta.kubernetes.io/region',
  'beta.kubernetes.io/instance-type',
  'node.kubernetes.io/instance-type',
  'kubernetes.io/os',
  'kubernetes.io/arch',
  'beta.kubernetes.io/os',
  'beta.kubernetes.io/arch',
]);
/** kubeletapis' kubeletLabelNamespaces: label namespaces (and their subdomains) kubelets may use. */
const KUBELET_LABEL_NAMESPACES = ['kubelet.kubernetes.io', 'node.kubernetes.io'];

/** Thrown as admission.NewForbidden does: `<resource> "<name>" is forbidden: <why>`. */
function forbidden(gr: GroupResource, name: string, why: string): StatusError {
  return errors.forbidden(gr, name || 'Unknown', why);
}

function specOf(obj: KObject | undefined): Record<string, unknown> {
  return obj && isObject(obj.spec) ? obj.spec : {};
}

function statusOf(obj: KObject | undefined): Record<string, unknown> {
  return obj && isObject(obj.status) ? obj.status : {};
}

function nodeNameOfPod(pod: KObject | undefined): string {
  const n = specOf(pod).nodeName;
  return typeof n === 'string' ? n : '';
}

/** The name admission attributes carry: the object's (its generateName on create without one). */
function nameOf(obj: KObject | undefined): string {
  return obj?.metadata?.name || obj?.metadata?.generateName || '';
}

export class NodeRestriction implements AdmissionPlugin {
  constructor(private readonly getPod: PodGetter) {}

  async admit(op: Operation, info: ResourceInfo, obj: KObject, old: KObject | undefined, attrs: AdmissionAttributes): Promise<void> {
    const node = attrs.user ? nodeIdentityOf(attrs.user) : undefined;
    if (node === undefined) return; // our job is only to restrict nodes
    const gr = { group: info.group, resource: info.resource };
    if (node === '') throw forbidden(gr, nameOf(obj), `could not determine node from user "${attrs.user!.username}"`);
    const sub = attrs.subresource ?? '';
    if (info.group === '') {
      switch (info.resource) {
        case 'pods':
          if (sub === '') return this.admitPod(node, op, obj, old);
          if (sub === 'status') return admitPodStatus(node, op, obj, old);
          if (sub === 'eviction') return this.admitPodEviction(node, op, obj, old);
          throw forbidden(PODS, nameOf(obj), `unexpected pod subresource "${sub}", only 'status' and 'eviction' are allowed`);
        case 'nodes':
          return admitNode(node, op, obj, old);
        case 'persistentvolumeclaims':
          if (sub === 'status') return admitPVCStatus(node, op, gr, obj, old);
          throw forbidden(gr, nameOf(obj), 'may only update PVC status');
        case 'serviceaccounts':
          // Only TokenRequests are restricted; the Node authorizer keeps nodes off the rest.
          if (op !== 'CREATE' || sub !== 'token') return;
          return admitNodeTokenRequest(attrs.user!, obj as NodeTokenRequest, this.getPod);
      }
    } else if (info.group === 'coordination.k8s.io' && info.resource === 'leases') {
      return admitLease(node, op, gr, obj, old);
    }
  }

  private admitPod(node: string, op: Operation, obj: KObject, old: KObject | undefined): void {
    if (op === 'CREATE') return admitPodCreate(node, obj);
    if (op === 'DELETE') {
      // `old` is the stored pod (Kubernetes reads it from its pod lister).
      if (nodeNameOfPod(old ?? obj) !== node) throw forbidden(PODS, nameOf(obj), `node "${node}" can only delete pods with spec.nodeName set to itself`);
      return;
    }
    throw forbidden(PODS, nameOf(obj), `unexpected operation "${op}", node "${node}" can only create and delete mirror pods`);
  }

  /**
   * Kubernetes admits an eviction as a CREATE of an Eviction; tskube's eviction handler deletes
   * the pod through the store, so it arrives as a DELETE of the pod with subresource
   * `eviction`. Both are checked the same way: the pod must be bound to this node.
   */
  private async admitPodEviction(node: string, op: Operation, obj: KObject, old: KObject | undefined): Promise<void> {
    let pod: KObject | undefined;
    if (op === 'DELETE') {
      pod = old ?? obj;
    } else if (op === 'CREATE') {
      const name = obj.metadata?.name ?? '';
      if (!name) throw forbidden(PODS, '', 'could not determine pod from request data');
      pod = await this.getPod(obj.metadata?.namespace ?? '', name);
      if (!pod) throw errors.notFound(PODS, name);
    } else {
      throw forbidden(PODS, nameOf(obj), `unexpected operation ${op}`);
    }
    if (nodeNameOfPod(pod) !== node) throw forbidden(PODS, nameOf(obj), `node ${node} can only evict pods with spec.nodeName set to itself`);
  }
}

/**
 * Kubernetes lets a node create only mirror pods (its static pods' API copies). tskube's
 * kubelets run no static pods, so there are no mirror pods to create: every pod create by a
 * node is refused, with Kubernetes' message when the annotation is missing.
 */
function admitPodCreate(node: string, pod: KObject): void {
  if (!isMirrorPod(pod)) {
    throw forbidden(PODS, nameOf(pod), `pod does not have "${MIRROR_POD_ANNOTATION}" annotation, node "${node}" can only create mirror pods`);
  }
  throw forbidden(PODS, nameOf(pod), `node "${node}" can not create mirror pods: tskube kubelets run no static pods`);
}

function admitPodStatus(node: string, op: Operation, pod: KObject, old: KObject | undefined): void {
  if (op !== 'UPDATE') throw forbidden(PODS, nameOf(pod), `unexpected operation "${op}"`);
  if (nodeNameOfPod(old) !== node) throw forbidden(PODS, nameOf(pod), `node "${node}" can only update pod status for pods with spec.nodeName set to itself`);
  if (!semanticEqual(old?.metadata?.labels ?? {}, pod.metadata?.labels ?? {})) {
    throw forbidden(PODS, nameOf(pod), `node "${node}" cannot update labels through pod status`);
  }
  if (!resourceClaimStatusesEqual(statusOf(old).resourceClaimStatuses, statusOf(pod).resourceClaimStatuses)) {
    throw forbidden(PODS, nameOf(pod), `node "${node}" cannot update resource claim statues`);
  }
}

/** Same claims, by name and claim name, in the same order (admission.go resourceClaimStatusesEqual). */
function resourceClaimStatusesEqual(a: unknown, b: unknown): boolean {
  const la = Array.isArray(a) ? (a as Record<string, unknown>[]) : [];
  const lb = Array.isArray(b) ? (b as Record<string, unknown>[]) : [];
  return la.length === lb.length && la.every((x, i) => x?.name === lb[i]?.name && (x?.resourceClaimName ?? null) === (lb[i]?.resourceClaimName ?? null));
}

/** The fields of a PVC a node may change through its status (admission.go admitPVCStatus). */
function withoutNodeWritableFields(pvc: KObject | undefined): Record<string, unknown> {
  const copy: Record<string, unknown> = { ...pvc };
  const { resourceVersion: _rv, managedFields: _mf, ...metadata } = pvc?.metadata ?? {};
  copy.metadata = metadata;
  // RecoverVolumeExpansionFailure (beta, on by default in 1.32) adds the allocated* fields.
  const { capacity: _c, conditions: _cd, allocatedResourceStatuses: _ars, allocatedResources: _ar, ...status } = statusOf(pvc);
  copy.status = status;
  return copy;
}

function admitPVCStatus(node: string, op: Operation, gr: GroupResource, pvc: KObject, old: KObject | undefined): void {
  if (op !== 'UPDATE') throw forbidden(gr, nameOf(pvc), `unexpected operation "${op}"`);
  const before = withoutNodeWritableFields(old);
  const after = withoutNodeWritableFields(pvc);
  if (!semanticEqual(before, after)) {
    const diff = describeDiff(before, after).join('; ');
    throw forbidden(gr, nameOf(pvc), `node "${node}" is not allowed to update fields other than status.capacity and status.conditions: ${diff}`);
  }
}

function admitNode(node: string, op: Operation, obj: KObject, old: KObject | undefined): void {
  const gr = { group: '', resource: 'nodes' };
  const requested = nameOf(op === 'CREATE' ? obj : (old ?? obj));
  if (requested !== node) throw forbidden(gr, requested, `node "${node}" is not allowed to modify node "${requested}"`);
  const spec = specOf(obj);
  if (op === 'CREATE') {
    // A node's access is scoped by what its Node spec names; a config source would widen it.
    if (spec.configSource != null) throw forbidden(gr, requested, `node "${node}" is not allowed to create pods with a non-nil configSource`);
    // Labels steer workloads: a node may not give itself the ones that attract privileged pods.
    const bad = forbiddenLabels(modifiedLabels(obj.metadata?.labels, undefined));
    if (bad.length) throw forbidden(gr, requested, `node "${node}" is not allowed to set the following labels: ${bad.join(', ')}`);
  }
  if (op === 'UPDATE') {
    const oldSpec = specOf(old);
    if (spec.configSource != null && !semanticEqual(spec.configSource, oldSpec.configSource)) {
      throw forbidden(gr, requested, `node "${node}" is not allowed to update configSource to a new non-nil configSource`);
    }
    // Removing its own taints would let a node attract the workloads they keep away.
    if (!semanticEqual(spec.taints, oldSpec.taints)) throw forbidden(gr, requested, `node "${node}" is not allowed to modify taints`);
    const bad = forbiddenLabels(modifiedLabels(obj.metadata?.labels, old?.metadata?.labels));
    // Kubernetes' update message has no node name in it.
    if (bad.length) throw forbidden(gr, requested, `is not allowed to modify labels: ${bad.join(', ')}`);
  }
}

/** Keys added, removed or changed between two label maps. */
function modifiedLabels(a: Record<string, string> | undefined, b: Record<string, string> | undefined): Set<string> {
  const out = new Set<string>();
  const x = a ?? {};
  const y = b ?? {};
  for (const k of Object.keys(x)) if (!Object.prototype.hasOwnProperty.call(y, k) || x[k] !== y[k]) out.add(k);
  for (const k of Object.keys(y)) if (!Object.prototype.hasOwnProperty.call(x, k) || x[k] !== y[k]) out.add(k);
  return out;
}

function labelNamespace(key: string): string {
  const i = key.indexOf('/');
  return i < 0 ? '' : key.slice(0, i);
}

const inNamespace = (ns: string, domain: string): boolean => ns === domain || ns.endsWith(`.${domain}`);

function isKubeletLabel(key: string): boolean {
  if (KUBELET_LABELS.has(key)) return true;
  const ns = labelNamespace(key);
  return KUBELET_LABEL_NAMESPACES.some((d) => inNamespace(ns, d));
}

/**
 * admission.go getForbiddenLabels: node-restriction.kubernetes.io labels, and kubernetes.io /
 * k8s.io labels that are not kubelet labels, may not be set, changed or removed by a node.
 * Sorted, as Kubernetes lists them.
 */
function forbiddenLabels(modified: Set<string>): string[] {
  const out: string[] = [];
  for (const key of modified) {
    const ns = labelNamespace(key);
    const restricted = inNamespace(ns, NODE_RESTRICTION_LABEL_NAMESPACE);
    const kubernetes = inNamespace(ns, 'kubernetes.io') || inNamespace(ns, 'k8s.io');
    if (restricted || (kubernetes && !isKubeletLabel(key))) out.push(key);
  }
  return out.sort();
}

function admitLease(node: string, op: Operation, gr: GroupResource, obj: KObject, old: KObject | undefined): void {
  const lease = op === 'CREATE' ? obj : (old ?? obj);
  if ((lease.metadata?.namespace ?? '') !== NAMESPACE_NODE_LEASE) {
    throw forbidden(gr, nameOf(lease), `can only access leases in the "${NAMESPACE_NODE_LEASE}" system namespace`);
  }
  if (nameOf(lease) !== node) throw forbidden(gr, nameOf(lease), 'can only access node lease with the same name as the requesting node');
}

/**
 * A node's TokenRequest (admission.go admitServiceAccount): it must be bound to a Pod (v1,
 * with a name and uid) that exists with that uid and is bound to this node — so a kubelet
 * can mint tokens only for the pods it runs. Non-node users pass. Throws 403 Forbidden (404
 * when the pod does not exist). The token handler calls this directly.
 */
export async function admitNodeTokenRequest(user: UserInfo, tokenRequest: NodeTokenRequest, getPod: PodGetter): Promise<void> {
  const node = nodeIdentityOf(user);
  if (node === undefined) return;
  const { namespace, name: serviceAccount } = tokenRequest.metadata;
  if (node === '') throw forbidden(SERVICE_ACCOUNTS, serviceAccount, `could not determine node from user "${user.username}"`);
  const ref = specOf(tokenRequest).boundObjectRef;
  const r = isObject(ref) ? ref : undefined;
  if (!r || r.apiVersion !== 'v1' || r.kind !== 'Pod' || typeof r.name !== 'string' || !r.name) {
    throw forbidden(SERVICE_ACCOUNTS, serviceAccount, 'node requested token not bound to a pod');
  }
  if (typeof r.uid !== 'string' || !r.uid) throw forbidden(SERVICE_ACCOUNTS, serviceAccount, 'node requested token with a pod binding without a uid');
  const pod = await getPod(namespace, r.name);
  if (!pod) throw errors.notFound(PODS, r.name);
  if (r.uid !== pod.metadata?.uid) {
    throw forbidden(
      SERVICE_ACCOUNTS,
      serviceAccount,
      `the UID in the bound object reference (${r.uid}) does not match the UID in record. The object might have been deleted and then recreated`,
    );
  }
  if (nodeNameOfPod(pod) !== node) throw forbidden(SERVICE_ACCOUNTS, serviceAccount, 'node requested token bound to a pod scheduled on a different node');
}
