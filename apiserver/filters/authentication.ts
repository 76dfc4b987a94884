// Stage 2: authentication (k8s' filters.WithAuthentication). The union of authenticators turns
// the request's credentials into a user; bad credentials are a 401 Unauthorized Status (the
// reason goes to the log only), no credentials are `system:anonymous` when anonymous requests
// are allowed. The Authorization header is dropped afterwards so nothing passes it on.
import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { errors } from '../../api/status.js';
import type { UserInfo } from '../../api/user.js';
import { AuthenticationError, type AuthenticationRequest, type Authenticator } from '../auth/types.js';

export interface AuthenticationStageOptions {
  authenticator: Authenticator;
  /** Who a request on the unsafe plain-HTTP port is (Kubernetes' old insecure port: system:masters). */
  insecureUser?: UserInfo;
  /** Whether a request arrived on the unsafe plain-HTTP port. */
  isInsecure?: (req: FastifyRequest) => boolean;
  /** Lower-case headers that name the user per request (the front proxy's X-Remote-User). */
  identityHeaders?: string[];
}

/** What the authenticators look at: headers and the connection's client certificate (any HTTP server's request). */
export function authenticationRequest(req: IncomingMessage): AuthenticationRequest {
  const out: AuthenticationRequest = { headers: req.headers, headersDistinct: req.headersDistinct };
  const socket = req.socket as TLSSocket | undefined;
  if (socket && typeof socket.getPeerCertificate === 'function') {
    const cert = socket.getPeerCertificate();
    if (cert && Object.keys(cert).length > 0) {
      out.peerCertificate = cert;
      out.peerCertificateAuthorized = socket.authorized;
      if (!socket.authorized && socket.authorizationError) out.peerCertificateError = String(socket.authorizationError);
    }
  }
  return out;
}

/** A request whose only credential is its connection's client certificate (or none at all). */
function connectionOnly(req: FastifyRequest, identityHeaders: string[]): boolean {
  if (req.headers.authorization !== undefined) return false;
  if (identityHeaders.some((h) => req.headers[h] !== undefined)) return false;
  const protocols = req.headers['sec-websocket-protocol'];
  return protocols === undefined || !String(protocols).includes('bearer.authorization.k8s.io');
}

export const authenticationStage = fp(
  async (app: FastifyInstance, opts: AuthenticationStageOptions) => {
    // A connection's certificate never changes: what it authenticates as is worked out once
    // per connection (reading the peer certificate and hashing it is most of x509's cost).
    const byConnection = new WeakMap<object, Promise<UserInfo | undefined>>();
    const authenticate = async (req: FastifyRequest): Promise<UserInfo | undefined> => {
      const socket = req.raw.socket;
      if (!socket || !connectionOnly(req, opts.identityHeaders ?? [])) return (await opts.authenticator.authenticate(authenticationRequest(req.raw)))?.user;
      let known = byConnection.get(socket);
      if (!known) {
        known = Promise.resolve(opts.authenticator.authenticate(authenticationRequest(req.raw))).then((r) => r?.user);
        byConnection.set(socket, known);
        known.catch(() => byConnection.delete(socket));
      }
      return known;
    };
    app.addHook('onRequest', async (req) => {
      let user: UserInfo | undefined;
      if (opts.insecureUser && opts.isInsecure?.(req)) {
        user = opts.insecureUser;
      } else {
        try {
          user = await authenticate(req);
        } catch (e) {
          if (!(e instanceof AuthenticationError)) req.log.error({ err: e }, 'authenticator failed');
          else req.log.debug({ reason: e.message, auditID: req.k8s.auditID }, 'unable to authenticate the request');
          throw errors.unauthorized();
        }
      }
      if (!user) throw errors.unauthorized();
      req.k8s.authenticatedUser = user;
      req.k8s.user = user;
      delete req.headers.authorization;
    });
  },
  { name: 'tskube-authentication', dependencies: ['tskube-request-info'] },
);
