// Validation of a verified service-account token against live objects (Kubernetes'
// pkg/serviceaccount/claims.go for bound tokens, legacy.go for Secret-based ones): a token is
// only as good as the ServiceAccount, Pod, Secret or Node it names.
import { timingSafeEqual } from 'node:crypto';
import type { core } from '../../../api/types.js';
import {
  LEGACY_CLAIM_NAMESPACE,
  LEGACY_CLAIM_SECRET_NAME,
  LEGACY_CLAIM_SERVICE_ACCOUNT_NAME,
  LEGACY_CLAIM_SERVICE_ACCOUNT_UID,
  type ObjectRef,
  type VerifiedClaims,
} from '../../../client/auth/serviceaccount-jwt.js';
import { serviceAccountOf } from '../../../api/user.js';
import { AuthenticationError } from '../types.js';
import { SERVICE_ACCOUNT_NAME_KEY, SERVICE_ACCOUNT_UID_KEY } from '../../../api/serviceaccount.js';

type MaybePromise<T> = T | Promise<T>;

/** Live objects a token is checked against; the apiserver implements it over its caches. */
export interface ServiceAccountTokenGetter {
  getServiceAccount(namespace: string, name: string): MaybePromise<core.ServiceAccount | undefined>;
  getPod(namespace: string, name: string): MaybePromise<core.Pod | undefined>;
  getSecret(namespace: string, name: string): MaybePromise<core.Secret | undefined>;
  getNode(name: string): MaybePromise<core.Node | undefined>;
}

/** What a valid token says about its holder (apiserver's serviceaccount.ServiceAccountInfo). */
export interface ServiceAccountInfo {
  namespace: string;
  name: string;
  uid: string;
  podName?: string;
  podUID?: string;
  nodeName?: string;
  nodeUID?: string;
  /** `JTI=<jti>` for bound tokens that carry a jti. */
  credentialID?: string;
}

/** The Secret label the legacy-token cleaner sets on tokens it has invalidated. */
export const LEGACY_TOKEN_INVALID_SINCE_LABEL = 'kubernetes.io/legacy-token-invalid-since';
export const SERVICE_ACCOUNT_NAME_ANNOTATION = SERVICE_ACCOUNT_NAME_KEY;
export const SERVICE_ACCOUNT_UID_ANNOTATION = SERVICE_ACCOUNT_UID_KEY;
const INVALIDATED = 'service account token has been invalidated';

function refOf(v: unknown): ObjectRef | undefined {
  if (typeof v !== 'object' || v === null) return undefined;
  const { name, uid } = v as { name?: unknown; uid?: unknown };
  return typeof name === 'string' && name !== '' && typeof uid === 'string' ? { name, uid } : undefined;
}

function str(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

/** Kubernetes' rule: a deletionTimestamp more than the leeway in the past invalidates (a graceful deletion does not, yet). */
function deletedBefore(meta: { deletionTimestamp?: string } | undefined, invalidIfDeletedBefore: number): boolean {
  const ts = meta?.deletionTimestamp;
  return ts !== undefined && Date.parse(ts) < invalidIfDeletedBefore;
}

async function liveServiceAccount(getter: ServiceAccountTokenGetter, namespace: string, name: string): Promise<core.ServiceAccount> {
  const sa = await getter.getServiceAccount(namespace, name);
  if (!sa) throw new AuthenticationError(`serviceaccounts "${name}" not found`);
  return sa;
}

/** An optional reference claim: absent → undefined; present but malformed → the token is no good. */
function optionalRef(priv: Record<string, unknown>, key: 'secret' | 'pod' | 'node'): ObjectRef | undefined {
  if (priv[key] === undefined) return undefined;
  const ref = refOf(priv[key]);
  if (!ref) throw new AuthenticationError(INVALIDATED);
  return ref;
}

/** The object a token is bound to must exist, not be long deleted, and be the same incarnation (uid). */
function checkBoundObject(kind: 'secret' | 'pod' | 'node', ref: ObjectRef, obj: { metadata?: { uid?: string; deletionTimestamp?: string } } | undefined, invalidIfDeletedBefore: number): void {
  if (!obj || deletedBefore(obj.metadata, invalidIfDeletedBefore)) throw new AuthenticationError(INVALIDATED);
  if (obj.metadata?.uid !== ref.uid) {
    throw new AuthenticationError(`${kind} UID (${obj.metadata?.uid ?? ''}) does not match service account ${kind} ref claim (${ref.uid})`);
  }
}

/** claims.go Validate, after signature, issuer, audience and time checks have passed. */
export async function validateBoundToken(
  claims: VerifiedClaims,
  getter: ServiceAccountTokenGetter,
  now: Date,
  leewaySeconds: number,
): Promise<ServiceAccountInfo> {
  const k8s = claims['kubernetes.io'];
  if (typeof k8s !== 'object' || k8s === null) throw new AuthenticationError('service account token has no kubernetes.io claim');
  const priv = k8s as Record<string, unknown>;
  const namespace = str(priv.namespace);
  const saRef = refOf(priv.serviceaccount);
  if (namespace === '' || !saRef) throw new AuthenticationError('service account token has an invalid kubernetes.io claim');
  const invalidIfDeletedBefore = now.getTime() - leewaySeconds * 1000;

  const sa = await liveServiceAccount(getter, namespace, saRef.name);
  if (deletedBefore(sa.metadata, invalidIfDeletedBefore)) {
    throw new AuthenticationError(`service account ${namespace}/${saRef.name} has been deleted`);
  }
  if (sa.metadata?.uid !== saRef.uid) {
    throw new AuthenticationError(`service account UID (${sa.metadata?.uid ?? ''}) does not match claim (${saRef.uid})`);
  }
  const info: ServiceAccountInfo = { namespace, name: saRef.name, uid: saRef.uid };

  const secretRef = optionalRef(priv, 'secret');
  if (secretRef) checkBoundObject('secret', secretRef, await getter.getSecret(namespace, secretRef.name), invalidIfDeletedBefore);

  const podRef = optionalRef(priv, 'pod');
  if (podRef) {
    checkBoundObject('pod', podRef, await getter.getPod(namespace, podRef.name), invalidIfDeletedBefore);
    info.podName = podRef.name;
    info.podUID = podRef.uid;
  }

  const nodeRef = optionalRef(priv, 'node');
  if (nodeRef) {
    // A pod-bound token only carries its pod's node for information; the pod was checked.
    if (!podRef) checkBoundObject('node', nodeRef, await getter.getNode(nodeRef.name), invalidIfDeletedBefore);
    info.nodeName = nodeRef.name;
    info.nodeUID = nodeRef.uid || undefined;
  }

  if (typeof claims.jti === 'string' && claims.jti !== '') info.credentialID = `JTI=${claims.jti}`;
  return info;
}

function sameToken(stored: string | undefined, token: string): boolean {
  if (stored === undefined) return false;
  const a = Buffer.from(stored, 'base64');
  const b = Buffer.from(token, 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}

/** legacy.go Validate: the token is good while its Secret exists and still holds it. */
export async function validateLegacyToken(token: string, claims: VerifiedClaims, getter: ServiceAccountTokenGetter): Promise<ServiceAccountInfo> {
  const namespace = str(claims[LEGACY_CLAIM_NAMESPACE]);
  const secretName = str(claims[LEGACY_CLAIM_SECRET_NAME]);
  const name = str(claims[LEGACY_CLAIM_SERVICE_ACCOUNT_NAME]);
  const uid = str(claims[LEGACY_CLAIM_SERVICE_ACCOUNT_UID]);
  if (!claims.sub) throw new AuthenticationError('sub claim is missing');
  if (!namespace) throw new AuthenticationError('namespace claim is missing');
  if (!secretName) throw new AuthenticationError('secretName claim is missing');
  if (!name) throw new AuthenticationError('serviceAccountName claim is missing');
  if (!uid) throw new AuthenticationError('serviceAccountUID claim is missing');
  const subject = serviceAccountOf(claims.sub);
  if (!subject || subject.namespace !== namespace || subject.name !== name) throw new AuthenticationError('sub claim is invalid');

  const secret = await getter.getSecret(namespace, secretName);
  if (!secret || secret.metadata?.deletionTimestamp !== undefined) throw new AuthenticationError(INVALIDATED);
  if (secret.metadata?.labels?.[LEGACY_TOKEN_INVALID_SINCE_LABEL]) throw new AuthenticationError(INVALIDATED);
  // The Secret must still belong to this service account (the token controller keeps both annotations).
  const annotations = secret.metadata?.annotations ?? {};
  const annotatedUID = annotations[SERVICE_ACCOUNT_UID_ANNOTATION];
  if (annotations[SERVICE_ACCOUNT_NAME_ANNOTATION] !== name || (annotatedUID !== undefined && annotatedUID !== uid)) {
    throw new AuthenticationError(INVALIDATED);
  }
  if (!sameToken(secret.data?.token, token)) throw new AuthenticationError("service account token does not match server's copy");

  const sa = await liveServiceAccount(getter, namespace, name);
  if (sa.metadata?.deletionTimestamp !== undefined) throw new AuthenticationError(`service account ${namespace}/${name} has been deleted`);
  if (sa.metadata?.uid !== uid) throw new AuthenticationError(`service account UID (${sa.metadata?.uid ?? ''}) does not match claim (${uid})`);
  return { namespace, name, uid };
}
