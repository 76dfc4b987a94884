// A test PKI made once per process, in memory: the CA, the apiserver's serving certificate
// (127.0.0.1, localhost), the admin and kubelet-client certificates, and a service-account
// signing key (ES256: an RSA key would cost more than everything else together).
import { issueCert, newCA, newServiceAccountKeyPair, type KeyCert, type KeyPair } from '../../client/cert/x509.js';

export interface TestPki {
  ca: KeyCert;
  /** Serving certificate for 127.0.0.1 / localhost / kubernetes.default.svc. */
  apiserver: KeyCert;
  /** `kubernetes-admin` in `system:masters`. */
  admin: KeyCert;
  /** `kube-apiserver-kubelet-client`: how the apiserver authenticates to kubelets. */
  kubeletClient: KeyCert;
  /** ES256 service-account signing key (PKCS#8) and its public key (SPKI). */
  serviceAccount: KeyPair;
  /** A client certificate with CN `user` and O `groups` (memoised). */
  client(user: string, groups?: string[]): Promise<KeyCert>;
  /** A kubelet serving certificate for `node` (CN system:node:<node>; SANs node, localhost, 127.0.0.1; memoised). */
  kubeletServing(node: string): Promise<KeyCert>;
}

let pki: Promise<TestPki> | undefined;

export function testPki(): Promise<TestPki> {
  pki ??= makeTestPki();
  return pki;
}

async function makeTestPki(): Promise<TestPki> {
  const ca = await newCA('tskube-test-ca');
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
      kc = issueCert(ca, { commonName: `system:node:${node}`, dnsNames: [node, 'localhost'], ipAddresses: ['127.0.0.1'], usages: ['server'] });
      serving.set(node, kc);
    }
    return kc;
  };
  const [apiserver, admin, kubeletClient, serviceAccount] = await Promise.all([
    issueCert(ca, {
      commonName: 'kube-apiserver',
      dnsNames: ['localhost', 'kubernetes', 'kubernetes.default', 'kubernetes.default.svc', 'kubernetes.default.svc.cluster.local'],
      ipAddresses: ['127.0.0.1'],
      usages: ['server'],
    }),
    client('kubernetes-admin', ['system:masters']),
    client('kube-apiserver-kubelet-client'),
    newServiceAccountKeyPair('ES256'),
  ]);
  return { ca, apiserver, admin, kubeletClient, serviceAccount, client, kubeletServing };
}
