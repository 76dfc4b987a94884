// The cluster's PKI on disk (kubeadm's `init phase certs` and `init phase kubeconfig`):
// creates what is missing, reuses what is still good, so `scripts/up` can run it every time.
import { createPublicKey } from 'node:crypto';
import { chmodSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  describeCert,
  isSignedBy,
  issueCert,
  keyMatchesCert,
  newCA,
  newServiceAccountKeyPair,
  publicKeyOf,
  type CertSpec,
  type KeyCert,
  type ServiceAccountKeyAlgorithm,
} from './x509.js';
import { CERT_MODE, KEY_MODE, ensurePrivateDir, readIfExists, writeFileAtomic } from './files.js';
import { writeKubeconfig } from './kubeconfig.js';
import {
  CA_COMMON_NAME,
  CLUSTER_NAME,
  FRONT_PROXY_CA_COMMON_NAME,
  clusterCerts,
  relPaths,
  validateClusterPkiSpec,
  type ClusterCert,
  type ClusterPkiSpec,
} from './layout.js';

export interface ClusterPkiOptions extends ClusterPkiSpec {
  /** The algorithm of a new `sa.key` (an existing one is kept whatever it is). Default RS256. */
  serviceAccountKeyAlgorithm?: ServiceAccountKeyAlgorithm;
}

export type FileAction = 'created' | 'reused';

export interface ClusterPkiResult {
  /** Every file, in the order it was handled, by its path relative to `dir` (`pki/ca.crt`, `kubeconfig`). */
  files: { path: string; action: FileAction }[];
  created: string[];
  reused: string[];
}

/** Leaves are re-issued this long before they expire (kubeadm renews within 30 days too). */
export const RENEW_BEFORE_MS = 30 * 24 * 60 * 60 * 1000;

/** Makes `<dir>/pki/`, `<dir>/kubeconfig` and `<dir>/kubeconfigs/`, reusing whatever is still valid. */
export async function ensureClusterPki(opts: ClusterPkiOptions): Promise<ClusterPkiResult> {
  validateClusterPkiSpec(opts);
  const files: ClusterPkiResult['files'] = [];
  const note = (path: string, created: boolean) => files.push({ path, action: created ? 'created' : 'reused' });
  const at = (rel: string) => join(opts.dir, rel);

  mkdirSync(opts.dir, { recursive: true });
  ensurePrivateDir(at('pki'));
  ensurePrivateDir(at('kubeconfigs'));

  const { ca, created: caCreated } = await ensureCA(at, relPaths.caCert, relPaths.caKey, CA_COMMON_NAME);
  note(relPaths.caCert, caCreated);
  note(relPaths.caKey, caCreated);
  const { ca: frontProxyCA, created: fpCreated } = await ensureCA(at, relPaths.frontProxyCACert, relPaths.frontProxyCAKey, FRONT_PROXY_CA_COMMON_NAME);
  note(relPaths.frontProxyCACert, fpCreated);
  note(relPaths.frontProxyCAKey, fpCreated);

  const certs = clusterCerts(opts);
  // Issued concurrently: each is independent and signing is cheap; results are noted in order.
  const leaves = await Promise.all(certs.map((c) => ensureLeaf(at, c.frontProxy ? frontProxyCA : ca, c)));
  certs.forEach((c, i) => {
    note(relPaths.cert(c.name), leaves[i]!.created);
    note(relPaths.key(c.name), leaves[i]!.created);
  });

  for (const [path, created] of await ensureServiceAccountKey(at, opts.serviceAccountKeyAlgorithm)) note(path, created);

  certs.forEach((c, i) => {
    if (!c.kubeconfig) return;
    const k = c.kubeconfig;
    const path = relPaths.kubeconfig(k.component);
    const written = writeKubeconfig(at(path), {
      server: opts.serverFor?.(k.component) ?? opts.server,
      caCert: ca.cert,
      client: leaves[i]!.keyCert,
      clusterName: CLUSTER_NAME,
      userName: k.userName,
      contextName: k.contextName,
      ...(k.namespace ? { namespace: k.namespace } : {}),
    });
    note(path, written);
  });

  return {
    files,
    created: files.filter((f) => f.action === 'created').map((f) => f.path),
    reused: files.filter((f) => f.action === 'reused').map((f) => f.path),
  };
}

function stillValid(notAfter: Date): boolean {
  return notAfter.getTime() - Date.now() > RENEW_BEFORE_MS;
}

function readKeyCert(at: (rel: string) => string, certRel: string, keyRel: string): KeyCert | undefined {
  const cert = readIfExists(at(certRel));
  const key = readIfExists(at(keyRel));
  return cert !== undefined && key !== undefined && keyMatchesCert(cert, key) ? { cert, key } : undefined;
}

function writeKeyCert(at: (rel: string) => string, certRel: string, keyRel: string, kc: KeyCert): void {
  // The key first: a crash in between leaves a pair that does not match, which is re-issued.
  writeFileAtomic(at(keyRel), kc.key, KEY_MODE);
  writeFileAtomic(at(certRel), kc.cert, CERT_MODE);
}

/** A CA is kept when it parses, matches its key, is a self-signed CA and is not near expiry. */
function usableCA(kc: KeyCert | undefined): kc is KeyCert {
  if (!kc) return false;
  try {
    const d = describeCert(kc.cert);
    return d.isCA && isSignedBy(kc.cert, kc.cert) && stillValid(d.notAfter);
  } catch {
    return false;
  }
}

async function ensureCA(at: (rel: string) => string, certRel: string, keyRel: string, commonName: string): Promise<{ ca: KeyCert; created: boolean }> {
  const existing = readKeyCert(at, certRel, keyRel);
  if (usableCA(existing)) {
    chmodSync(at(keyRel), KEY_MODE);
    chmodSync(at(certRel), CERT_MODE);
    return { ca: existing, created: false };
  }
  const ca = await newCA(commonName);
  writeKeyCert(at, certRel, keyRel, ca);
  return { ca, created: true };
}

const sorted = (xs: string[] | undefined, norm: (x: string) => string = (x) => x) => [...new Set((xs ?? []).map(norm))].sort();
const sameSet = (a: string[], b: string[]) => a.length === b.length && a.every((x, i) => x === b[i]);

/** One spelling per address (IPv6 compressed, lowercase), so `::1` equals `0:0:0:0:0:0:0:1`. */
export function canonicalIP(ip: string): string {
  return ip.includes(':') ? new URL(`http://[${ip}]/`).hostname.slice(1, -1) : ip;
}

/** Whether a leaf says exactly what the spec asks, and is signed by `ca` and not near expiry. */
export function leafMatches(kc: KeyCert, ca: KeyCert, spec: CertSpec): boolean {
  if (!isSignedBy(kc.cert, ca.cert)) return false;
  let d;
  try {
    d = describeCert(kc.cert);
  } catch {
    return false;
  }
  const lower = (x: string) => x.toLowerCase();
  return (
    !d.isCA &&
    stillValid(d.notAfter) &&
    d.commonName === spec.commonName &&
    sameSet(sorted(d.organizations), sorted(spec.organizations)) &&
    sameSet(sorted(d.dnsNames, lower), sorted(spec.dnsNames, lower)) &&
    sameSet(sorted(d.ipAddresses, canonicalIP), sorted(spec.ipAddresses, canonicalIP)) &&
    sameSet(sorted(d.usages), sorted(spec.usages))
  );
}

async function ensureLeaf(at: (rel: string) => string, ca: KeyCert, c: ClusterCert): Promise<{ keyCert: KeyCert; created: boolean }> {
  const certRel = relPaths.cert(c.name);
  const keyRel = relPaths.key(c.name);
  const existing = readKeyCert(at, certRel, keyRel);
  if (existing && leafMatches(existing, ca, c.spec)) {
    chmodSync(at(keyRel), KEY_MODE);
    chmodSync(at(certRel), CERT_MODE);
    return { keyCert: existing, created: false };
  }
  const keyCert = await issueCert(ca, c.spec);
  writeKeyCert(at, certRel, keyRel, keyCert);
  return { keyCert, created: true };
}

/**
 * `sa.key` is never replaced once it exists: every service-account token ever issued is
 * signed with it. `sa.pub` is derived from it and rewritten when missing or different.
 */
async function ensureServiceAccountKey(at: (rel: string) => string, alg: ServiceAccountKeyAlgorithm | undefined): Promise<[string, boolean][]> {
  const key = readIfExists(at(relPaths.saKey));
  if (key === undefined) {
    const pair = await newServiceAccountKeyPair(alg);
    writeFileAtomic(at(relPaths.saKey), pair.privateKey, KEY_MODE);
    writeFileAtomic(at(relPaths.saPub), pair.publicKey, CERT_MODE);
    return [[relPaths.saKey, true], [relPaths.saPub, true]];
  }
  let pub: string;
  try {
    pub = publicKeyOf(key);
  } catch {
    throw new Error(
      `${relPaths.saKey} is not a private key; remove it to generate a new one (tokens signed with the old key will stop verifying)`,
    );
  }
  chmodSync(at(relPaths.saKey), KEY_MODE);
  const existingPub = readIfExists(at(relPaths.saPub));
  let pubMatches = false;
  try {
    pubMatches = existingPub !== undefined && createPublicKey(existingPub).export({ type: 'spki', format: 'pem' }) === pub;
  } catch {
    pubMatches = false;
  }
  if (pubMatches) chmodSync(at(relPaths.saPub), CERT_MODE);
  else writeFileAtomic(at(relPaths.saPub), pub, CERT_MODE);
  return [[relPaths.saKey, false], [relPaths.saPub, !pubMatches]];
}
