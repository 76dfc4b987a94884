// The TokenRequest subresource (POST .../serviceaccounts/<name>/token, what `kubectl create
// token` and the kubelet ask): a service-account JWT for the given audiences and lifetime,
// optionally bound to a Pod, Secret or Node so it dies with that object (k8s'
// pkg/registry/core/serviceaccount/storage/token.go).
import { errors } from '../../api/status.js';
import type { UserInfo } from '../../api/user.js';
import { metaTime } from '../../api/time.js';
import { field, Path, type ErrorList } from '../../api/validation/field.js';
import { isObject, type KObject } from '../../api/types.js';

/** What a token is issued for; the issuer turns it into a signed JWT. */
export interface BoundTokenRequest {
  namespace: string;
  serviceAccount: { name: string; uid: string };
  audiences: string[];
  expirationSeconds: number;
  pod?: { name: string; uid: string };
  secret?: { name: string; uid: string };
  node?: { name: string; uid: string };
}

export interface TokenIssuer {
  issue(r: BoundTokenRequest): Promise<{ token: string; expiration: Date }>;
}

export interface TokenRequestDeps {
  issuer: TokenIssuer;
  /** `--api-audiences`: what an empty `spec.audiences` means. */
  apiAudiences: string[];
  /** `--service-account-max-token-expiration` (seconds, 0 = no cap). */
  maxExpirationSeconds: number;
  get(kind: 'ServiceAccount' | 'Pod' | 'Secret' | 'Node', namespace: string, name: string): Promise<KObject | undefined>;
  /** Extra checks for the requesting user (NodeRestriction for kubelets). */
  admit?(user: UserInfo | undefined, tokenRequest: KObject, pod: KObject | undefined): Promise<void> | void;
}

const MIN_EXPIRATION = 600;
const MAX_EXPIRATION = 2 ** 32;
const DEFAULT_EXPIRATION = 3600;
const BOUND_KINDS = ['Pod', 'Secret', 'Node'] as const;

const str = (v: unknown): string => (typeof v === 'string' ? v : '');

export async function createTokenRequest(deps: TokenRequestDeps, namespace: string, saName: string, body: unknown, user: UserInfo | undefined): Promise<KObject> {
  if (!isObject(body)) throw errors.badRequest('a TokenRequest object is required');
  if (body.kind !== undefined && body.kind !== 'TokenRequest') throw errors.badRequest(`expected TokenRequest, got ${String(body.kind)}`);
  const spec = isObject(body.spec) ? body.spec : {};
  const gr = { group: 'authentication.k8s.io', resource: 'tokenrequests' };
  const specPath = Path.root('spec');
  const errs: ErrorList = [];
  const expirationSeconds = spec.expirationSeconds === undefined || spec.expirationSeconds === null ? DEFAULT_EXPIRATION : spec.expirationSeconds;
  if (typeof expirationSeconds !== 'number' || !Number.isInteger(expirationSeconds)) {
    errs.push(field.invalid(specPath.child('expirationSeconds'), expirationSeconds, 'must be an integer'));
  } else if (expirationSeconds < MIN_EXPIRATION) {
    errs.push(field.invalid(specPath.child('expirationSeconds'), expirationSeconds, 'may not specify a duration less than 10 minutes'));
  } else if (expirationSeconds > MAX_EXPIRATION) {
    errs.push(field.invalid(specPath.child('expirationSeconds'), expirationSeconds, 'may not specify a duration larger than 2^32 seconds'));
  }
  const ref = isObject(spec.boundObjectRef) ? spec.boundObjectRef : undefined;
  const refKind = ref ? str(ref.kind) : '';
  if (ref && !(BOUND_KINDS as readonly string[]).includes(refKind)) {
    errs.push(field.notSupported(specPath.child('boundObjectRef', 'kind'), refKind, BOUND_KINDS));
  }
  if (ref && !str(ref.name)) errs.push(field.required(specPath.child('boundObjectRef', 'name'), ''));
  if (errs.length) throw errors.invalid('TokenRequest', gr, saName, errs);

  const sa = await deps.get('ServiceAccount', namespace, saName);
  if (!sa) throw errors.notFound({ group: '', resource: 'serviceaccounts' }, saName);
  const request: BoundTokenRequest = {
    namespace,
    serviceAccount: { name: saName, uid: String(sa.metadata?.uid ?? '') },
    audiences: Array.isArray(spec.audiences) && spec.audiences.length ? spec.audiences.map(String) : deps.apiAudiences,
    expirationSeconds: deps.maxExpirationSeconds > 0 ? Math.min(expirationSeconds as number, deps.maxExpirationSeconds) : (expirationSeconds as number),
  };
  let pod: KObject | undefined;
  if (ref) {
    const kind = refKind as (typeof BOUND_KINDS)[number];
    const name = str(ref.name);
    const obj = await deps.get(kind, kind === 'Node' ? '' : namespace, name);
    const resource = `${kind.toLowerCase()}s`;
    if (!obj) throw errors.notFound({ group: '', resource }, name);
    const uid = String(obj.metadata?.uid ?? '');
    if (str(ref.uid) && str(ref.uid) !== uid) {
      throw errors.conflict({ group: '', resource }, name, `the UID in the bound object reference (${str(ref.uid)}) does not match the UID in record. The object might have been deleted and then recreated`);
    }
    if (kind === 'Pod') {
      pod = obj;
      const podSA = str((obj.spec as Record<string, unknown> | undefined)?.serviceAccountName) || 'default';
      if (podSA !== saName) throw errors.badRequest(`cannot bind token for serviceaccount "${saName}" to pod running with different serviceaccount name.`);
      request.pod = { name, uid };
      // Pod-bound tokens also name the pod's node, as Kubernetes 1.30+ does.
      const nodeName = str((obj.spec as Record<string, unknown> | undefined)?.nodeName);
      const node = nodeName ? await deps.get('Node', '', nodeName) : undefined;
      if (node) request.node = { name: nodeName, uid: String(node.metadata?.uid ?? '') };
    } else if (kind === 'Secret') {
      request.secret = { name, uid };
    } else {
      request.node = { name, uid };
    }
  }
  await deps.admit?.(user, body as KObject, pod);
  const { token, expiration } = await deps.issuer.issue(request);
  return {
    kind: 'TokenRequest',
    apiVersion: 'authentication.k8s.io/v1',
    metadata: { name: saName, namespace, creationTimestamp: null as unknown as string },
    spec: {
      audiences: request.audiences,
      expirationSeconds: request.expirationSeconds,
      boundObjectRef: ref ? { kind: refKind, apiVersion: str(ref.apiVersion) || 'v1', name: str(ref.name), uid: request.pod?.uid ?? request.secret?.uid ?? request.node?.uid } : null,
    },
    status: { token, expirationTimestamp: metaTime(expiration) },
  };
}
