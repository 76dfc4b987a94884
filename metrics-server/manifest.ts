#!/usr/bin/env node
// The objects that make a metrics-server running outside the pod network reachable through the
// apiserver, as upstream's components.yaml registers it: a Service without a selector and
// Endpoints naming metrics-server's address and port, and the APIService v1beta1.metrics.k8s.io
// whose caBundle is the CA of metrics-server's serving certificate (the cluster CA).
//   node dist/metrics-server/manifest.js --ca .tskube/pki/ca.crt --address 10.0.0.5 --port 4443 [--objects service,apiservice]
// Prints YAML (JSON documents) for `kc apply -f -`.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

export interface RegistrationOptions {
  caPem: string;
  address: string;
  port: number;
  objects: ('service' | 'apiservice')[];
}

const LABELS = { 'k8s-app': 'metrics-server' };

/** The Service, Endpoints and APIService objects. Pure. */
export function registrationObjects(o: RegistrationOptions): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  if (o.objects.includes('service')) {
    out.push(
      {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 'metrics-server', namespace: 'kube-system', labels: LABELS },
        spec: { ports: [{ name: 'https', port: 443, protocol: 'TCP', targetPort: o.port }] },
      },
      {
        apiVersion: 'v1',
        kind: 'Endpoints',
        metadata: { name: 'metrics-server', namespace: 'kube-system', labels: LABELS },
        subsets: [{ addresses: [{ ip: o.address }], ports: [{ name: 'https', port: o.port, protocol: 'TCP' }] }],
      },
    );
  }
  if (o.objects.includes('apiservice')) {
    out.push({
      apiVersion: 'apiregistration.k8s.io/v1',
      kind: 'APIService',
      metadata: { name: 'v1beta1.metrics.k8s.io', labels: LABELS },
      spec: {
        service: { name: 'metrics-server', namespace: 'kube-system', port: 443 },
        group: 'metrics.k8s.io',
        version: 'v1beta1',
        caBundle: Buffer.from(o.caPem).toString('base64'),
        groupPriorityMinimum: 100,
        versionPriority: 100,
      },
    });
  }
  return out;
}

function main(): void {
  const { values } = parseArgs({ options: { ca: { type: 'string' }, address: { type: 'string' }, port: { type: 'string', default: '4443' }, objects: { type: 'string', default: 'service,apiservice' } } });
  const objects = (values.objects ?? '').split(',').map((s) => s.trim());
  const port = Number(values.port);
  if (!values.ca || !values.address || !Number.isInteger(port) || objects.some((x) => x !== 'service' && x !== 'apiservice')) {
    process.stderr.write('usage: manifest.js --ca <ca.crt> --address <ip> [--port 4443] [--objects service,apiservice]\n');
    process.exit(2);
  }
  const docs = registrationObjects({ caPem: readFileSync(values.ca, 'utf8'), address: values.address, port, objects: objects as RegistrationOptions['objects'] });
  // JSON is YAML; one document per object.
  process.stdout.write(docs.map((d) => `---\n${JSON.stringify(d, null, 2)}\n`).join(''));
}

if (import.meta.url === `file://${process.argv[1]}`) main();
