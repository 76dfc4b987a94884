// Builds the apiserver's security from its options: the authenticator union, the authorizer
// union (Node, RBAC or AlwaysAllow), the security admission plugins, and the apiserver's own
// client identity towards kubelets. Without options the apiserver is in its unsafe plain-HTTP
// mode: everyone is allowed everything.
import type { Logger } from 'pino';
import type { AdmissionPlugin, ResourceStore } from '../registry.js';
import type { KubeletClientTLS } from '../streaming.js';
import { alwaysAllow } from '../filters/authorization.js';
import type { Authenticator, Authorizer } from './types.js';

export type AuthorizationMode = 'AlwaysAllow' | 'AlwaysDeny' | 'Node' | 'RBAC';

export interface SecurityOptions {
  /** PEM texts: the serving certificate and key; the CA bundle client certificates must chain to. */
  tls: { cert: string; key: string; clientCA?: string };
  anonymousAuth: boolean;
  tokenAuthFile?: string;
  basicAuthFile?: string;
  serviceAccount: {
    /** PEM texts of the keys tokens are verified with (`--service-account-key-file`). */
    publicKeys: string[];
    /** PEM of the key TokenRequests are signed with (`--service-account-signing-key-file`). */
    signingKey?: string;
    /** `--service-account-issuer`: the first signs, all are accepted. */
    issuers: string[];
    /** `--api-audiences` (default: the first issuer). */
    apiAudiences?: string[];
    /** `--service-account-max-token-expiration` in seconds (0: no cap). */
    maxTokenExpirationSeconds?: number;
  };
  authorizationModes: AuthorizationMode[];
  /** The apiserver's client certificate towards kubelets, and their CA. */
  kubeletClient?: KubeletClientTLS;
}

export interface Security {
  authenticator: Authenticator;
  authorizer: Authorizer;
  admission: AdmissionPlugin[];
  kubeletClient?: KubeletClientTLS;
  /** Once the watch caches are ready: bootstrap policy, graphs. */
  start(): Promise<void>;
  stop(): Promise<void>;
}

export async function buildSecurity(
  options: SecurityOptions | undefined,
  _store: (group: string, resource: string) => ResourceStore,
  _log: Logger,
): Promise<Security> {
  if (!options) {
    // Plain HTTP: the authentication stage makes every request `system:unsecured`.
    return { authenticator: { authenticate: () => undefined }, authorizer: alwaysAllow, admission: [], start: async () => undefined, stop: async () => undefined };
  }
  throw new Error('secure serving is being wired');
}
