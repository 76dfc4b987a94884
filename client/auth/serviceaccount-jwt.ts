// Service-account JWTs, shared by the token controller (signs legacy Secret tokens), the
// apiserver's TokenRequest (signs bound tokens) and its authenticator (verifies both).
// Kubernetes: pkg/serviceaccount/jwt.go (keys, key id), claims.go (bound), legacy.go (legacy).
// The JWS work is jose's; what is Kubernetes' own here is the claim layout and the key id.
import { createHash, createPrivateKey, createPublicKey, randomUUID, X509Certificate, type KeyObject } from 'node:crypto';
import { SignJWT, decodeProtectedHeader, errors as joseErrors, jwtVerify, type JWTPayload } from 'jose';
import { serviceAccountUsername } from '../../api/user.js';

export type ServiceAccountSigningAlgorithm = 'RS256' | 'ES256' | 'ES384' | 'ES512';

/** A public key as the verifier holds it. */
export interface VerifyKey {
  publicKey: KeyObject;
  alg: ServiceAccountSigningAlgorithm;
  /** base64url(SHA-256(DER SubjectPublicKeyInfo)), Kubernetes' keyIDFromPublicKey. */
  keyId: string;
}

/** A private key and what is derived from it. */
export interface SigningKey extends VerifyKey {
  privateKey: KeyObject;
}

/** The legacy (Secret-based) token's issuer. */
export const LEGACY_ISSUER = 'kubernetes/serviceaccount';

/** Legacy private claim names (legacy.go). */
export const LEGACY_CLAIM_NAMESPACE = 'kubernetes.io/serviceaccount/namespace';
export const LEGACY_CLAIM_SECRET_NAME = 'kubernetes.io/serviceaccount/secret.name';
export const LEGACY_CLAIM_SERVICE_ACCOUNT_NAME = 'kubernetes.io/serviceaccount/service-account.name';
export const LEGACY_CLAIM_SERVICE_ACCOUNT_UID = 'kubernetes.io/serviceaccount/service-account.uid';

export interface ObjectRef {
  name: string;
  uid: string;
}

/** The `kubernetes.io` private claim of a bound token (claims.go). */
export interface KubernetesClaim {
  namespace: string;
  serviceaccount: ObjectRef;
  pod?: ObjectRef;
  secret?: ObjectRef;
  node?: ObjectRef;
  /** NumericDate after which a token that was extended for a safe rollout is stale. */
  warnafter?: number;
}

export interface BoundTokenClaims {
  iss: string;
  sub: string;
  aud: string[];
  exp: number;
  iat: number;
  nbf: number;
  jti: string;
  'kubernetes.io': KubernetesClaim;
}

export interface LegacyTokenClaims {
  iss: typeof LEGACY_ISSUER;
  sub: string;
  [LEGACY_CLAIM_NAMESPACE]: string;
  [LEGACY_CLAIM_SECRET_NAME]: string;
  [LEGACY_CLAIM_SERVICE_ACCOUNT_NAME]: string;
  [LEGACY_CLAIM_SERVICE_ACCOUNT_UID]: string;
}

/** A verified payload: standard claims plus whatever private claims the token carried (unchecked). */
export type VerifiedClaims = JWTPayload & Record<string, unknown>;

/** Any reason a token does not verify; the message is safe to log. */
export class ServiceAccountTokenError extends Error {}

// ---- keys -------------------------------------------------------------------------------

const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----[\s\S]*?-----END \1-----/g;
const PRIVATE_KEY_BLOCKS = new Set(['PRIVATE KEY', 'RSA PRIVATE KEY', 'EC PRIVATE KEY']);
const PUBLIC_KEY_BLOCKS = new Set(['PUBLIC KEY', 'RSA PUBLIC KEY']);

function pemBlocks(pem: string): { type: string; text: string }[] {
  return [...pem.matchAll(PEM_BLOCK)].map((m) => ({ type: m[1], text: m[0] }));
}

/** Kubernetes' algorithm for a key: RSA → RS256; ECDSA by curve (jwt.go signerFromECDSAPrivateKey). */
function algorithmFor(key: KeyObject): ServiceAccountSigningAlgorithm {
  if (key.asymmetricKeyType === 'rsa') {
    // jose refuses RS256 with smaller keys at every verification; refuse them once, at startup.
    const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
    if (bits < 2048) throw new Error(`RSA key of ${bits} bits is too small, must be 2048 bits or larger`);
    return 'RS256';
  }
  if (key.asymmetricKeyType === 'ec') {
    switch (key.asymmetricKeyDetails?.namedCurve) {
      case 'prime256v1': return 'ES256';
      case 'secp384r1': return 'ES384';
      case 'secp521r1': return 'ES512';
    }
    throw new Error(`unsupported ECDSA curve ${key.asymmetricKeyDetails?.namedCurve ?? '?'}, must be P-256, P-384 or P-521`);
  }
  throw new Error(`unsupported key type ${key.asymmetricKeyType ?? '?'}, must be RSA or ECDSA`);
}

/** Kubernetes' keyIDFromPublicKey: not reversible, the same on signer and verifier. */
export function keyIdOf(publicKey: KeyObject): string {
  const der = publicKey.export({ type: 'spki', format: 'der' });
  return createHash('sha256').update(der).digest('base64url');
}

function verifyKeyOf(publicKey: KeyObject): VerifyKey {
  return { publicKey, alg: algorithmFor(publicKey), keyId: keyIdOf(publicKey) };
}

/** The private key of a PEM file (PKCS#8, PKCS#1 "RSA PRIVATE KEY" or SEC1 "EC PRIVATE KEY"); the first one wins. */
export function loadSigningKey(pem: string): SigningKey {
  const block = pemBlocks(pem).find((b) => PRIVATE_KEY_BLOCKS.has(b.type));
  if (!block) throw new Error('data does not contain a PEM-encoded RSA or ECDSA private key');
  const privateKey = createPrivateKey(block.text);
  return { ...verifyKeyOf(createPublicKey(privateKey)), privateKey };
}

/**
 * Every public key of one or more PEM files (--service-account-key-file): public keys, private
 * keys (their public half) and certificates (their key), in order; other blocks (EC PARAMETERS)
 * are skipped. A text without any key is an error, as in Kubernetes' keyutil.
 */
export function loadVerifyKeys(pems: string[]): VerifyKey[] {
  const keys: VerifyKey[] = [];
  for (const pem of pems) {
    const before = keys.length;
    for (const block of pemBlocks(pem)) {
      if (PRIVATE_KEY_BLOCKS.has(block.type)) keys.push(verifyKeyOf(createPublicKey(createPrivateKey(block.text))));
      else if (PUBLIC_KEY_BLOCKS.has(block.type)) keys.push(verifyKeyOf(createPublicKey(block.text)));
      else if (block.type === 'CERTIFICATE') keys.push(verifyKeyOf(new X509Certificate(block.text).publicKey));
    }
    if (keys.length === before) throw new Error('data does not contain any valid RSA or ECDSA public keys');
  }
  return keys;
}

// ---- signing ----------------------------------------------------------------------------

export interface BoundTokenOptions {
  issuer: string;
  audiences: string[];
  expirationSeconds: number;
  serviceAccount: { namespace: string; name: string; uid: string };
  /** The object the token is bound to: a pod (optionally with its node), or a secret, or a node. */
  pod?: ObjectRef;
  secret?: ObjectRef;
  node?: ObjectRef;
  /** Seconds after issue when a rollout-extended token counts as stale (claims.go warnafter). */
  warnAfterSeconds?: number;
  now?: Date;
}

/** Kubernetes' Claims(): a pod binding may carry its node; a secret or a node binding stands alone. */
export function boundTokenClaims(o: BoundTokenOptions): BoundTokenClaims {
  const now = Math.floor((o.now ?? new Date()).getTime() / 1000);
  const k8s: KubernetesClaim = {
    namespace: o.serviceAccount.namespace,
    serviceaccount: { name: o.serviceAccount.name, uid: o.serviceAccount.uid },
  };
  if (o.pod) {
    k8s.pod = { ...o.pod };
    if (o.node) k8s.node = { ...o.node };
  } else if (o.secret) {
    k8s.secret = { ...o.secret };
  } else if (o.node) {
    k8s.node = { ...o.node };
  }
  if (o.warnAfterSeconds) k8s.warnafter = now + o.warnAfterSeconds;
  return {
    iss: o.issuer,
    sub: serviceAccountUsername(o.serviceAccount.namespace, o.serviceAccount.name),
    aud: [...o.audiences],
    exp: now + o.expirationSeconds,
    iat: now,
    nbf: now,
    jti: randomUUID(),
    'kubernetes.io': k8s,
  };
}

/** Sign claims with a key; the header carries only `alg` and `kid`, as go-jose writes it. */
function sign(key: SigningKey, claims: object): Promise<string> {
  return new SignJWT({ ...claims } as JWTPayload)
    .setProtectedHeader({ alg: key.alg, kid: key.keyId })
    .sign(key.privateKey);
}

/** A bound token (TokenRequest) and the claims it carries (exp → status.expirationTimestamp). */
export async function signBoundToken(key: SigningKey, options: BoundTokenOptions): Promise<{ token: string; claims: BoundTokenClaims }> {
  const claims = boundTokenClaims(options);
  return { token: await sign(key, claims), claims };
}

/** Kubernetes' LegacyClaims(): no audience, no expiry; valid while its Secret holds it. */
export function legacyTokenClaims(sa: { namespace: string; name: string; uid: string }, secret: { name: string }): LegacyTokenClaims {
  return {
    iss: LEGACY_ISSUER,
    sub: serviceAccountUsername(sa.namespace, sa.name),
    [LEGACY_CLAIM_NAMESPACE]: sa.namespace,
    [LEGACY_CLAIM_SECRET_NAME]: secret.name,
    [LEGACY_CLAIM_SERVICE_ACCOUNT_NAME]: sa.name,
    [LEGACY_CLAIM_SERVICE_ACCOUNT_UID]: sa.uid,
  };
}

/** The token the token controller writes into a `kubernetes.io/service-account-token` Secret. */
export function signLegacyToken(key: SigningKey, sa: { namespace: string; name: string; uid: string }, secret: { name: string }): Promise<string> {
  return sign(key, legacyTokenClaims(sa, secret));
}

// ---- verification -----------------------------------------------------------------------

/** go-jose's jwt.DefaultLeeway, which Kubernetes applies to exp, nbf and iat. */
export const DEFAULT_LEEWAY_SECONDS = 60;

export interface VerifyOptions {
  now?: Date;
  leewaySeconds?: number;
}

/** Unverified `iss` of a compact JWS, or undefined when the text is not one (jwt.go hasCorrectIssuer). */
export function unverifiedIssuer(token: string): string | undefined {
  if (token.trimStart().startsWith('{')) return undefined;
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  try {
    const payload: unknown = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
    if (typeof payload !== 'object' || payload === null) return undefined;
    const iss = (payload as { iss?: unknown }).iss;
    return typeof iss === 'string' ? iss : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Check the signature with the keys of the token's `kid` (all keys when it has none) and
 * the time claims (exp, nbf, iat with leeway); return the payload. Issuer, audience and the
 * private claims are the caller's to judge. Throws ServiceAccountTokenError.
 */
export async function verifyServiceAccountToken(token: string, keys: VerifyKey[], options: VerifyOptions = {}): Promise<VerifiedClaims> {
  let kid: string | undefined;
  try {
    kid = decodeProtectedHeader(token).kid;
  } catch {
    throw new ServiceAccountTokenError('malformed token');
  }
  const candidates = kid ? keys.filter((k) => k.keyId === kid) : keys;
  if (candidates.length === 0) throw new ServiceAccountTokenError('invalid signature, no keys found');
  const now = options.now ?? new Date();
  const leeway = options.leewaySeconds ?? DEFAULT_LEEWAY_SECONDS;
  const failures: string[] = [];
  for (const key of candidates) {
    try {
      const { payload } = await jwtVerify(token, key.publicKey, { algorithms: [key.alg], currentDate: now, clockTolerance: leeway });
      if (typeof payload.iat === 'number' && payload.iat > now.getTime() / 1000 + leeway) {
        throw new ServiceAccountTokenError('service account token is issued in the future');
      }
      return payload as VerifiedClaims;
    } catch (err) {
      // Time claims were read only after the signature held: report them as such.
      if (err instanceof ServiceAccountTokenError) throw err;
      if (err instanceof joseErrors.JWTExpired) throw new ServiceAccountTokenError('service account token has expired');
      if (err instanceof joseErrors.JWTClaimValidationFailed && err.claim === 'nbf') {
        throw new ServiceAccountTokenError('service account token is not valid yet');
      }
      if (err instanceof joseErrors.JWTClaimValidationFailed || err instanceof joseErrors.JWTInvalid) {
        throw new ServiceAccountTokenError(`service account token claims could not be validated: ${err.message}`);
      }
      failures.push(err instanceof Error ? err.message : String(err));
    }
  }
  throw new ServiceAccountTokenError(failures.length === 1 ? failures[0] : `[${failures.join(', ')}]`);
}
