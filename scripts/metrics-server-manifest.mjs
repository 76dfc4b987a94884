#!/usr/bin/env node
// The objects that make metrics-server reachable through the apiserver, as its components.yaml
// does, for a metrics-server running on the host (not in a pod): a Service without a selector
// and Endpoints naming the host address and port, and the APIService v1beta1.metrics.k8s.io
// with the cluster CA as caBundle (the CA of metrics-server's serving certificate).
//   node scripts/metrics-server-manifest.mjs --ca .tskube/pki/ca.crt --address 10.0.0.5 --port 4443 [--no-apiservice]
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: { ca: { type: 'string' }, address: { type: 'string' }, port: { type: 'string', default: '4443' }, 'no-apiservice': { type: 'boolean', default: false } },
});
if (!values.ca || !values.address) {
  process.stderr.write('usage: metrics-server-manifest.mjs --ca <ca.crt> --address <ip> [--port 4443] [--no-apiservice]\n');
  process.exit(2);
}
const port = Number(values.port);
const labels = { 'k8s-app': 'metrics-server' };
const objects = [
  {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'metrics-server', namespace: 'kube-system', labels },
    spec: { ports: [{ name: 'https', port: 443, protocol: 'TCP', targetPort: port }] },
  },
  {
    apiVersion: 'v1',
    kind: 'Endpoints',
    metadata: { name: 'metrics-server', namespace: 'kube-system', labels },
    subsets: [{ addresses: [{ ip: values.address }], ports: [{ name: 'https', port, protocol: 'TCP' }] }],
  },
];
if (!values['no-apiservice']) {
  objects.push({
    apiVersion: 'apiregistration.k8s.io/v1',
    kind: 'APIService',
    metadata: { name: 'v1beta1.metrics.k8s.io', labels },
    spec: {
      service: { name: 'metrics-server', namespace: 'kube-system', port: 443 },
      group: 'metrics.k8s.io',
      version: 'v1beta1',
      caBundle: Buffer.from(readFileSync(values.ca)).toString('base64'),
      groupPriorityMinimum: 100,
      versionPriority: 100,
    },
  });
}
// JSON is YAML; one document per object.
process.stdout.write(objects.map((o) => `---\n${JSON.stringify(o, null, 2)}\n`).join(''));
