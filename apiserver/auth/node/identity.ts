// Kubernetes' default NodeIdentifier (pkg/auth/nodeidentifier): a user is a node when its name
// starts with `system:node:` and it is in group `system:nodes`. Unlike api/user.ts' nodeNameOf,
// this tells a node whose name is empty apart from a non-node, because the Node authorizer and
// NodeRestriction treat the two differently (no opinion vs. refuse).
import { NODE_USER_PREFIX, NODES_GROUP, type UserInfo } from '../../../api/user.js';

/** The node's name; '' for a node identity without a name; undefined when not a node. */
export function nodeIdentityOf(user: UserInfo): string | undefined {
  if (!user.username.startsWith(NODE_USER_PREFIX)) return undefined;
  if (!user.groups.includes(NODES_GROUP)) return undefined;
  return user.username.slice(NODE_USER_PREFIX.length);
}
