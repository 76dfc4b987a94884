// A test PKI made once per process, in memory: the CA, the apiserver's serving certificate
// (127.0.0.1, localhost), the admin and kubelet-client certificates, the front-proxy CA and
// its client certificate (API aggregation), and a service-account
// signing key (ES256: an RSA key would cost more than everything else together).
import { hostIPv4 } from '../../client/host-ip.js';
import { issueCert, newCA, newServiceAccountKeyPair, type KeyCert, type KeyPair } from '../../client/cert/x509.js';

export interface TestPki {
  ca: KeyCert;
  /** Serving certificate for 127.0.0.1 / localhost / kubernetes.default.svc. */
  apiserver: KeyCert;
  /** `kubernetes-admin` in `system:masters`. */
  admin: KeyCert;
  /** `kube-apiserver-kubelet-client`: how the apiserver authenticates to kubelets. */
  kubeletClient: KeyCert;
  /** The front-proxy CA (--requestheader-client-ca-file), separate from `ca` as kubeadm makes it. */
  frontProxyCA: KeyCert;
  /** `front-proxy-client`, signed by `frontProxyCA`: what the apiserver presents to aggregated API servers. */
  frontProxyClient: KeyCert;
  /** ES256 service-account signing key (PKCS#8) and its public key (SPKI). */
  serviceAccount: KeyPair;
  /** A client certificate with CN `user` and O `groups` (memoised). */
  client(user: string, groups?: string[]): Promise<KeyCert>;
  /** A kubelet serving certificate for `node` (CN system:node:<node>; SANs node, localhost, 127.0.0.1, the host's IPv4; memoised). */
  kubeletServing(node: string): Promise<KeyCert>;
}

let pki: Promise<TestPki> | undefined;

export function testPki(): Promise<TestPki> {
  pki ??= makeTestPki();
  return pki;
}

async function makeTestPki(): Promise<TestPki> {
  const [ca, frontProxyCA] = await Promise.all([newCA('tskube-test-ca'), newCA('tskube-test-front-proxy-ca')]);
  const clients = new Map<string, Promise<KeyCert>>();
  const serving = new Map<string, Promise<KeyCert>>();
  const client = (user: string, groups: string[] = []): Promise<KeyCert> => {
    const key = JSON.stringify([user, groups]);
    let kc = clients.get(key);
    if (!kc) clients.set(key, (kc = issueCert(ca, { commonName: user, organizations: groups, usages: ['client'] })));
    return kc;
  };
  const kubeletServing = (node: string): Promise<KeyCert> => {
    let kc = serving.get(node);
    if (!kc) {
      // The host's address too: a test kubelet reports it as its InternalIP, which the apiserver dials.
      kc = issueCert(ca, { commonName: `system:node:${node}`, dnsNames: [node, 'localhost'], ipAddresses: [...new Set(['127.0.0.1', hostIPv4()])], usages: ['server'] });
      serving.set(node, kc);
    }
    return kc;
  };
  const [apiserver, admin, kubeletClient, serviceAccount, frontProxyClient] = await Promise.all([
    issueCert(ca, {
      commonName: 'kube-apiserver',
      dnsNames: ['localhost', 'kubernetes', 'kubernetes.default', 'kubernetes.default.svc', 'kubernetes.default.svc.cluster.local'],
      ipAddresses: ['127.0.0.1'],
      usages: ['server'],
    }),
    client('kubernetes-admin', ['system:masters']),
    client('kube-apiserver-kubelet-client'),
    newServiceAccountKeyPair('ES256'),
    issueCert(frontProxyCA, { commonName: 'front-proxy-client', usages: ['client'] }),
  ]);
  return { ca, apiserver, admin, kubeletClient, frontProxyCA, frontProxyClient, serviceAccount, client, kubeletServing };
}
