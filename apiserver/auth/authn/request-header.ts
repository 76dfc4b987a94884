// The front-proxy authenticator (Kubernetes' authentication/request/headerrequest wrapped in
// x509request's CA verifier): a request whose client certificate chains to
// --requestheader-client-ca-file, with a common name in --requestheader-allowed-names (any,
// when the list is empty), is the user its headers name — the first non-empty of
// --requestheader-username-headers, every value of --requestheader-group-headers, and each
// --requestheader-extra-headers-prefix<key> as extra[key]. The headers are removed once read,
// so nothing downstream passes them on.
import { X509Certificate } from 'node:crypto';
import type { PeerCertificate } from 'node:tls';
import type { UserInfo } from '../../../api/user.js';
import { AuthenticationError, type AuthenticationRequest, type AuthenticationResult, type Authenticator } from '../types.js';
import { allowsClientAuth, certificateIdentifier } from './x509.js';

export interface RequestHeaderConfig {
  /** PEM bundle of --requestheader-client-ca-file. */
  clientCA: string;
  /** --requestheader-allowed-names; empty: any common name. */
  allowedNames: string[];
  /** --requestheader-username-headers (X-Remote-User). */
  usernameHeaders: string[];
  /** --requestheader-group-headers (X-Remote-Group). */
  groupHeaders: string[];
  /** --requestheader-extra-headers-prefix (X-Remote-Extra-). */
  extraHeaderPrefixes: string[];
}

export const DEFAULT_REQUEST_HEADERS = {
  usernameHeaders: ['X-Remote-User'],
  groupHeaders: ['X-Remote-Group'],
  extraHeaderPrefixes: ['X-Remote-Extra-'],
};

/** Every certificate of a PEM bundle. */
export function parseCertBundle(pem: string): X509Certificate[] {
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  return blocks.map((b) => new X509Certificate(b));
}

/** Whether `leaf` is signed by one of `cas` and is within its validity period now. */
export function issuedByOneOf(leaf: X509Certificate, cas: X509Certificate[], now = new Date()): boolean {
  if (now < new Date(leaf.validFrom) || now > new Date(leaf.validTo)) return false;
  return cas.some((ca) => leaf.checkIssued(ca) && leaf.verify(ca.publicKey));
}

/** All values of a header, one per occurrence (Node joins repeated unknown headers with ", "). */
function headerValues(req: AuthenticationRequest, name: string): string[] {
  const lower = name.toLowerCase();
  const distinct = req.headersDistinct?.[lower];
  if (distinct) return distinct;
  const v = req.headers[lower];
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}

/** The user the headers name, or undefined when no username header is set (pure). */
export function userFromHeaders(req: AuthenticationRequest, c: Pick<RequestHeaderConfig, 'usernameHeaders' | 'groupHeaders' | 'extraHeaderPrefixes'>): UserInfo | undefined {
  const username = c.usernameHeaders.map((h) => headerValues(req, h)[0] ?? '').find((v) => v !== '');
  if (!username) return undefined;
  const groups = c.groupHeaders.flatMap((h) => headerValues(req, h));
  const extra: Record<string, string[]> = {};
  for (const prefix of c.extraHeaderPrefixes.map((p) => p.toLowerCase())) {
    for (const name of Object.keys(req.headers)) {
      if (!name.startsWith(prefix) || name.length === prefix.length) continue;
      // Keys are percent-encoded on the wire (headers are case-insensitive; keys may not be).
      const key = decodeURIComponent(name.slice(prefix.length)).toLowerCase();
      (extra[key] ??= []).push(...headerValues(req, name));
    }
  }
  return { username, groups, ...(Object.keys(extra).length ? { extra } : {}) };
}

/** Removes every header the front proxy speaks in (ClearAuthenticationHeaders). */
export function clearRequestHeaders(headers: Record<string, unknown>, c: Pick<RequestHeaderConfig, 'usernameHeaders' | 'groupHeaders' | 'extraHeaderPrefixes'>): void {
  for (const h of [...c.usernameHeaders, ...c.groupHeaders]) delete headers[h.toLowerCase()];
  const prefixes = c.extraHeaderPrefixes.map((p) => p.toLowerCase());
  for (const name of Object.keys(headers)) if (prefixes.some((p) => name.toLowerCase().startsWith(p))) delete headers[name];
}

function leafOf(cert: PeerCertificate | undefined): X509Certificate | undefined {
  if (!cert?.raw || cert.raw.length === 0) return undefined;
  return new X509Certificate(cert.raw);
}

export class RequestHeaderAuthenticator implements Authenticator {
  private readonly cas: X509Certificate[];

  constructor(private readonly c: RequestHeaderConfig) {
    this.cas = parseCertBundle(c.clientCA);
    if (this.cas.length === 0) throw new Error('--requestheader-client-ca-file holds no certificate');
  }

  authenticate(req: AuthenticationRequest): AuthenticationResult | undefined {
    const leaf = leafOf(req.peerCertificate);
    if (!leaf || !req.peerCertificate) return undefined;
    // The TLS layer may have verified the certificate against --client-ca-file; the front
    // proxy's CA is checked here, as Kubernetes' dynamic CA verifier does.
    if (!issuedByOneOf(leaf, this.cas) || !allowsClientAuth(req.peerCertificate)) {
      throw new AuthenticationError(`verifying certificate ${certificateIdentifier(req.peerCertificate)} failed: x509: certificate signed by unknown authority`);
    }
    const cn = req.peerCertificate.subject?.CN;
    const commonName = Array.isArray(cn) ? cn[0] ?? '' : cn ?? '';
    if (this.c.allowedNames.length > 0 && !this.c.allowedNames.includes(commonName)) {
      throw new AuthenticationError(`x509: subject with cn=${commonName} is not in the allowed list`);
    }
    const user = userFromHeaders(req, this.c);
    if (!user) return undefined;
    clearRequestHeaders(req.headers as Record<string, unknown>, this.c);
    return { user };
  }

  /** Lower-case names of the headers that make a request's identity per request, not per connection. */
  get identityHeaders(): string[] {
    return this.c.usernameHeaders.map((h) => h.toLowerCase());
  }
}
