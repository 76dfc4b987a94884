// Bearer tokens from a request: the `Authorization: Bearer` header (Kubernetes'
// request/bearertoken) and, for WebSocket upgrades from browsers that cannot set headers, a
// `base64url.bearer.authorization.k8s.io.<token>` subprotocol (request/websocket).
import type { IncomingHttpHeaders } from 'node:http';
import { AuthenticationError, type AuthenticationRequest, type AuthenticationResult, type Authenticator, type TokenAuthenticator } from '../types.js';
import { unionTokenAuthenticator } from './union.js';

const INVALID_TOKEN = 'invalid bearer token';
export const BEARER_PROTOCOL_PREFIX = 'base64url.bearer.authorization.k8s.io.';

function tokenAuthenticatorOf(tokens: TokenAuthenticator | TokenAuthenticator[]): TokenAuthenticator {
  return Array.isArray(tokens) ? unionTokenAuthenticator(tokens) : tokens;
}

/** Ask the token authenticators; a token none recognises is a bad credential, not a missing one. */
async function authenticateBearer(tokens: TokenAuthenticator, token: string): Promise<AuthenticationResult> {
  const result = await tokens.authenticateToken(token);
  if (!result) throw new AuthenticationError(INVALID_TOKEN);
  return result;
}

/** The token of an `Authorization: Bearer <token>` header; undefined when there is none (an empty token is none). */
export function bearerTokenOf(headers: IncomingHttpHeaders): string | undefined {
  const raw = headers.authorization;
  const auth = (Array.isArray(raw) ? raw[0] : raw)?.trim();
  if (!auth) return undefined;
  const parts = auth.split(' ');
  if (parts.length < 2 || parts[0].toLowerCase() !== 'bearer') return undefined;
  // `Bearer  x` (two spaces) gives an empty second part: Kubernetes treats it as no token.
  return parts[1] === '' ? undefined : parts[1];
}

/**
 * `Authorization: Bearer`. On success the header is removed from the request, as Kubernetes
 * does, so nothing later (a proxy to a pod or service) can forward the caller's credential.
 */
export function bearerTokenAuthenticator(tokens: TokenAuthenticator | TokenAuthenticator[]): Authenticator {
  const auth = tokenAuthenticatorOf(tokens);
  return {
    async authenticate(req: AuthenticationRequest) {
      const token = bearerTokenOf(req.headers);
      if (token === undefined) return undefined;
      const result = await authenticateBearer(auth, token);
      delete req.headers.authorization;
      return result;
    },
  };
}

/** Kubernetes' wsstream.IsWebSocketRequest: `Connection: upgrade` and `Upgrade: websocket`. */
export function isWebSocketRequest(headers: IncomingHttpHeaders): boolean {
  const connection = headers.connection ?? '';
  const upgrade = headers.upgrade ?? '';
  return connection.split(',').some((t) => t.trim().toLowerCase() === 'upgrade') && upgrade.trim().toLowerCase() === 'websocket';
}

function protocolEntries(headers: IncomingHttpHeaders): string[] {
  const raw = headers['sec-websocket-protocol'];
  const values = raw === undefined ? [] : Array.isArray(raw) ? raw : [raw];
  return values.flatMap((v) => v.split(',')).map((p) => p.trim()).filter((p) => p !== '');
}

/** The token in a WebSocket request's subprotocols and the other protocols; undefined when none. Throws AuthenticationError for a malformed one. */
export function webSocketBearerToken(headers: IncomingHttpHeaders): { token: string; otherProtocols: string[] } | undefined {
  if (!isWebSocketRequest(headers)) return undefined;
  let token: string | undefined;
  const otherProtocols: string[] = [];
  for (const protocol of protocolEntries(headers)) {
    if (!protocol.startsWith(BEARER_PROTOCOL_PREFIX)) {
      otherProtocols.push(protocol);
      continue;
    }
    if (token !== undefined) throw new AuthenticationError('multiple base64.bearer.authorization tokens specified');
    const encoded = protocol.slice(BEARER_PROTOCOL_PREFIX.length);
    // Raw (unpadded) base64url only, like Go's base64.RawURLEncoding.
    if (!/^[A-Za-z0-9_-]*$/.test(encoded) || encoded.length % 4 === 1) {
      throw new AuthenticationError('invalid base64.bearer.authorization token encoding');
    }
    const bytes = Buffer.from(encoded, 'base64url');
    let decoded: string;
    try {
      decoded = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    } catch {
      throw new AuthenticationError('invalid base64.bearer.authorization token');
    }
    token = decoded;
  }
  if (!token) return undefined;
  // Another subprotocol must remain for the server to echo back once the token one is removed.
  if (otherProtocols.length === 0) throw new AuthenticationError('missing additional subprotocol');
  return { token, otherProtocols };
}

/**
 * The WebSocket subprotocol form. On success the token entry is removed from
 * `Sec-WebSocket-Protocol`, so the WebSocket server negotiates among the real protocols
 * and never echoes the credential.
 */
export function webSocketProtocolAuthenticator(tokens: TokenAuthenticator | TokenAuthenticator[]): Authenticator {
  const auth = tokenAuthenticatorOf(tokens);
  return {
    async authenticate(req: AuthenticationRequest) {
      const found = webSocketBearerToken(req.headers);
      if (!found) return undefined;
      const result = await authenticateBearer(auth, found.token);
      req.headers['sec-websocket-protocol'] = found.otherProtocols.join(',');
      return result;
    },
  };
}
