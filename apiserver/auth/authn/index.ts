// The apiserver's authenticator from its flags (Kubernetes' pkg/kubeapiserver/authenticator
// config.go): basic auth, client certificates, then bearer tokens (token file, service-account
// JWTs) from the header or the WebSocket subprotocol; union; system:authenticated; anonymous.
import { readFileSync } from 'node:fs';
import { loadVerifyKeys, type VerifyKey } from '../../../client/auth/serviceaccount-jwt.js';
import type { Authenticator, TokenAuthenticator } from '../types.js';
import { audienceAgnosticTokenAuthenticator } from './audiences.js';
import { loadBasicAuthFile } from './basic-auth.js';
import { bearerTokenAuthenticator, webSocketProtocolAuthenticator } from './bearer.js';
import { ServiceAccountTokenAuthenticator, type ServiceAccountTokenGetter } from './serviceaccount.js';
import { CachedTokenAuthenticator, DEFAULT_TOKEN_SUCCESS_TTL_MS } from './token-cache.js';
import { loadTokenFile } from './token-file.js';
import {
  anonymousAuthenticator,
  authenticatedGroupAdderToken,
  requestAuthenticator,
  unionTokenAuthenticator,
} from './union.js';
import { x509Authenticator } from './x509.js';
import { parseCertBundle, RequestHeaderAuthenticator, type RequestHeaderConfig } from './request-header.js';

export interface AuthenticatorOptions {
  /** --client-ca-file was given: client certificates are on (the TLS server verifies them). */
  clientCA: boolean;
  /** PEM of --client-ca-file, when the TLS layer trusts more CAs than it (the front proxy's). */
  clientCAPem?: string;
  /** --requestheader-*: the front proxy's identity and headers. */
  requestHeader?: RequestHeaderConfig;
  /** --token-auth-file */
  tokenAuthFile?: string;
  /** --basic-auth-file (deprecated in Kubernetes) */
  basicAuthFile?: string;
  /** --service-account-key-file (repeatable): public or private PEM keys that verify SA tokens, with where each came from (for errors). */
  serviceAccountKeys: ServiceAccountKeySource[];
  /** --service-account-issuer (repeatable): the first one signs, all are accepted. */
  serviceAccountIssuers: string[];
  /** --api-audiences; empty means the first issuer, as in Kubernetes. */
  apiAudiences: string[];
  /** --anonymous-auth */
  anonymous: boolean;
  getter: ServiceAccountTokenGetter;
  /** How long a token's answer is reused (default 3 s; 0 turns the cache off). */
  tokenCacheTTLMs?: number;
}

export interface BuiltAuthenticator {
  /** For the handler chain: undefined = no credential (401 unless anonymous), throws AuthenticationError = 401. */
  authenticator: Authenticator;
  /** For TokenReview: the same token path, with `system:authenticated` added. */
  tokenAuthenticator: TokenAuthenticator;
  /** The audiences ordinary requests ask for (TokenReview's default). */
  apiAudiences: string[];
  /** Lower-case headers naming the user per request (the front proxy's), for the connection cache. */
  identityHeaders: string[];
}

/** Kubernetes defaults --api-audiences to the service-account issuers' first value. */
export function effectiveAPIAudiences(apiAudiences: string[], issuers: string[]): string[] {
  if (apiAudiences.length > 0) return [...apiAudiences];
  return issuers.length > 0 ? [issuers[0]] : [];
}

/** A key's PEM text and where it came from (a file's path). */
export interface ServiceAccountKeySource {
  source: string;
  pem: string;
}

/** Reads a key file into a ServiceAccountKeySource; a missing file is one line naming it. */
export function readServiceAccountKeyFile(path: string): ServiceAccountKeySource {
  try {
    return { source: path, pem: readFileSync(path, 'utf8') };
  } catch (err) {
    throw new Error(`service account key file "${path}": ${err instanceof Error ? err.message : String(err)}`);
  }
}

function loadKey(k: ServiceAccountKeySource): VerifyKey[] {
  try {
    return loadVerifyKeys([k.pem]);
  } catch (err) {
    throw new Error(`service account key file "${k.source}": ${err instanceof Error ? err.message : String(err)}`);
  }
}

function tokenAuthenticators(o: AuthenticatorOptions, apiAudiences: string[]): TokenAuthenticator[] {
  const list: TokenAuthenticator[] = [];
  if (o.tokenAuthFile) list.push(audienceAgnosticTokenAuthenticator(apiAudiences, loadTokenFile(o.tokenAuthFile)));
  if (o.serviceAccountKeys.length > 0) {
    const keys = o.serviceAccountKeys.flatMap(loadKey);
    list.push(new ServiceAccountTokenAuthenticator({ keys, issuers: o.serviceAccountIssuers, apiAudiences, getter: o.getter }));
  }
  return list;
}

/** Build from the flags' values; a bad file throws one line naming it (a startup error). */
export function buildAuthenticator(o: AuthenticatorOptions): BuiltAuthenticator {
  const apiAudiences = effectiveAPIAudiences(o.apiAudiences, o.serviceAccountIssuers);
  const request: Authenticator[] = [];
  if (o.basicAuthFile) request.push(loadBasicAuthFile(o.basicAuthFile));
  // The front proxy first, then client certificates, then tokens (Kubernetes' order).
  const requestHeader = o.requestHeader ? new RequestHeaderAuthenticator(o.requestHeader) : undefined;
  if (requestHeader) request.push(requestHeader);
  if (o.clientCA) request.push(x509Authenticator(requestHeader && o.clientCAPem ? parseCertBundle(o.clientCAPem) : undefined));

  const tokens = tokenAuthenticators(o, apiAudiences);
  let tokenAuth: TokenAuthenticator = unionTokenAuthenticator(tokens);
  const ttl = o.tokenCacheTTLMs ?? DEFAULT_TOKEN_SUCCESS_TTL_MS;
  if (tokens.length > 0 && ttl > 0) tokenAuth = new CachedTokenAuthenticator(tokenAuth, { successTTLMs: ttl });
  if (tokens.length > 0) request.push(bearerTokenAuthenticator(tokenAuth), webSocketProtocolAuthenticator(tokenAuth));

  const authenticator =
    request.length === 0
      ? o.anonymous ? anonymousAuthenticator() : { authenticate: () => undefined }
      : requestAuthenticator(request, o.anonymous);
  return { authenticator, tokenAuthenticator: authenticatedGroupAdderToken(tokenAuth), apiAudiences, identityHeaders: requestHeader?.identityHeaders ?? [] };
}

export type { ServiceAccountTokenGetter } from './serviceaccount.js';
