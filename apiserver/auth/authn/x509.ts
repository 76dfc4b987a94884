// Client certificates (Kubernetes' request/x509 with CommonNameUserConversion): the TLS layer
// has verified the chain against --client-ca-file; this turns the verified leaf into a user —
// CN the name, O the groups — provided it may be used for client authentication.
import { createHash, X509Certificate } from 'node:crypto';
import type { DetailedPeerCertificate, PeerCertificate } from 'node:tls';
import { AuthenticationError, type AuthenticationRequest, type AuthenticationResult, type Authenticator } from '../types.js';
import { EXTRA_CREDENTIAL_ID } from '../../../api/user.js';

export const EKU_CLIENT_AUTH = '1.3.6.1.5.5.7.3.2';
export const EKU_ANY = '2.5.29.37.0';
/** user.CredentialIDKey: which credential authenticated the request (audit). */
export const CREDENTIAL_ID_EXTRA = EXTRA_CREDENTIAL_ID;

function values(v: string | string[] | undefined): string[] {
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}

/** Node returns `{}` from getPeerCertificate() when the client sent none. */
function presented(cert: PeerCertificate | undefined): cert is PeerCertificate {
  return !!cert && !!cert.raw && cert.raw.length > 0;
}

/** The leaf then its issuers, as far as the TLS layer handed them over (self-signed ends it). */
export function chainOf(cert: PeerCertificate): PeerCertificate[] {
  const chain: PeerCertificate[] = [cert];
  let cur = cert as Partial<DetailedPeerCertificate>;
  while (cur.issuerCertificate && cur.issuerCertificate !== cur && chain.length < 10) {
    cur = cur.issuerCertificate;
    chain.push(cur as PeerCertificate);
  }
  return chain;
}

/**
 * Go's x509 chain check for ExtKeyUsageClientAuth: a certificate without the extension may be
 * used for anything; one with it must list clientAuth or anyExtendedKeyUsage.
 */
export function allowsClientAuth(cert: PeerCertificate): boolean {
  const eku = cert.ext_key_usage;
  return !eku || eku.length === 0 || eku.includes(EKU_CLIENT_AUTH) || eku.includes(EKU_ANY);
}

/**
 * Kubernetes' certificateIdentifier names a certificate by serial, SKID and AKID; Node's
 * PeerCertificate exposes only the serial (parsing the DER for the key ids is not worth a
 * dependency in the request path), so the subject's CN is added instead.
 */
export function certificateIdentifier(cert: PeerCertificate): string {
  const serial = /^[0-9A-Fa-f]+$/.test(cert.serialNumber ?? '') ? BigInt(`0x${cert.serialNumber}`).toString(10) : cert.serialNumber ?? '';
  const cn = values(cert.subject?.CN)[0];
  return cn === undefined ? `SN=${serial}` : `SN=${serial}, CN=${cn}`;
}

/** Whether some certificate of the chain is signed by one of `cas`. */
function chainsTo(cert: PeerCertificate, cas: X509Certificate[]): boolean {
  return chainOf(cert).some((c) => {
    const x = new X509Certificate(c.raw);
    return cas.some((ca) => x.checkIssued(ca) && x.verify(ca.publicKey));
  });
}

/** Users from verified client certificates; undefined when the request carries none. */
export class X509Authenticator implements Authenticator {
  /**
   * `clientCAs`: when the TLS layer also trusts other CAs (the front proxy's, so that clients
   * offer their certificates), only chains to these name users — as --client-ca-file alone does.
   */
  constructor(private readonly clientCAs?: X509Certificate[]) {}

  authenticate(req: AuthenticationRequest): AuthenticationResult | undefined {
    const cert = req.peerCertificate;
    if (!presented(cert)) return undefined;
    if (!req.peerCertificateAuthorized || (this.clientCAs && !chainsTo(cert, this.clientCAs))) {
      const reason = req.peerCertificateError ?? 'certificate signed by unknown authority';
      throw new AuthenticationError(`verifying certificate ${certificateIdentifier(cert)} failed: ${reason}`);
    }
    if (!chainOf(cert).every(allowsClientAuth)) {
      throw new AuthenticationError(
        `verifying certificate ${certificateIdentifier(cert)} failed: x509: certificate specifies an incompatible key usage`,
      );
    }
    const cn = values(cert.subject?.CN)[0] ?? '';
    // A certificate without a common name names nobody: not this authenticator's credential.
    if (cn === '') return undefined;
    return {
      user: {
        username: cn,
        groups: [...values(cert.subject?.O)],
        extra: { [CREDENTIAL_ID_EXTRA]: [`X509SHA256=${createHash('sha256').update(cert.raw).digest('hex')}`] },
      },
    };
  }
}

export function x509Authenticator(clientCAs?: X509Certificate[]): X509Authenticator {
  return new X509Authenticator(clientCAs);
}
