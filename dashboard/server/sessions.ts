// Browser sessions: an opaque random id in an HttpOnly, SameSite=Strict cookie, mapped in memory
// to the user's token and who the apiserver said they are. Nothing is persisted: a restart of
// the dashboard logs everyone out (tokens never touch disk here). Idle sessions expire.
import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { parseCookie, stringifySetCookie } from 'cookie';

export const SESSION_COOKIE = 'tskube_dashboard';

/** Who the apiserver says the token belongs to (SelfSubjectReview's status.userInfo). */
export interface DashboardUser {
  username: string;
  groups: string[];
  uid?: string;
  extra?: Record<string, string[]>;
}

export interface Session {
  id: string;
  token: string;
  user: DashboardUser;
  lastUsed: number;
}

export interface SessionStoreOptions {
  /** Idle time after which a session is gone (default 12 h). */
  idleMs?: number;
  /** At most this many sessions; the least recently used goes first (default 10 000). */
  max?: number;
  now?: () => number;
}

export class SessionStore {
  // A Map keeps insertion order; touching a session re-inserts it, so the first is the LRU one.
  private readonly sessions = new Map<string, Session>();
  private readonly idleMs: number;
  private readonly max: number;
  private readonly now: () => number;

  constructor(o: SessionStoreOptions = {}) {
    this.idleMs = o.idleMs ?? 12 * 60 * 60 * 1000;
    this.max = o.max ?? 10_000;
    this.now = o.now ?? Date.now;
  }

  create(token: string, user: DashboardUser): Session {
    const s: Session = { id: randomBytes(32).toString('base64url'), token, user, lastUsed: this.now() };
    if (this.sessions.size >= this.max) this.sessions.delete(this.sessions.keys().next().value as string);
    this.sessions.set(s.id, s);
    return s;
  }

  /** The live session of an id (touching it), or undefined. */
  get(id: string | undefined): Session | undefined {
    if (!id) return undefined;
    const s = this.sessions.get(id);
    if (!s) return undefined;
    const now = this.now();
    if (now - s.lastUsed > this.idleMs) {
      this.sessions.delete(id);
      return undefined;
    }
    s.lastUsed = now;
    this.sessions.delete(id);
    this.sessions.set(id, s);
    return s;
  }

  /** The session the request's cookie names. */
  fromRequest(req: IncomingMessage): Session | undefined {
    return this.get(sessionId(req));
  }

  delete(id: string | undefined): void {
    if (id) this.sessions.delete(id);
  }

  /** Drops idle sessions (called now and then so abandoned ones do not pile up). */
  sweep(): void {
    const now = this.now();
    for (const [id, s] of this.sessions) if (now - s.lastUsed > this.idleMs) this.sessions.delete(id);
  }

  get size(): number {
    return this.sessions.size;
  }
}

/** The session id in the request's Cookie header. */
export function sessionId(req: IncomingMessage): string | undefined {
  const header = req.headers.cookie;
  if (!header) return undefined;
  return parseCookie(header)[SESSION_COOKIE] || undefined;
}

/** Set-Cookie for a session id; no Max-Age: a browser-session cookie, the server enforces idle expiry. */
export function sessionCookie(id: string): string {
  return stringifySetCookie({ name: SESSION_COOKIE, value: id, httpOnly: true, sameSite: 'strict', path: '/' });
}

/** Set-Cookie that removes the session cookie. */
export function clearedCookie(): string {
  return stringifySetCookie({ name: SESSION_COOKIE, value: '', httpOnly: true, sameSite: 'strict', path: '/', maxAge: 0 });
}
