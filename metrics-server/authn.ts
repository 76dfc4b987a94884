// Authentication of an aggregated API server (k8s' DelegatingAuthenticatorConfig, in its order):
//  1. request headers: a client certificate chaining to --requestheader-client-ca-file whose CN
//     is in --requestheader-allowed-names (any CN when the list is empty) vouches for the user
//     named in X-Remote-User, with groups from X-Remote-Group and extras from X-Remote-Extra-*.
//     This is how the kube-apiserver's aggregator forwards its callers.
//  2. x509: a client certificate chaining to --client-ca-file is its CN, in its O groups.
//  3. a bearer token, by a TokenReview to the apiserver.
// Like Kubernetes' union authenticator, a credential that fails one step may still pass a later
// one; a request nothing authenticates is 401 (anonymous requests are not accepted here).
import { X509Certificate } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { PeerCertificate, TLSSocket } from 'node:tls';
import type { UserInfo } from '../api/user.js';
import { chainOf } from '../apiserver/auth/authn/x509.js';
import { SYSTEM_AUTHENTICATED } from '../api/user.js';
import type { DelegatingAuth } from '../client/component-base/delegating-auth.js';

export interface RequestHeaderOptions {
  /** PEM bundle of the front-proxy CA(s). */
  clientCA: string;
  /** Allowed front-proxy CNs; empty: any certificate from clientCA. */
  allowedNames: string[];
  usernameHeaders: string[];
  groupHeaders: string[];
  extraHeaderPrefixes: string[];
}

export interface AuthenticatorOptions {
  requestHeader?: RequestHeaderOptions;
  /** PEM bundle of the CA(s) direct client certificates chain to. */
  clientCA?: string;
  /** Bearer tokens (TokenReview); none: tokens are not accepted. */
  tokens?: DelegatingAuth;
}

export type AuthnResult = { user: UserInfo } | { error: string } | undefined;

/** Splits a PEM bundle into parsed certificates (unparseable blocks are skipped). */
export function parseBundle(pem: string | undefined): X509Certificate[] {
  const out: X509Certificate[] = [];
  for (const block of pem?.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? []) {
    try {
      out.push(new X509Certificate(block));
    } catch {
      // Not a certificate: ignored, as Go's AppendCertsFromPEM does.
    }
  }
  return out;
}

/** Whether the presented chain leads to one of `roots` (the TLS layer has already checked signatures against the union of CAs). */
export function chainsTo(cert: PeerCertificate, roots: readonly X509Certificate[]): boolean {
  for (const c of chainOf(cert)) {
    let x: X509Certificate;
    try {
      x = new X509Certificate(c.raw);
    } catch {
      return false;
    }
    if (roots.some((r) => x.raw.equals(r.raw) || (x.checkIssued(r) && x.verify(r.publicKey)))) return true;
  }
  return false;
}

/** Every line of a header, unjoined (Node joins repeated unknown headers with ", "; a group may contain a comma). */
function headerValues(req: IncomingMessage, name: string): string[] {
  return req.headersDistinct[name.toLowerCase()] ?? [];
}

function firstHeader(req: IncomingMessage, names: string[]): string | undefined {
  for (const n of names) {
    const v = headerValues(req, n)[0];
    if (v) return v;
  }
  return undefined;
}

/** X-Remote-Extra-<key>: the key lowercased and percent-unescaped, values in order (k8s' headerrequest). */
export function extraFrom(headers: IncomingMessage['headersDistinct'], prefixes: string[]): Record<string, string[]> {
  const extra: Record<string, string[]> = {};
  for (const [name, value] of Object.entries(headers)) {
    const prefix = prefixes.find((p) => name.toLowerCase().startsWith(p.toLowerCase()));
    if (!prefix || value === undefined) continue;
    let key = name.slice(prefix.length).toLowerCase();
    try {
      key = decodeURIComponent(key);
    } catch {
      // Kept as sent.
    }
    (extra[key] ??= []).push(...value);
  }
  return extra;
}

export class Authenticator {
  private readonly frontProxyCAs: X509Certificate[];
  private readonly clientCAs: X509Certificate[];

  constructor(private readonly o: AuthenticatorOptions) {
    this.frontProxyCAs = parseBundle(o.requestHeader?.clientCA);
    this.clientCAs = parseBundle(o.clientCA);
  }

  async authenticate(req: IncomingMessage): Promise<AuthnResult> {
    const errors: string[] = [];
    const socket = req.socket as TLSSocket;
    const peer = typeof socket.getPeerCertificate === 'function' ? socket.getPeerCertificate(true) : undefined;
    const verified = !!peer?.raw?.length && socket.authorized;
    const rh = this.o.requestHeader;
    if (verified && rh && chainsTo(peer, this.frontProxyCAs)) {
      const r = this.fromRequestHeaders(req, peer, rh);
      if (r && 'user' in r) return r;
      if (r) errors.push(r.error);
    }
    if (verified && chainsTo(peer, this.clientCAs)) {
      const cn = peer.subject?.CN;
      const o = peer.subject?.O;
      const name = Array.isArray(cn) ? cn[0] : cn;
      if (name) return { user: { username: name, groups: [...(o === undefined ? [] : Array.isArray(o) ? o : [o]), SYSTEM_AUTHENTICATED] } };
    } else if (peer?.raw?.length) {
      errors.push(`verifying certificate failed: ${String(socket.authorizationError ?? 'certificate signed by unknown authority')}`);
    }
    const auth = req.headers.authorization;
    const m = typeof auth === 'string' ? /^Bearer\s+(\S+)\s*$/i.exec(auth) : null;
    if (m && this.o.tokens) {
      const user = await this.o.tokens.reviewToken(m[1]!);
      if (user) return { user };
      errors.push('invalid bearer token');
    }
    return errors.length ? { error: errors.join('; ') } : undefined;
  }

  private fromRequestHeaders(req: IncomingMessage, peer: PeerCertificate, rh: RequestHeaderOptions): AuthnResult {
    const cn = Array.isArray(peer.subject?.CN) ? peer.subject.CN[0] : peer.subject?.CN;
    const username = firstHeader(req, rh.usernameHeaders);
    // No user header: this certificate is not vouching for anyone (k8s: not this authenticator's request).
    if (!username) return undefined;
    if (rh.allowedNames.length > 0 && !rh.allowedNames.includes(cn ?? '')) {
      return { error: `requestheader: client certificate CN ${JSON.stringify(cn ?? '')} is not in the allowed list ${JSON.stringify(rh.allowedNames)}` };
    }
    const groups = rh.groupHeaders.flatMap((h) => headerValues(req, h));
    const extra = extraFrom(req.headersDistinct, rh.extraHeaderPrefixes);
    return { user: { username, groups, ...(Object.keys(extra).length ? { extra } : {}) } };
  }
}
