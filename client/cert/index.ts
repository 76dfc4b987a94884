// The cluster PKI: certificates and keys (x509.ts), the on-disk layout (layout.ts, pki.ts)
// and embedded kubeconfigs (kubeconfig.ts).
export * from './x509.js';
export * from './layout.js';
export * from './pki.js';
export { buildKubeconfig, writeKubeconfig, type EmbeddedKubeconfig } from './kubeconfig.js';
