// Service-account tokens for pods' projected volumes (k8s pkg/kubelet/token/token_manager.go):
// each projected `serviceAccountToken` source is a TokenRequest
// (POST …/serviceaccounts/<sa>/token) bound to the pod, cached per (namespace, service
// account, audiences, expiration, bound pod) and requested again once 80% of its lifetime has
// passed or it is older than 24 h. A refresh that fails while the old token is still valid
// keeps the old one; with no valid token left the error reaches the volume setup.
import type { TokenRequest } from 'kubernetes-types/authentication/v1';
import type { Pod, ServiceAccountTokenProjection } from 'kubernetes-types/core/v1';
import { defaultLogger, type Logger, type RestClient } from '../../client/index.js';

/** Sends one TokenRequest for `serviceAccount` in `namespace` and returns the server's reply. */
export type RequestToken = (namespace: string, serviceAccount: string, request: TokenRequest) => Promise<TokenRequest>;

/** The TokenRequest subresource over the kubelet's client. */
export function tokenRequester(client: RestClient): RequestToken {
  return (namespace, serviceAccount, request) =>
    client.resource('serviceaccounts', namespace).subresource<TokenRequest>(serviceAccount, 'token', { method: 'POST', body: request });
}

/** The apiserver's default for a projected token's expirationSeconds. */
export const DEFAULT_EXPIRATION_SECONDS = 3600;
const MAX_TTL_MS = 24 * 3600_000;
/** Up to 10 s earlier, so tokens issued together are not all refreshed in the same instant. */
const MAX_JITTER_SECONDS = 10;

export interface TokenManagerOptions {
  requestToken: RequestToken;
  /** The clock (ms since the epoch); tests move it. */
  now?: () => number;
  /** [0, 1) for the refresh jitter; tests pin it. */
  random?: () => number;
  logger?: Logger;
}

interface Entry {
  podUid: string;
  tr: TokenRequest;
}

export class TokenManager {
  private readonly cache = new Map<string, Entry>();
  /** One request at a time per key: concurrent volume setups share it. */
  private readonly inFlight = new Map<string, { podUid: string; promise: Promise<TokenRequest> }>();
  private readonly now: () => number;
  private readonly random: () => number;
  private readonly log: Logger;

  constructor(private readonly opts: TokenManagerOptions) {
    this.now = opts.now ?? Date.now;
    this.random = opts.random ?? Math.random;
    this.log = opts.logger ?? defaultLogger();
  }

  /** The token of a pod's projected serviceAccountToken source (its audience, its lifetime). */
  async podToken(pod: Pod, source: ServiceAccountTokenProjection): Promise<string> {
    const namespace = pod.metadata?.namespace ?? 'default';
    // The ServiceAccount admission always sets it; a pod created without it runs as `default`.
    const serviceAccount = pod.spec?.serviceAccountName || pod.spec?.serviceAccount || 'default';
    const tr = await this.getServiceAccountToken(namespace, serviceAccount, {
      apiVersion: 'authentication.k8s.io/v1',
      kind: 'TokenRequest',
      spec: {
        // Empty: the apiserver's own audience.
        audiences: source.audience ? [source.audience] : [],
        expirationSeconds: source.expirationSeconds ?? DEFAULT_EXPIRATION_SECONDS,
        boundObjectRef: { kind: 'Pod', apiVersion: 'v1', name: pod.metadata?.name ?? '', uid: pod.metadata?.uid ?? '' },
      },
    });
    return tr.status?.token ?? '';
  }

  /** A token from the cache, or from a TokenRequest when there is none or it is due for refresh. */
  async getServiceAccountToken(namespace: string, name: string, request: TokenRequest): Promise<TokenRequest> {
    const k = cacheKey(namespace, name, request);
    const cached = this.cache.get(k)?.tr;
    if (cached && !this.requiresRefresh(cached)) return cached;
    let fresh: TokenRequest;
    try {
      fresh = await this.request(k, namespace, name, request);
    } catch (err) {
      const msg = err instanceof Error ? err.message : String(err);
      if (!cached) throw new Error(`failed to fetch token: ${msg}`);
      if (this.expired(cached)) throw new Error(`token ${k} expired and refresh failed: ${msg}`);
      this.log.warn({ cacheKey: k, err }, "couldn't update token");
      return cached;
    }
    return fresh;
  }

  /** Forgets the tokens bound to a pod (the pod is gone). */
  deleteServiceAccountToken(podUid: string): void {
    for (const [k, e] of this.cache) if (e.podUid === podUid) this.cache.delete(k);
    for (const [k, f] of this.inFlight) if (f.podUid === podUid) this.inFlight.delete(k);
  }

  /** Drops expired tokens (k8s runs this every minute). */
  cleanup(): void {
    for (const [k, e] of this.cache) if (this.expired(e.tr)) this.cache.delete(k);
  }

  /** Number of cached tokens. */
  get size(): number {
    return this.cache.size;
  }

  private request(k: string, namespace: string, name: string, request: TokenRequest): Promise<TokenRequest> {
    const running = this.inFlight.get(k);
    if (running) return running.promise;
    const podUid = request.spec.boundObjectRef?.uid ?? '';
    const promise = this.opts.requestToken(namespace, name, request).then((tr) => {
      if (!tr.status?.token) throw new Error('the TokenRequest reply carries no token');
      if (!Number.isFinite(Date.parse(tr.status.expirationTimestamp))) throw new Error('the TokenRequest reply carries no expirationTimestamp');
      // The issuer may grant another lifetime than asked: the reply's spec is what counts.
      const got: TokenRequest = { ...tr, spec: { ...request.spec, ...tr.spec, expirationSeconds: tr.spec?.expirationSeconds ?? request.spec.expirationSeconds } };
      // A pod forgotten while its request ran must not leave a token behind.
      if (this.inFlight.get(k)?.promise === promise) this.cache.set(k, { podUid, tr: got });
      return got;
    });
    this.inFlight.set(k, { podUid, promise });
    const clear = (): void => {
      if (this.inFlight.get(k)?.promise === promise) this.inFlight.delete(k);
    };
    promise.then(clear, clear);
    return promise;
  }

  private expired(tr: TokenRequest): boolean {
    return this.now() > Date.parse(tr.status?.expirationTimestamp ?? '');
  }

  /** Past 80% of its lifetime (less a jitter), older than 24 h, or issued in our future (clock leap). */
  private requiresRefresh(tr: TokenRequest): boolean {
    const seconds = tr.spec.expirationSeconds;
    if (seconds === undefined) return false;
    const now = this.now();
    const exp = Date.parse(tr.status?.expirationTimestamp ?? '');
    const iat = exp - seconds * 1000;
    const jitterMs = Math.floor(this.random() * MAX_JITTER_SECONDS) * 1000;
    if (now > iat + MAX_TTL_MS - jitterMs) return true;
    if (now > exp - Math.floor((seconds * 20) / 100) * 1000 - jitterMs) return true;
    return now < iat;
  }
}

/** Safe to log: names, audiences, lifetime and bound object, never the token. */
function cacheKey(namespace: string, name: string, tr: TokenRequest): string {
  const ref = tr.spec.boundObjectRef;
  return JSON.stringify([name, namespace, tr.spec.audiences, tr.spec.expirationSeconds ?? 0, ref?.kind ?? '', ref?.name ?? '', ref?.uid ?? '']);
}
