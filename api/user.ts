// Who is making a request (k8s.io/apiserver/pkg/authentication/user): what authenticators
// produce, what authorizers, admission and audit read. Shared by the apiserver and by the
// kubelet, which learns its callers from client certificates and TokenReviews.

export interface UserInfo {
  username: string;
  uid?: string;
  groups: string[];
  /** Extra attributes (e.g. `authentication.kubernetes.io/pod-name` of a bound token). */
  extra?: Record<string, string[]>;
}

/** Kubernetes' well-known users and groups. */
export const SYSTEM_MASTERS = 'system:masters';
export const SYSTEM_AUTHENTICATED = 'system:authenticated';
export const SYSTEM_UNAUTHENTICATED = 'system:unauthenticated';
export const ANONYMOUS_USER = 'system:anonymous';
export const NODES_GROUP = 'system:nodes';
export const NODE_USER_PREFIX = 'system:node:';
export const SERVICE_ACCOUNT_USER_PREFIX = 'system:serviceaccount:';
export const SERVICE_ACCOUNTS_GROUP = 'system:serviceaccounts';
export const SERVICE_ACCOUNT_GROUP_PREFIX = 'system:serviceaccounts:';
export const KUBE_SCHEDULER_USER = 'system:kube-scheduler';
export const KUBE_CONTROLLER_MANAGER_USER = 'system:kube-controller-manager';
export const KUBE_PROXY_USER = 'system:kube-proxy';

/** `system:serviceaccount:<ns>:<name>` → its namespace and name. */
export function serviceAccountOf(username: string): { namespace: string; name: string } | undefined {
  if (!username.startsWith(SERVICE_ACCOUNT_USER_PREFIX)) return undefined;
  const rest = username.slice(SERVICE_ACCOUNT_USER_PREFIX.length).split(':');
  if (rest.length !== 2 || !rest[0] || !rest[1]) return undefined;
  return { namespace: rest[0], name: rest[1] };
}

export function serviceAccountUsername(namespace: string, name: string): string {
  return `${SERVICE_ACCOUNT_USER_PREFIX}${namespace}:${name}`;
}

/** The groups every token of a service account carries. */
export function serviceAccountGroups(namespace: string): string[] {
  return [SERVICE_ACCOUNTS_GROUP, `${SERVICE_ACCOUNT_GROUP_PREFIX}${namespace}`];
}

/** `system:node:<name>` in group `system:nodes` → the node's name (the Node authorizer's identity). */
export function nodeNameOf(user: UserInfo): string | undefined {
  if (!user.groups.includes(NODES_GROUP) || !user.username.startsWith(NODE_USER_PREFIX)) return undefined;
  const name = user.username.slice(NODE_USER_PREFIX.length);
  return name || undefined;
}

/** The user.Info extra key naming the credential a request authenticated with (`X509SHA256=…`, `JTI=…`). */
export const EXTRA_CREDENTIAL_ID = 'authentication.kubernetes.io/credential-id';
