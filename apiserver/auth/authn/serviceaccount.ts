// The token authenticator for service-account JWTs (Kubernetes' pkg/serviceaccount/jwt.go
// jwtTokenAuthenticator, once per issuer kind): signature by any --service-account-key-file
// key, issuer, audience, time, then the live objects the token names.
import { serviceAccountGroups, serviceAccountUsername, type UserInfo } from '../../../api/user.js';
import {
  DEFAULT_LEEWAY_SECONDS,
  LEGACY_ISSUER,
  ServiceAccountTokenError,
  unverifiedIssuer,
  verifyServiceAccountToken,
  type VerifiedClaims,
  type VerifyKey,
} from '../../../client/auth/serviceaccount-jwt.js';
import { AuthenticationError, type AuthenticationResult, type TokenAuthenticator } from '../types.js';
import { intersectAudiences } from './audiences.js';
import {
  validateBoundToken,
  validateLegacyToken,
  type ServiceAccountInfo,
  type ServiceAccountTokenGetter,
} from './serviceaccount-claims.js';
import { EXTRA_CREDENTIAL_ID } from '../../../api/user.js';

export type { ServiceAccountTokenGetter, ServiceAccountInfo } from './serviceaccount-claims.js';

/** The user.Info extra keys Kubernetes sets for service-account tokens. */
export const EXTRA_POD_NAME = 'authentication.kubernetes.io/pod-name';
export const EXTRA_POD_UID = 'authentication.kubernetes.io/pod-uid';
export const EXTRA_NODE_NAME = 'authentication.kubernetes.io/node-name';
export const EXTRA_NODE_UID = 'authentication.kubernetes.io/node-uid';
export { EXTRA_CREDENTIAL_ID };

export interface ServiceAccountAuthenticatorOptions {
  /** Public keys of --service-account-key-file (all of them; rotation keeps old ones here). */
  keys: VerifyKey[];
  /** --service-account-issuer values: bound tokens must carry one of them. */
  issuers: string[];
  /** --api-audiences: what an ordinary request asks for, and what legacy tokens are taken to carry. */
  apiAudiences: string[];
  getter: ServiceAccountTokenGetter;
  /** Accept legacy Secret-based tokens (issuer `kubernetes/serviceaccount`). Default true. */
  legacy?: boolean;
  leewaySeconds?: number;
  now?: () => Date;
}

/** ServiceAccountInfo.UserInfo(): name, uid, groups, and the binding as extra. */
export function serviceAccountUserInfo(sa: ServiceAccountInfo): UserInfo {
  const extra: Record<string, string[]> = {};
  if (sa.podName && sa.podUID) {
    extra[EXTRA_POD_NAME] = [sa.podName];
    extra[EXTRA_POD_UID] = [sa.podUID];
  }
  if (sa.credentialID) extra[EXTRA_CREDENTIAL_ID] = [sa.credentialID];
  if (sa.nodeName) {
    extra[EXTRA_NODE_NAME] = [sa.nodeName];
    if (sa.nodeUID) extra[EXTRA_NODE_UID] = [sa.nodeUID];
  }
  const user: UserInfo = { username: serviceAccountUsername(sa.namespace, sa.name), uid: sa.uid, groups: serviceAccountGroups(sa.namespace) };
  if (Object.keys(extra).length > 0) user.extra = extra;
  return user;
}

function audiencesOf(claims: VerifiedClaims): string[] {
  const aud = claims.aud;
  if (aud === undefined) return [];
  return Array.isArray(aud) ? aud : [aud];
}

export class ServiceAccountTokenAuthenticator implements TokenAuthenticator {
  private readonly issuers: Set<string>;
  private readonly legacy: boolean;
  private readonly leeway: number;
  private readonly now: () => Date;

  constructor(private readonly options: ServiceAccountAuthenticatorOptions) {
    this.issuers = new Set(options.issuers);
    this.legacy = options.legacy ?? true;
    this.leeway = options.leewaySeconds ?? DEFAULT_LEEWAY_SECONDS;
    this.now = options.now ?? (() => new Date());
  }

  /** Undefined for anything that is not a JWT of one of our issuers; AuthenticationError for a bad one. */
  async authenticateToken(token: string, audiences?: string[]): Promise<AuthenticationResult | undefined> {
    const issuer = unverifiedIssuer(token);
    const isLegacy = this.legacy && issuer === LEGACY_ISSUER;
    if (issuer === undefined || (!isLegacy && !this.issuers.has(issuer))) return undefined;
    try {
      return await this.authenticateOurs(token, isLegacy, audiences);
    } catch (err) {
      if (err instanceof AuthenticationError) throw err;
      // ServiceAccountTokenError, a getter's failure: all are a bad credential to the caller.
      throw new AuthenticationError(err instanceof Error ? err.message : String(err));
    }
  }

  private async authenticateOurs(token: string, isLegacy: boolean, audiences: string[] | undefined): Promise<AuthenticationResult> {
    const now = this.now();
    const claims = await verifyServiceAccountToken(token, this.options.keys, { now, leewaySeconds: this.leeway });
    // The issuer was read before the signature was checked; check it again now that it is signed.
    if (isLegacy ? claims.iss !== LEGACY_ISSUER : !this.issuers.has(claims.iss ?? '')) {
      throw new ServiceAccountTokenError(`token issuer "${claims.iss ?? ''}" is invalid`);
    }
    const auds = this.checkAudiences(claims, audiences);
    const info = isLegacy
      ? await validateLegacyToken(token, claims, this.options.getter)
      : await validateBoundToken(claims, this.options.getter, now, this.leeway);
    return { user: serviceAccountUserInfo(info), audiences: auds };
  }

  /** jwt.go: a token without audiences (legacy) counts as carrying the API audiences. */
  private checkAudiences(claims: VerifiedClaims, requested: string[] | undefined): string[] {
    const implicit = this.options.apiAudiences;
    const tokenAuds = audiencesOf(claims);
    const fromToken = tokenAuds.length > 0 ? tokenAuds : implicit;
    const target = requested && requested.length > 0 ? requested : implicit;
    const auds = intersectAudiences(fromToken, target);
    if (auds.length === 0 && implicit.length > 0) {
      throw new AuthenticationError(`token audiences ${JSON.stringify(fromToken)} is invalid for the target audiences ${JSON.stringify(target)}`);
    }
    return auds;
  }
}
