// The contracts of the apiserver's security stages (k8s.io/apiserver/pkg/authentication/
// authenticator and pkg/authorization/authorizer): an authenticator turns a request's
// credentials into a user; an authorizer decides on attributes of a request.
import type { IncomingHttpHeaders } from 'node:http';
import type { PeerCertificate } from 'node:tls';
import type { UserInfo } from '../../api/user.js';

/** What an authenticator may read of a request. */
export interface AuthenticationRequest {
  headers: IncomingHttpHeaders;
  /** Every header's values, one per occurrence (Node's `headersDistinct`): X-Remote-Group may repeat. */
  headersDistinct?: Record<string, string[] | undefined>;
  /** The client's certificate, when the connection is TLS and the client sent one. */
  peerCertificate?: PeerCertificate;
  /** Whether Node's TLS layer verified that certificate against the client CA bundle. */
  peerCertificateAuthorized?: boolean;
  /** Node's reason when it did not (e.g. CERT_HAS_EXPIRED). */
  peerCertificateError?: string;
}

export interface AuthenticationResult {
  user: UserInfo;
  /** Audiences the credential was valid for (token authenticators). */
  audiences?: string[];
}

/**
 * Thrown for credentials that were presented but are not good (expired, wrongly signed,
 * unknown). The union answers 401 Unauthorized; the message goes to the log, not the client.
 */
export class AuthenticationError extends Error {}

/**
 * One way of authenticating. Resolves to undefined when the request carries no credential of
 * its kind (so the next authenticator is asked); throws AuthenticationError for a bad one.
 */
export interface Authenticator {
  authenticate(req: AuthenticationRequest): Promise<AuthenticationResult | undefined> | AuthenticationResult | undefined;
}

/**
 * A token authenticator (bearer tokens: token file, service-account JWTs). Used by the bearer
 * header authenticator and by TokenReview.
 */
export interface TokenAuthenticator {
  authenticateToken(token: string, audiences?: string[]): Promise<AuthenticationResult | undefined> | AuthenticationResult | undefined;
}

/** The attributes an authorizer decides on (authorizer.AttributesRecord). */
export interface Attributes {
  user: UserInfo;
  /** get list watch create update patch delete deletecollection, impersonate, bind, escalate, use…; for non-resource requests the lower-case HTTP method. */
  verb: string;
  resourceRequest: boolean;
  /** Non-resource requests: the URL path. */
  path: string;
  namespace: string;
  apiGroup: string;
  apiVersion: string;
  resource: string;
  subresource: string;
  name: string;
}

export type Decision = 'allow' | 'deny' | 'no-opinion';

export interface AuthorizationResult {
  decision: Decision;
  /** Why (shown after the standard message when denied). */
  reason: string;
}

export interface Authorizer {
  authorize(a: Attributes): Promise<AuthorizationResult> | AuthorizationResult;
}

/** The rules a user has in a namespace (SelfSubjectRulesReview; authorizer.RuleResolver). */
export interface ResourceRuleInfo {
  verbs: string[];
  apiGroups: string[];
  resources: string[];
  resourceNames?: string[];
}
export interface NonResourceRuleInfo {
  verbs: string[];
  nonResourceURLs: string[];
}
export interface RulesResult {
  resourceRules: ResourceRuleInfo[];
  nonResourceRules: NonResourceRuleInfo[];
  /** Some rules could not be resolved (e.g. a binding to a missing role). */
  incomplete: boolean;
  evaluationError?: string;
}

export interface RuleResolver {
  rulesFor(user: UserInfo, namespace: string): Promise<RulesResult> | RulesResult;
}
