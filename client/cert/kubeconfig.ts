// Kubeconfig files with everything embedded (kubeadm's kubeconfig phase): the CA and the
// client certificate and key as base64 PEM, so a file still works when mounted into a
// container or copied to another host.
import { stringify } from 'yaml';
import type { KeyCert } from './x509.js';
import { KEY_MODE, writeFileIfChanged } from './files.js';

export interface EmbeddedKubeconfig {
  server: string;
  /** The CA certificate (PEM) that verifies the apiserver. */
  caCert: string;
  /** The client certificate and key (PEM). */
  client: KeyCert;
  clusterName: string;
  userName: string;
  contextName: string;
  namespace?: string;
}

const b64 = (pem: string) => Buffer.from(pem, 'utf8').toString('base64');

/** kubectl's kubeconfig YAML (apiVersion v1, kind Config) for one cluster, user and context. */
export function buildKubeconfig(k: EmbeddedKubeconfig): string {
  return stringify(
    {
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: k.clusterName, cluster: { server: k.server, 'certificate-authority-data': b64(k.caCert) } }],
      users: [{ name: k.userName, user: { 'client-certificate-data': b64(k.client.cert), 'client-key-data': b64(k.client.key) } }],
      contexts: [
        {
          name: k.contextName,
          context: { cluster: k.clusterName, user: k.userName, ...(k.namespace ? { namespace: k.namespace } : {}) },
        },
      ],
      'current-context': k.contextName,
      preferences: {},
    },
    // Long base64 lines stay on one line, as kubectl writes them.
    { lineWidth: 0 },
  );
}

/** Writes the kubeconfig (mode 0600: it holds a private key) unless it is unchanged; true when written. */
export function writeKubeconfig(path: string, k: EmbeddedKubeconfig): boolean {
  return writeFileIfChanged(path, buildKubeconfig(k), KEY_MODE);
}
