// The Node authorizer (Kubernetes' plugin/pkg/auth/authorizer/node/node_authorizer.go): what a
// kubelet (`system:node:<name>` in `system:nodes`) may do.
//   - secrets, configmaps: get/list/watch of one named object a pod on the node refers to;
//   - persistentvolumeclaims, persistentvolumes: get of one the node's pods use
//     (PVC status: update/patch); serviceaccounts/token: create for a pod's service account;
//   - leases in kube-node-lease: the node's own;
//   - anything else: Kubernetes' static node rules (NodeRules), injected.
// As in Kubernetes, a refusal is "no opinion" with a reason, never a deny: another authorizer
// (RBAC) may still grant a node more, and the union reports the reason when none does.
// Nodes and pods go by the node rules: Kubernetes 1.32 subdivides them further only behind
// AuthorizeNodeWithSelectors, which needs the request's field selectors in the attributes.
import type { Attributes, AuthorizationResult, Authorizer } from '../types.js';
import type { NodeGraph, VertexType } from './graph.js';
import { nodeIdentityOf } from './identity.js';

/** The namespace of node heartbeat Leases (api.NamespaceNodeLease). */
export const NAMESPACE_NODE_LEASE = 'kube-node-lease';

/** Whether Kubernetes' static node rules (bootstrappolicy NodeRules) allow a request. */
export type NodeRulesCheck = (a: Attributes) => boolean;

// Shared, frozen results: the common answers cost no allocation.
const ALLOW: AuthorizationResult = Object.freeze({ decision: 'allow', reason: '' });
const NO_OPINION: AuthorizationResult = Object.freeze({ decision: 'no-opinion', reason: '' });

function noOpinion(reason: string): AuthorizationResult {
  return { decision: 'no-opinion', reason };
}

function noRelationship(node: string): AuthorizationResult {
  return noOpinion(`no relationship found between node '${node}' and this object`);
}

export class NodeAuthorizer implements Authorizer {
  constructor(
    private readonly graph: NodeGraph,
    private readonly nodeRulesAllow: NodeRulesCheck,
  ) {}

  authorize(a: Attributes): AuthorizationResult {
    const node = nodeIdentityOf(a.user);
    if (node === undefined) return NO_OPINION;
    if (node === '') return noOpinion(`unknown node for user "${a.user.username}"`);
    if (a.resourceRequest) {
      if (a.apiGroup === '') {
        switch (a.resource) {
          case 'secrets':
            return this.readNamespacedObject(node, 'secret', a);
          case 'configmaps':
            return this.readNamespacedObject(node, 'configmap', a);
          case 'persistentvolumeclaims':
            return a.subresource === 'status' ? this.statusUpdate(node, 'pvc', a) : this.get(node, 'pvc', a);
          case 'persistentvolumes':
            return this.get(node, 'pv', a);
          case 'serviceaccounts':
            return this.createToken(node, a);
        }
      } else if (a.apiGroup === 'coordination.k8s.io' && a.resource === 'leases') {
        return this.lease(node, a);
      }
    }
    return this.nodeRulesAllow(a) ? ALLOW : NO_OPINION;
  }

  /** get/list/watch of a single namespaced object (list/watch name it by metadata.name=). */
  private readNamespacedObject(node: string, type: VertexType, a: Attributes): AuthorizationResult {
    if (a.verb !== 'get' && a.verb !== 'list' && a.verb !== 'watch') return noOpinion('can only read resources of this type');
    if (a.subresource) return noOpinion('cannot read subresource');
    if (!a.namespace) return noOpinion('can only read namespaced object of this type');
    return this.related(node, type, a);
  }

  private get(node: string, type: VertexType, a: Attributes): AuthorizationResult {
    if (a.verb !== 'get') return noOpinion('can only get individual resources of this type');
    if (a.subresource) return noOpinion('cannot get subresource');
    return this.related(node, type, a);
  }

  private statusUpdate(node: string, type: VertexType, a: Attributes): AuthorizationResult {
    if (a.verb !== 'update' && a.verb !== 'patch') return noOpinion('can only get/update/patch this type');
    return this.related(node, type, a);
  }

  private related(node: string, type: VertexType, a: Attributes): AuthorizationResult {
    if (!a.name) return noOpinion('No Object name found');
    return this.graph.hasPathFrom(type, node, a.namespace, a.name) ? ALLOW : noRelationship(node);
  }

  private createToken(node: string, a: Attributes): AuthorizationResult {
    if (a.verb !== 'create' || !a.name) return noOpinion('can only create tokens for individual service accounts');
    if (a.subresource !== 'token') return noOpinion('can only create token subresource of serviceaccount');
    return this.graph.hasPathFrom('serviceaccount', node, a.namespace, a.name) ? ALLOW : noRelationship(node);
  }

  private lease(node: string, a: Attributes): AuthorizationResult {
    const v = a.verb;
    if (v !== 'get' && v !== 'create' && v !== 'update' && v !== 'patch' && v !== 'delete') {
      return noOpinion('can only get, create, update, patch, or delete a node lease');
    }
    if (a.namespace !== NAMESPACE_NODE_LEASE) return noOpinion(`can only access leases in the "${NAMESPACE_NODE_LEASE}" system namespace`);
    // A create carries no name in the URL; NodeRestriction checks the Lease's name instead.
    if (v !== 'create' && a.name !== node) return noOpinion('can only access node lease with the same name as the requesting node');
    return ALLOW;
  }
}
