// What the cluster's PKI holds (kubeadm's certificate list, pkg/kubeadm/certs), as pure data:
// every certificate with its subject, names and usages, the kubeconfig that embeds each client
// certificate, and where the files live under the state directory.
import { isIP } from 'node:net';
import { join } from 'node:path';
import type { CertSpec } from './x509.js';

export const CA_COMMON_NAME = 'tskube-ca';
/** kubeadm's front-proxy CA: it signs only the aggregator's client certificate. */
export const FRONT_PROXY_CA_COMMON_NAME = 'front-proxy-ca';
/** The front proxy's client certificate's CN: --requestheader-allowed-names. */
export const FRONT_PROXY_CLIENT_COMMON_NAME = 'front-proxy-client';
export const CLUSTER_NAME = 'tskube';
export const DEFAULT_SERVICE_IP = '10.96.0.1';
export const DEFAULT_CLUSTER_DOMAIN = 'cluster.local';

export interface ClusterPkiSpec {
  /** The state directory (`.tskube`); certificates go to `<dir>/pki/`. */
  dir: string;
  /** The apiserver URL written into every kubeconfig, e.g. `https://127.0.0.1:6443`. */
  server: string;
  /** A different URL for some kubeconfigs (by component, see `kubeconfigComponents`); undefined = `server`. */
  serverFor?: (component: string) => string | undefined;
  /** Node names; each gets a kubelet client and a kubelet serving certificate. */
  nodes?: string[];
  /** An extra IP SAN per node for its kubelet serving certificate. */
  nodeIPs?: Record<string, string>;
  /** The host's addresses: IP SANs of the apiserver (and kubelet serving) certificates. */
  apiserverIPs?: string[];
  /** Extra DNS SANs of the apiserver certificate. */
  apiserverDNSNames?: string[];
  /** The `kubernetes` Service's ClusterIP: the service range's first address. */
  serviceIP?: string;
  clusterDomain?: string;
}

/** A certificate of the cluster: `pki/<name>.crt` and `pki/<name>.key`. */
export interface ClusterCert {
  name: string;
  spec: CertSpec;
  /** Client certificates used by a component get a kubeconfig. */
  kubeconfig?: KubeconfigTarget;
  /** Signed by the front-proxy CA instead of the cluster CA. */
  frontProxy?: boolean;
}

export interface KubeconfigTarget {
  /** `admin`, `kube-scheduler`, `kubelet-node-1`… — the key `serverFor` is asked with. */
  component: string;
  userName: string;
  contextName: string;
  namespace?: string;
}

const client = (commonName: string, organizations?: string[]): CertSpec => ({
  commonName,
  ...(organizations ? { organizations } : {}),
  usages: ['client'],
});

/** A component's client certificate and its kubeconfig, named as kubeadm names them. */
function component(name: string, commonName: string, organizations?: string[]): ClusterCert {
  return {
    name,
    spec: client(commonName, organizations),
    kubeconfig: { component: name, userName: commonName, contextName: `${commonName}@${CLUSTER_NAME}` },
  };
}

/** Every leaf certificate the cluster needs, in the order they are made. */
export function clusterCerts(s: ClusterPkiSpec): ClusterCert[] {
  const domain = s.clusterDomain ?? DEFAULT_CLUSTER_DOMAIN;
  const hostIPs = s.apiserverIPs ?? [];
  const certs: ClusterCert[] = [
    {
      name: 'apiserver',
      spec: {
        commonName: 'kube-apiserver',
        dnsNames: unique([
          'localhost',
          'kubernetes',
          'kubernetes.default',
          'kubernetes.default.svc',
          `kubernetes.default.svc.${domain}`,
          ...(s.apiserverDNSNames ?? []),
        ]),
        ipAddresses: unique(['127.0.0.1', s.serviceIP ?? DEFAULT_SERVICE_IP, ...hostIPs]),
        usages: ['server'],
      },
    },
    // No organization: RBAC binds this user to system:kubelet-api-admin by name.
    { name: 'apiserver-kubelet-client', spec: client('kube-apiserver-kubelet-client') },
    {
      name: 'admin',
      spec: client('kubernetes-admin', ['system:masters']),
      kubeconfig: { component: 'admin', userName: 'kubernetes-admin', contextName: CLUSTER_NAME, namespace: 'default' },
    },
    component('kube-scheduler', 'system:kube-scheduler'),
    component('kube-controller-manager', 'system:kube-controller-manager'),
    component('kube-proxy', 'system:kube-proxy'),
    component('dns', 'system:tskube-dns'),
    // What the apiserver presents to aggregated API servers (--proxy-client-cert-file).
    { name: 'front-proxy-client', spec: client(FRONT_PROXY_CLIENT_COMMON_NAME), frontProxy: true },
    // metrics-server: its client certificate (apiserver and kubelets) and its serving certificate,
    // which the aggregator checks against the APIService's caBundle (the cluster CA).
    component('metrics-server', 'system:metrics-server'),
    {
      name: 'metrics-server-serving',
      spec: {
        commonName: 'metrics-server',
        dnsNames: ['localhost', 'metrics-server', 'metrics-server.kube-system', 'metrics-server.kube-system.svc', `metrics-server.kube-system.svc.${domain}`],
        ipAddresses: unique(['127.0.0.1', ...hostIPs]),
        usages: ['server'],
      },
    },
  ];
  for (const node of s.nodes ?? []) {
    const nodeIP = s.nodeIPs?.[node];
    certs.push(component(`kubelet-${node}`, `system:node:${node}`, ['system:nodes']), {
      name: `kubelet-${node}-serving`,
      spec: {
        commonName: `system:node:${node}`,
        dnsNames: unique([node, 'localhost']),
        ipAddresses: unique(['127.0.0.1', ...(nodeIP ? [nodeIP] : []), ...hostIPs]),
        usages: ['server'],
      },
    });
  }
  return certs;
}

/** The components that get a kubeconfig (the names `serverFor` is asked with). */
export function kubeconfigComponents(s: ClusterPkiSpec): string[] {
  return clusterCerts(s).flatMap((c) => (c.kubeconfig ? [c.kubeconfig.component] : []));
}

/** Where the files live, relative to the state directory (what results report). */
export const relPaths = {
  caCert: 'pki/ca.crt',
  caKey: 'pki/ca.key',
  frontProxyCACert: 'pki/front-proxy-ca.crt',
  frontProxyCAKey: 'pki/front-proxy-ca.key',
  saKey: 'pki/sa.key',
  saPub: 'pki/sa.pub',
  cert: (name: string) => `pki/${name}.crt`,
  key: (name: string) => `pki/${name}.key`,
  /** The admin kubeconfig is `<dir>/kubeconfig`, every other one `kubeconfigs/<component>.kubeconfig`. */
  kubeconfig: (component: string) => (component === 'admin' ? 'kubeconfig' : `kubeconfigs/${component}.kubeconfig`),
};

/** Absolute paths of the cluster's files under `dir` (what the daemons' flags point at). */
export function clusterPkiPaths(dir: string) {
  const at = (rel: string) => join(dir, rel);
  return {
    pkiDir: at('pki'),
    kubeconfigDir: at('kubeconfigs'),
    caCert: at(relPaths.caCert),
    caKey: at(relPaths.caKey),
    apiserverCert: at(relPaths.cert('apiserver')),
    apiserverKey: at(relPaths.key('apiserver')),
    apiserverKubeletClientCert: at(relPaths.cert('apiserver-kubelet-client')),
    apiserverKubeletClientKey: at(relPaths.key('apiserver-kubelet-client')),
    frontProxyCACert: at(relPaths.frontProxyCACert),
    frontProxyClientCert: at(relPaths.cert('front-proxy-client')),
    frontProxyClientKey: at(relPaths.key('front-proxy-client')),
    serviceAccountKey: at(relPaths.saKey),
    serviceAccountPub: at(relPaths.saPub),
    kubeletServingCert: (node: string) => at(relPaths.cert(`kubelet-${node}-serving`)),
    kubeletServingKey: (node: string) => at(relPaths.key(`kubelet-${node}-serving`)),
    metricsServerServingCert: at(relPaths.cert('metrics-server-serving')),
    metricsServerServingKey: at(relPaths.key('metrics-server-serving')),
    adminKubeconfig: at(relPaths.kubeconfig('admin')),
    /** `kube-scheduler`, `kube-controller-manager`, `kube-proxy`, `dns`, `kubelet-<node>`, or `admin`. */
    kubeconfig: (component: string) => at(relPaths.kubeconfig(component)),
  };
}

// RFC 1123 subdomain, as Kubernetes validates node names; it also keeps file names safe.
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** Throws one clear message for the first bad input. */
export function validateClusterPkiSpec(s: ClusterPkiSpec): void {
  const urls = [s.server, ...kubeconfigComponents(s).map((c) => s.serverFor?.(c))];
  for (const url of urls) {
    if (url !== undefined && !/^https?:\/\/[^/]/.test(url)) throw new Error(`invalid server URL ${JSON.stringify(url)}`);
  }
  for (const node of s.nodes ?? []) {
    if (node.length > 253 || !DNS1123_SUBDOMAIN.test(node)) throw new Error(`invalid node name ${JSON.stringify(node)}: must be a lowercase RFC 1123 subdomain`);
  }
  for (const node of Object.keys(s.nodeIPs ?? {})) {
    if (!(s.nodes ?? []).includes(node)) throw new Error(`node IP given for unknown node ${JSON.stringify(node)}`);
  }
  const ips = [...(s.apiserverIPs ?? []), ...Object.values(s.nodeIPs ?? {}), ...(s.serviceIP ? [s.serviceIP] : [])];
  for (const ip of ips) if (!isIP(ip)) throw new Error(`invalid IP address ${JSON.stringify(ip)}`);
  for (const name of s.apiserverDNSNames ?? []) {
    if (!DNS1123_SUBDOMAIN.test(name.toLowerCase())) throw new Error(`invalid DNS name ${JSON.stringify(name)}`);
  }
  if (s.clusterDomain !== undefined && !DNS1123_SUBDOMAIN.test(s.clusterDomain)) {
    throw new Error(`invalid cluster domain ${JSON.stringify(s.clusterDomain)}`);
  }
}

function unique(items: string[]): string[] {
  return [...new Set(items)];
}
