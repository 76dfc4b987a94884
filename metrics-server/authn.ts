// Authentication of an aggregated API server (k8s' DelegatingAuthenticatorConfig, in its order),
// built from the apiserver's own authenticators, as every generic apiserver uses the same
// k8s.io/apiserver ones:
//  1. request headers (apiserver/auth/authn/request-header.ts): a client certificate chaining to
//     --requestheader-client-ca-file whose CN is in --requestheader-allowed-names vouches for the
//     user named in X-Remote-User, groups in X-Remote-Group, extras in X-Remote-Extra-*. This is
//     how the kube-apiserver's aggregator forwards its callers.
//  2. x509: a client certificate chaining to --client-ca-file is its CN, in its O groups.
//  3. a bearer token, by a TokenReview to the apiserver.
// A credential that fails one step may still pass a later one; a request nothing authenticates
// is 401 (anonymous requests are not accepted here).
import type { IncomingMessage } from 'node:http';
import type { UserInfo } from '../api/user.js';
import { parseCertBundle, RequestHeaderAuthenticator, type RequestHeaderConfig } from '../apiserver/auth/authn/request-header.js';
import { bearerTokenAuthenticator } from '../apiserver/auth/authn/bearer.js';
import { requestAuthenticator } from '../apiserver/auth/authn/union.js';
import { x509Authenticator } from '../apiserver/auth/authn/x509.js';
import { AuthenticationError, type Authenticator as RequestAuthenticator } from '../apiserver/auth/types.js';
import { authenticationRequest } from '../apiserver/filters/authentication.js';
import type { DelegatingAuth } from '../client/component-base/delegating-auth.js';

export type RequestHeaderOptions = RequestHeaderConfig;

export interface AuthenticatorOptions {
  requestHeader?: RequestHeaderOptions;
  /** PEM bundle of the CA(s) direct client certificates chain to. */
  clientCA?: string;
  /** Bearer tokens (TokenReview); none: tokens are not accepted. */
  tokens?: DelegatingAuth;
}

export type AuthnResult = { user: UserInfo } | { error: string } | undefined;

export class Authenticator {
  private readonly union: RequestAuthenticator;

  constructor(o: AuthenticatorOptions) {
    const list: RequestAuthenticator[] = [];
    if (o.requestHeader) list.push(new RequestHeaderAuthenticator(o.requestHeader));
    // The TLS layer trusts both CAs (so clients offer their certificates); only the client CA names users.
    if (o.clientCA) list.push(x509Authenticator(parseCertBundle(o.clientCA)));
    const tokens = o.tokens;
    if (tokens) list.push(bearerTokenAuthenticator({ authenticateToken: async (t) => ((user) => (user ? { user } : undefined))(await tokens.reviewToken(t)) }));
    this.union = requestAuthenticator(list, false);
  }

  async authenticate(req: IncomingMessage): Promise<AuthnResult> {
    try {
      const r = await this.union.authenticate(authenticationRequest(req));
      return r ? { user: r.user } : undefined;
    } catch (e) {
      if (e instanceof AuthenticationError) return { error: e.message };
      throw e;
    }
  }
}
