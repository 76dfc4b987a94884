// Logging in: a token is whoever the apiserver says it is. The dashboard asks with a
// SelfSubjectReview made *as that token* (authentication.k8s.io/v1, what `kubectl auth whoami`
// does), so the dashboard never needs a TokenReview permission or credentials of its own.
// The one-time login link: scripts/up writes `{nonce, token}` (0600) for the admin; the first
// visit of /login?once=<nonce> turns it into a session and the file is removed.
import { timingSafeEqual } from 'node:crypto';
import { readFile, unlink } from 'node:fs/promises';
import type { Status } from 'kubernetes-types/meta/v1';
import { StatusError, errors } from '../../api/status.js';
import type { Apiserver } from './apiserver.js';
import { apiserverUnavailable, statusFromBody } from './reply.js';
import type { DashboardUser } from './sessions.js';

interface SelfSubjectReview {
  status?: { userInfo?: { username?: string; uid?: string; groups?: string[]; extra?: Record<string, string[]> } };
}

/** A token's user, by a SelfSubjectReview sent as the token; throws the Status to answer. */
export async function whoAmI(api: Apiserver, token: string): Promise<DashboardUser> {
  if (!token || /\s/.test(token)) throw errors.unauthorized();
  let r: Awaited<ReturnType<Apiserver['json']>>;
  try {
    r = await api.json<SelfSubjectReview>('POST', '/apis/authentication.k8s.io/v1/selfsubjectreviews', token, {
      apiVersion: 'authentication.k8s.io/v1',
      kind: 'SelfSubjectReview',
    });
  } catch (e) {
    throw apiserverUnavailable(e);
  }
  if (r.status >= 500) throw apiserverError(r.status, r.text);
  if (r.status === 401) throw errors.unauthorized();
  if (r.status < 200 || r.status >= 300) throw apiserverError(r.status, r.text);
  const info = (r.body as SelfSubjectReview | undefined)?.status?.userInfo;
  // A token the apiserver did not recognise is rejected (401) before this; anonymous is no login.
  if (!info?.username || info.username === 'system:anonymous') throw errors.unauthorized();
  return {
    username: info.username,
    groups: info.groups ?? [],
    ...(info.uid ? { uid: info.uid } : {}),
    ...(info.extra ? { extra: info.extra } : {}),
  };
}

function apiserverError(code: number, text: string): StatusError {
  const s: Status = statusFromBody(code, text);
  return new StatusError(code, (s.reason ?? 'InternalError') as never, s.message ?? `status ${code}`, s.details);
}

/** What scripts/up writes to --login-once-file. */
export interface LoginOnce {
  nonce: string;
  token: string;
}

/** Parses the login-once file; undefined when it is missing or not the expected shape. */
export function parseLoginOnce(text: string): LoginOnce | undefined {
  try {
    const v = JSON.parse(text) as Partial<LoginOnce>;
    if (typeof v?.nonce === 'string' && v.nonce.length >= 16 && typeof v.token === 'string' && v.token) return { nonce: v.nonce, token: v.token };
  } catch {
    // not JSON
  }
  return undefined;
}

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * The one-time links. The file is read at each use (scripts/up may write a fresh one while the
 * dashboard runs); a nonce is good once: it is remembered as used and the file is removed.
 */
export class LoginOnceLinks {
  private readonly used = new Set<string>();
  private readonly inFlight = new Set<string>();

  constructor(private readonly file: string | undefined) {}

  /**
   * The token of an unused nonce, claimed for this caller; `release(nonce, ok)` ends the
   * claim (ok: consumed; not ok: the login failed for a reason that is not the link's, e.g. the
   * apiserver was down, and the link stays usable).
   */
  async claim(nonce: string): Promise<string | undefined> {
    if (!this.file || !nonce || this.used.has(nonce) || this.inFlight.has(nonce)) return undefined;
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch {
      return undefined;
    }
    const entry = parseLoginOnce(text);
    if (!entry || !sameSecret(entry.nonce, nonce) || this.used.has(nonce) || this.inFlight.has(nonce)) return undefined;
    this.inFlight.add(nonce);
    return entry.token;
  }

  async release(nonce: string, consumed: boolean): Promise<void> {
    this.inFlight.delete(nonce);
    if (!consumed) return;
    this.used.add(nonce);
    if (!this.file) return;
    // Only the file that still holds this nonce is removed (a newer link may have replaced it).
    try {
      const entry = parseLoginOnce(await readFile(this.file, 'utf8'));
      if (entry && sameSecret(entry.nonce, nonce)) await unlink(this.file);
    } catch {
      // gone already
    }
  }
}
