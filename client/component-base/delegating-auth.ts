// Delegated authentication and authorization for a component's own port (k8s'
// DelegatingAuthenticationOptions / DelegatingAuthorizationOptions, and the kubelet's
// webhook authn/authz): client certificates are checked against the cluster's client CA by
// the TLS layer; bearer tokens are checked with a TokenReview; every decision is a
// SubjectAccessReview to the apiserver. Answers are cached briefly, as Kubernetes does. When
// the apiserver cannot be asked, the request is refused (401/403), never let through.
import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import type { UserInfo } from '../../api/user.js';
import { SYSTEM_AUTHENTICATED } from '../../api/user.js';
import type { RestClient } from '../rest.js';

/** What a SubjectAccessReview asks (resourceAttributes or nonResourceAttributes). */
export type AccessAttributes =
  | { verb: string; resource: string; subresource?: string; name?: string; namespace?: string; group?: string; version?: string }
  | { verb: string; path: string };

export interface DelegatingAuthOptions {
  /** The client for TokenReviews and SubjectAccessReviews. */
  client: RestClient;
  /** How long answers are kept (default 10 s). */
  cacheTtlMs?: number;
}

interface Cached<T> {
  value: T;
  until: number;
}

const MAX_CACHE = 4096;

function remember<T>(cache: Map<string, Cached<T>>, key: string, value: T, ttlMs: number): T {
  if (cache.size >= MAX_CACHE) cache.delete(cache.keys().next().value as string);
  cache.set(key, { value, until: Date.now() + ttlMs });
  return value;
}

function recall<T>(cache: Map<string, Cached<T>>, key: string): T | undefined {
  const hit = cache.get(key);
  if (!hit) return undefined;
  if (hit.until < Date.now()) {
    cache.delete(key);
    return undefined;
  }
  return hit.value;
}

export class DelegatingAuth {
  private readonly tokens = new Map<string, Cached<UserInfo | null>>();
  private readonly decisions = new Map<string, Cached<boolean>>();
  private readonly ttl: number;

  constructor(private readonly o: DelegatingAuthOptions) {
    this.ttl = o.cacheTtlMs ?? 10_000;
  }

  /**
   * The caller: its verified client certificate (CN user, O groups), else its bearer token via
   * a TokenReview; undefined when it presented nothing usable. Throws nothing.
   */
  async authenticate(req: IncomingMessage): Promise<UserInfo | undefined> {
    const socket = req.socket as TLSSocket;
    if (typeof socket.getPeerCertificate === 'function' && socket.authorized) {
      const cert = socket.getPeerCertificate();
      const cn = cert?.subject?.CN;
      if (cn) {
        const o = cert.subject.O;
        const groups = o === undefined ? [] : Array.isArray(o) ? o : [o];
        return { username: Array.isArray(cn) ? cn[0]! : cn, groups: [...groups, SYSTEM_AUTHENTICATED] };
      }
    }
    const auth = req.headers.authorization;
    const m = typeof auth === 'string' ? /^Bearer\s+(\S+)\s*$/i.exec(auth) : null;
    if (!m) return undefined;
    return this.reviewToken(m[1]!);
  }

  /** The user of a bearer token, by a TokenReview (cached); undefined when not authenticated. */
  async reviewToken(token: string): Promise<UserInfo | undefined> {
    const cached = recall(this.tokens, token);
    if (cached !== undefined) return cached ?? undefined;
    try {
      const r = await this.o.client.json<{ status?: { authenticated?: boolean; user?: { username?: string; uid?: string; groups?: string[]; extra?: Record<string, string[]> } } }>({
        method: 'POST',
        path: '/apis/authentication.k8s.io/v1/tokenreviews',
        body: { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec: { token } },
      });
      const u = r.status?.authenticated ? r.status.user : undefined;
      const user: UserInfo | null = u?.username ? { username: u.username, groups: u.groups ?? [], ...(u.uid ? { uid: u.uid } : {}), ...(u.extra ? { extra: u.extra } : {}) } : null;
      return remember(this.tokens, token, user, this.ttl) ?? undefined;
    } catch {
      // The apiserver could not be asked: not cached, and not authenticated.
      return undefined;
    }
  }

  /** Whether `user` may do `attrs`, by a SubjectAccessReview. False when it cannot be asked. */
  async authorize(user: UserInfo, attrs: AccessAttributes): Promise<boolean> {
    const key = JSON.stringify([user.username, user.uid ?? '', user.groups, attrs]);
    const cached = recall(this.decisions, key);
    if (cached !== undefined) return cached;
    try {
      const spec = {
        user: user.username,
        groups: user.groups,
        ...(user.uid ? { uid: user.uid } : {}),
        ...(user.extra ? { extra: user.extra } : {}),
        ...('path' in attrs ? { nonResourceAttributes: attrs } : { resourceAttributes: attrs }),
      };
      const r = await this.o.client.json<{ status?: { allowed?: boolean } }>({
        method: 'POST',
        path: '/apis/authorization.k8s.io/v1/subjectaccessreviews',
        body: { apiVersion: 'authorization.k8s.io/v1', kind: 'SubjectAccessReview', spec },
      });
      return remember(this.decisions, key, r.status?.allowed === true, this.ttl);
    } catch {
      return false;
    }
  }
}
