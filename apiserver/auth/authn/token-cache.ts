// A short-lived cache of token authentication results (Kubernetes' token/cache, which the
// kube-apiserver puts in front of its token union). Verifying a JWT signature costs CPU on
// every request of a busy client; caching the answer for a few seconds removes that cost
// while bounding how long a token outlives the deletion of the object it is bound to.
import { createHash } from 'node:crypto';
import type { AuthenticationResult, TokenAuthenticator } from '../types.js';

export interface TokenCacheOptions {
  /** How long a success is reused. Kubernetes uses 10 s; tskube defaults to 3 s. */
  successTTLMs?: number;
  /** How long a rejection is reused (Kubernetes' default is 0: never). */
  failureTTLMs?: number;
  /** Entries kept at most; the oldest go first. */
  maxEntries?: number;
  /** Milliseconds clock (tests). */
  now?: () => number;
}

export const DEFAULT_TOKEN_SUCCESS_TTL_MS = 3_000;

interface Entry {
  /** Settled or in flight: concurrent requests with one token share one verification. */
  result: Promise<AuthenticationResult | undefined>;
  /** Infinity while in flight. */
  expiresAt: number;
}

/** A TokenAuthenticator that remembers answers per (token, audiences). */
export class CachedTokenAuthenticator implements TokenAuthenticator {
  private readonly entries = new Map<string, Entry>();
  private readonly successTTL: number;
  private readonly failureTTL: number;
  private readonly maxEntries: number;
  private readonly now: () => number;

  constructor(private readonly delegate: TokenAuthenticator, options: TokenCacheOptions = {}) {
    this.successTTL = options.successTTLMs ?? DEFAULT_TOKEN_SUCCESS_TTL_MS;
    this.failureTTL = options.failureTTLMs ?? 0;
    this.maxEntries = options.maxEntries ?? 4096;
    this.now = options.now ?? Date.now;
  }

  /** Keyed by a hash so the cache never holds the tokens themselves. */
  private keyOf(token: string, audiences: string[] | undefined): string {
    const h = createHash('sha256').update(token);
    for (const a of audiences ?? []) h.update('\0').update(a);
    return h.digest('base64url');
  }

  authenticateToken(token: string, audiences?: string[]): Promise<AuthenticationResult | undefined> {
    const key = this.keyOf(token, audiences);
    let entry = this.entries.get(key);
    if (!entry || entry.expiresAt <= this.now()) {
      if (entry) this.entries.delete(key);
      entry = this.start(key, token, audiences);
    }
    // Each caller gets its own copy: a caller that edits its user cannot change the cache.
    return entry.result.then((r) => r && structuredClone(r));
  }

  private start(key: string, token: string, audiences: string[] | undefined): Entry {
    // The executor turns a synchronous throw of the delegate into a rejection.
    const result = new Promise<AuthenticationResult | undefined>((resolve) => resolve(this.delegate.authenticateToken(token, audiences)));
    const entry: Entry = { result, expiresAt: Infinity };
    this.entries.set(key, entry);
    this.evict();
    result.then(
      (r) => this.settle(key, entry, r ? this.successTTL : this.failureTTL),
      () => this.settle(key, entry, this.failureTTL),
    );
    return entry;
  }

  private settle(key: string, entry: Entry, ttl: number): void {
    if (this.entries.get(key) !== entry) return;
    if (ttl > 0) entry.expiresAt = this.now() + ttl;
    else this.entries.delete(key);
  }

  private evict(): void {
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest === undefined) return;
      this.entries.delete(oldest);
    }
  }

  /** Forget everything (e.g. after the key files are reloaded). */
  clear(): void {
    this.entries.clear();
  }

  get size(): number {
    return this.entries.size;
  }
}
