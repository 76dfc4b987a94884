// Certificates and keys for the cluster (client-go's util/cert and util/keyutil): a CA, leaf
// certificates it signs for servers and clients, and the service-account signing key pair.
// The ASN.1 is @peculiar/x509's, on Node's WebCrypto; parsing and chain checks use
// node:crypto's X509Certificate, which is what Node's TLS trusts as well.
import {
  createPrivateKey,
  createPublicKey,
  generateKeyPair,
  KeyObject,
  randomBytes,
  webcrypto,
  X509Certificate as NodeX509Certificate,
} from 'node:crypto';
import 'reflect-metadata'; // before @peculiar/x509: its tsyringe wiring needs the Reflect metadata API
import * as x509 from '@peculiar/x509';

// @peculiar/x509 types its provider against the DOM's Crypto, which Node's webcrypto implements.
x509.cryptoProvider.set(webcrypto);

/** A certificate and its private key, both PEM (the key PKCS#8). */
export interface KeyCert {
  cert: string;
  key: string;
}

export type CertUsage = 'server' | 'client';

/** What a leaf certificate says (client-go's cert.Config). */
export interface CertSpec {
  commonName: string;
  organizations?: string[];
  dnsNames?: string[];
  ipAddresses?: string[];
  usages: CertUsage[];
  validityDays?: number;
}

export interface CertDescription {
  commonName: string;
  organizations: string[];
  dnsNames: string[];
  ipAddresses: string[];
  usages: CertUsage[];
  notBefore: Date;
  notAfter: Date;
  /** The issuer's distinguished name, e.g. `CN=tskube-ca`. */
  issuer: string;
  isCA: boolean;
}

export const DEFAULT_CA_VALIDITY_DAYS = 3650;
export const DEFAULT_CERT_VALIDITY_DAYS = 365;
/** notBefore is backdated so peers whose clocks run a little behind accept a fresh cert. */
const CLOCK_SKEW_MS = 5 * 60 * 1000;
const DAY_MS = 24 * 60 * 60 * 1000;

const EC_P256: webcrypto.EcKeyGenParams = { name: 'ECDSA', namedCurve: 'P-256' };

const EKU: Record<CertUsage, x509.ExtendedKeyUsage> = {
  server: x509.ExtendedKeyUsage.serverAuth,
  client: x509.ExtendedKeyUsage.clientAuth,
};

function validity(days: number): { notBefore: Date; notAfter: Date } {
  const now = Date.now();
  return { notBefore: new Date(now - CLOCK_SKEW_MS), notAfter: new Date(now + days * DAY_MS) };
}

/**
 * 128 random bits as RFC 5280 asks (positive, at most 20 octets). The top byte is kept in
 * 0x40..0x7f so the DER integer is positive and needs no padding byte.
 */
function randomSerial(): string {
  const bytes = randomBytes(16);
  bytes[0] = 0x40 | (bytes[0]! & 0x3f);
  return bytes.toString('hex');
}

function subjectName(commonName: string, organizations: string[] = []): x509.JsonName {
  // Go's pkix.Name order: O before CN.
  return [...organizations.map((o) => ({ O: [o] })), { CN: [commonName] }];
}

async function newKeyPair(): Promise<webcrypto.CryptoKeyPair> {
  return (await webcrypto.subtle.generateKey(EC_P256, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
}

function privateKeyPem(key: webcrypto.CryptoKey): string {
  return KeyObject.from(key).export({ type: 'pkcs8', format: 'pem' }) as string;
}

function certPem(cert: x509.X509Certificate): string {
  return `${cert.toString('pem')}\n`;
}

/** The WebCrypto algorithm that signs with a CA key (EC P-256/P-384 or RSA). */
function signingAlgorithm(keyPem: string): { importAlg: webcrypto.EcKeyImportParams | webcrypto.RsaHashedImportParams; signAlg: webcrypto.EcdsaParams | webcrypto.Algorithm } {
  const key = createPrivateKey(keyPem);
  if (key.asymmetricKeyType === 'ec') {
    const curve = key.asymmetricKeyDetails?.namedCurve;
    const namedCurve = curve === 'secp384r1' ? 'P-384' : curve === 'prime256v1' ? 'P-256' : undefined;
    if (!namedCurve) throw new Error(`unsupported CA key curve ${curve ?? '?'}`);
    const hash = namedCurve === 'P-384' ? 'SHA-384' : 'SHA-256';
    return { importAlg: { name: 'ECDSA', namedCurve }, signAlg: { name: 'ECDSA', hash } as webcrypto.EcdsaParams };
  }
  if (key.asymmetricKeyType === 'rsa') {
    return { importAlg: { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' }, signAlg: { name: 'RSASSA-PKCS1-v1_5' } };
  }
  throw new Error(`unsupported CA key type ${key.asymmetricKeyType ?? '?'}`);
}

/** A self-signed CA (client-go's cert.NewSelfSignedCACert). */
export async function newCA(commonName: string, opts: { validityDays?: number } = {}): Promise<KeyCert> {
  const keys = await newKeyPair();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: randomSerial(),
    name: subjectName(commonName),
    keys,
    signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' } as webcrypto.EcdsaParams,
    ...validity(opts.validityDays ?? DEFAULT_CA_VALIDITY_DAYS),
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(
        x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign | x509.KeyUsageFlags.digitalSignature,
        true,
      ),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { cert: certPem(cert), key: privateKeyPem(keys.privateKey) };
}

/** A leaf certificate signed by `ca` (kubeadm's pkiutil.NewCertAndKey). */
export async function issueCert(ca: KeyCert, spec: CertSpec): Promise<KeyCert> {
  if (spec.usages.length === 0) throw new Error(`certificate ${spec.commonName}: no usages`);
  const caCert = new x509.X509Certificate(ca.cert);
  const { importAlg, signAlg } = signingAlgorithm(ca.key);
  const signingKey = await webcrypto.subtle.importKey(
    'pkcs8',
    createPrivateKey(ca.key).export({ type: 'pkcs8', format: 'der' }),
    importAlg,
    false,
    ['sign'],
  );
  const keys = await newKeyPair();
  const dnsNames = unique(spec.dnsNames ?? []);
  const ipAddresses = unique(spec.ipAddresses ?? []);
  const extensions: x509.Extension[] = [
    new x509.BasicConstraintsExtension(false, undefined, true),
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
    new x509.ExtendedKeyUsageExtension(unique(spec.usages).map((u) => EKU[u])),
    await x509.AuthorityKeyIdentifierExtension.create(caCert.publicKey),
  ];
  if (dnsNames.length + ipAddresses.length > 0) {
    extensions.push(
      new x509.SubjectAlternativeNameExtension([
        ...dnsNames.map((value) => ({ type: 'dns' as const, value })),
        ...ipAddresses.map((value) => ({ type: 'ip' as const, value })),
      ]),
    );
  }
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: randomSerial(),
    subject: subjectName(spec.commonName, spec.organizations),
    issuer: caCert.subjectName,
    publicKey: keys.publicKey,
    signingKey,
    signingAlgorithm: signAlg,
    ...validity(spec.validityDays ?? DEFAULT_CERT_VALIDITY_DAYS),
    extensions,
  });
  return { cert: certPem(cert), key: privateKeyPem(keys.privateKey) };
}

/** What a certificate says; throws when `pem` is not a certificate. */
export function describeCert(pem: string): CertDescription {
  const cert = new x509.X509Certificate(pem);
  const san = cert.getExtension(x509.SubjectAlternativeNameExtension);
  const names = san?.names.items ?? [];
  const eku = cert.getExtension(x509.ExtendedKeyUsageExtension)?.usages ?? [];
  return {
    commonName: cert.subjectName.getField('CN')[0] ?? '',
    organizations: cert.subjectName.getField('O'),
    dnsNames: names.filter((n) => n.type === 'dns').map((n) => n.value),
    ipAddresses: names.filter((n) => n.type === 'ip').map((n) => n.value),
    usages: (Object.keys(EKU) as CertUsage[]).filter((u) => eku.includes(EKU[u])),
    notBefore: cert.notBefore,
    notAfter: cert.notAfter,
    issuer: cert.issuer,
    isCA: cert.getExtension(x509.BasicConstraintsExtension)?.ca ?? false,
  };
}

/** Whether `caPem` issued `certPem` and its signature verifies; false when either does not parse. */
export function isSignedBy(certPem: string, caPem: string): boolean {
  try {
    const cert = new NodeX509Certificate(certPem);
    const ca = new NodeX509Certificate(caPem);
    return cert.checkIssued(ca) && cert.verify(ca.publicKey);
  } catch {
    return false;
  }
}

/** Whether `keyPem` is the private key of `certPem`; false when either does not parse. */
export function keyMatchesCert(certPem: string, keyPem: string): boolean {
  try {
    return new NodeX509Certificate(certPem).checkPrivateKey(createPrivateKey(keyPem));
  } catch {
    return false;
  }
}

export type ServiceAccountKeyAlgorithm = 'RS256' | 'ES256';

/** A private key (PKCS#8 PEM) and its public key (SPKI PEM). */
export interface KeyPair {
  privateKey: string;
  publicKey: string;
}

/**
 * The key pair that signs service-account tokens. RS256 with RSA 2048 by default, as kubeadm
 * makes `sa.key`; ES256 (P-256) is much faster to generate, which tests use.
 */
export async function newServiceAccountKeyPair(alg: ServiceAccountKeyAlgorithm = 'RS256'): Promise<KeyPair> {
  const encoding = {
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  } as const;
  return new Promise((resolve, reject) => {
    const done = (err: Error | null, publicKey: string, privateKey: string) => (err ? reject(err) : resolve({ privateKey, publicKey }));
    if (alg === 'ES256') generateKeyPair('ec', { namedCurve: 'P-256', ...encoding }, done);
    else generateKeyPair('rsa', { modulusLength: 2048, ...encoding }, done);
  });
}

/** The SPKI PEM of a private key's public half; throws when `privateKeyPem` does not parse. */
export function publicKeyOf(privateKeyPem: string): string {
  return createPublicKey(createPrivateKey(privateKeyPem)).export({ type: 'spki', format: 'pem' }) as string;
}

function unique<T>(items: T[]): T[] {
  return [...new Set(items)];
}
