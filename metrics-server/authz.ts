// Delegated authorization (k8s' DelegatingAuthorizerConfig): every request but the health
// checks becomes a SubjectAccessReview to the apiserver — resource attributes on
// metrics.k8s.io/v1beta1 for the metrics, `get` on the path for discovery and /metrics —
// with answers cached briefly (DelegatingAuth keeps them 10 s, as upstream's allow/deny TTLs).
// A refusal is Kubernetes' 403 Status with its message.
import type { UserInfo } from '../api/user.js';
import { errors, type StatusError } from '../api/status.js';
import { forbiddenMessage } from '../apiserver/filters/authorization.js';
import type { AccessAttributes, DelegatingAuth } from '../client/component-base/delegating-auth.js';
import { METRICS_GROUP, METRICS_VERSION } from './objects.js';
import type { RequestInfo } from './request-info.js';

/** The SubjectAccessReview attributes of a request. */
export function accessAttributes(info: RequestInfo): AccessAttributes {
  if (!info.resourceRequest) return { verb: info.verb, path: info.path };
  return {
    verb: info.verb,
    group: METRICS_GROUP,
    version: METRICS_VERSION,
    resource: info.resource,
    ...(info.namespace !== undefined ? { namespace: info.namespace } : {}),
    ...(info.name !== undefined ? { name: info.name } : {}),
  };
}

/** The 403 for a refused request, worded as the apiserver words it. */
export function forbidden(user: UserInfo, info: RequestInfo): StatusError {
  const a = {
    user,
    verb: info.verb,
    resourceRequest: info.resourceRequest,
    path: info.resourceRequest ? '' : info.path,
    namespace: info.resourceRequest ? info.namespace ?? '' : '',
    apiGroup: info.resourceRequest ? METRICS_GROUP : '',
    apiVersion: info.resourceRequest ? METRICS_VERSION : '',
    resource: info.resourceRequest ? info.resource : '',
    subresource: '',
    name: info.resourceRequest ? info.name ?? '' : '',
  };
  return errors.forbidden({ group: a.apiGroup, resource: a.resource }, a.name, forbiddenMessage(a));
}

export async function authorize(auth: DelegatingAuth, user: UserInfo, info: RequestInfo): Promise<StatusError | undefined> {
  return (await auth.authorize(user, accessAttributes(info))) ? undefined : forbidden(user, info);
}
