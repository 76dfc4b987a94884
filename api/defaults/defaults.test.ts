import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { RESOURCES } from '../resources.js';
import type { KObject } from '../types.js';
import { applyDefaults, defaultPullPolicy, preserveServiceAllocations } from './index.js';

function defaulted(kind: string, obj: KObject): Record<string, any> {
  const info = RESOURCES.find((r) => r.kind === kind);
  assert.ok(info);
  const copy = structuredClone(obj);
  applyDefaults(info, copy);
  // Idempotent: a second pass changes nothing.
  const again = structuredClone(copy);
  applyDefaults(info, again);
  assert.deepEqual(again, copy);
  return copy;
}

describe('pull policy', () => {
  const table: [string, string][] = [
    ['nginx', 'Always'],
    ['nginx:latest', 'Always'],
    ['nginx:1.25', 'IfNotPresent'],
    ['localhost:5000/app', 'Always'],
    ['localhost:5000/app:v1', 'IfNotPresent'],
    ['nginx@sha256:abc', 'IfNotPresent'],
  ];
  for (const [image, policy] of table) test(`${image} → ${policy}`, () => assert.equal(defaultPullPolicy(image), policy));
});

describe('Pod', () => {
  const pod = defaulted('Pod', {
    metadata: { name: 'p', namespace: 'default' },
    spec: {
      containers: [
        {
          name: 'c',
          image: 'nginx',
          ports: [{ containerPort: 80 }],
          env: [{ name: 'NODE', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } }],
          livenessProbe: { httpGet: { port: 80 } },
          resources: { limits: { cpu: '1' } },
        },
      ],
      volumes: [{ name: 'a' }, { name: 'b', configMap: { name: 'cm' } }, { name: 's', secret: { secretName: 's' } }],
    },
  });
  const spec = pod['spec'];
  const c = spec.containers[0];
  test('pod spec fields', () => {
    assert.equal(spec.restartPolicy, 'Always');
    assert.equal(spec.dnsPolicy, 'ClusterFirst');
    assert.equal(spec.schedulerName, 'default-scheduler');
    assert.equal(spec.terminationGracePeriodSeconds, 30);
    assert.deepEqual(spec.securityContext, {});
    assert.equal(spec.enableServiceLinks, true);
    assert.equal(spec.serviceAccountName, 'default');
    assert.equal(spec.serviceAccount, 'default');
    assert.equal(spec.priority, undefined, 'set by the Priority admission plugin, not defaulting');
    assert.equal(spec.tolerations, undefined);
  });
  test('container fields', () => {
    assert.equal(c.imagePullPolicy, 'Always');
    assert.equal(c.terminationMessagePath, '/dev/termination-log');
    assert.equal(c.terminationMessagePolicy, 'File');
    assert.equal(c.ports[0].protocol, 'TCP');
    assert.equal(c.env[0].valueFrom.fieldRef.apiVersion, 'v1');
    assert.deepEqual(c.livenessProbe, { httpGet: { port: 80, path: '/', scheme: 'HTTP' }, timeoutSeconds: 1, periodSeconds: 10, successThreshold: 1, failureThreshold: 3 });
    assert.deepEqual(c.resources.requests, { cpu: '1' });
  });
  test('volumes', () => {
    assert.deepEqual(spec.volumes[0], { name: 'a', emptyDir: {} });
    assert.equal(spec.volumes[1].configMap.defaultMode, 420);
    assert.equal(spec.volumes[2].secret.defaultMode, 420);
  });
  test('explicit values are kept', () => {
    const p = defaulted('Pod', { metadata: { name: 'p' }, spec: { restartPolicy: 'Never', terminationGracePeriodSeconds: 0, containers: [{ name: 'c', image: 'x:1', imagePullPolicy: 'Never' }] } });
    assert.equal(p['spec'].restartPolicy, 'Never');
    assert.equal(p['spec'].terminationGracePeriodSeconds, 0);
    assert.equal(p['spec'].containers[0].imagePullPolicy, 'Never');
  });
});

describe('workloads', () => {
  const template = { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'nginx:1' }] } };
  test('Deployment', () => {
    const d = defaulted('Deployment', { metadata: { name: 'd' }, spec: { selector: { matchLabels: { app: 'web' } }, template } });
    assert.equal(d['spec'].replicas, 1);
    assert.deepEqual(d['spec'].strategy, { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' } });
    assert.equal(d['spec'].revisionHistoryLimit, 10);
    assert.equal(d['spec'].progressDeadlineSeconds, 600);
    assert.equal(d['spec'].template.spec.restartPolicy, 'Always');
    assert.equal(d['spec'].template.spec.containers[0].imagePullPolicy, 'IfNotPresent');
    // Pod-only defaults stay off templates, as in k8s.
    assert.equal(d['spec'].template.spec.serviceAccountName, undefined);
    assert.equal(d['spec'].template.spec.enableServiceLinks, undefined);
  });
  test('Recreate deployments get no rollingUpdate', () => {
    const d = defaulted('Deployment', { metadata: { name: 'd' }, spec: { strategy: { type: 'Recreate' }, template } });
    assert.deepEqual(d['spec'].strategy, { type: 'Recreate' });
  });
  test('ReplicaSet and RC', () => {
    assert.equal(defaulted('ReplicaSet', { metadata: { name: 'r' }, spec: { template } })['spec'].replicas, 1);
    const rc = defaulted('ReplicationController', { metadata: { name: 'rc' }, spec: { template } });
    assert.deepEqual(rc['spec'].selector, { app: 'web' });
    assert.deepEqual(rc['metadata'].labels, { app: 'web' });
    assert.equal(rc['spec'].replicas, 1);
  });
  test('StatefulSet and DaemonSet', () => {
    const s = defaulted('StatefulSet', { metadata: { name: 's' }, spec: { template } });
    assert.equal(s['spec'].podManagementPolicy, 'OrderedReady');
    assert.deepEqual(s['spec'].updateStrategy, { type: 'RollingUpdate', rollingUpdate: { partition: 0 } });
    const ds = defaulted('DaemonSet', { metadata: { name: 'ds' }, spec: { template } });
    assert.deepEqual(ds['spec'].updateStrategy, { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } });
    assert.equal(ds['spec'].revisionHistoryLimit, 10);
  });
  test('Job', () => {
    const j = defaulted('Job', { metadata: { name: 'pi', uid: 'u-1' }, spec: { template } });
    assert.equal(j['spec'].completions, 1);
    assert.equal(j['spec'].parallelism, 1);
    assert.equal(j['spec'].backoffLimit, 6);
    assert.equal(j['spec'].completionMode, 'NonIndexed');
    assert.deepEqual(j['spec'].selector, { matchLabels: { 'batch.kubernetes.io/controller-uid': 'u-1' } });
    assert.equal(j['spec'].template.metadata.labels['job-name'], 'pi');
    assert.deepEqual(j['metadata'].labels, { app: 'web' });
    const par = defaulted('Job', { metadata: { name: 'p' }, spec: { parallelism: 3, template } });
    assert.equal(par['spec'].completions, undefined);
  });
  test('CronJob', () => {
    const cj = defaulted('CronJob', { metadata: { name: 'c' }, spec: { schedule: '@hourly', jobTemplate: { spec: { template } } } });
    assert.equal(cj['spec'].concurrencyPolicy, 'Allow');
    assert.equal(cj['spec'].suspend, false);
    assert.equal(cj['spec'].successfulJobsHistoryLimit, 3);
    assert.equal(cj['spec'].failedJobsHistoryLimit, 1);
    assert.equal(cj['spec'].jobTemplate.spec.backoffLimit, 6);
  });
});

describe('Service', () => {
  test('ClusterIP', () => {
    const s = defaulted('Service', { metadata: { name: 's' }, spec: { ports: [{ port: 80 }, { port: 443, targetPort: 'https' }] } });
    assert.equal(s['spec'].type, 'ClusterIP');
    assert.equal(s['spec'].sessionAffinity, 'None');
    assert.equal(s['spec'].internalTrafficPolicy, 'Cluster');
    assert.equal(s['spec'].externalTrafficPolicy, undefined);
    assert.equal(s['spec'].ipFamilyPolicy, 'SingleStack');
    assert.deepEqual(s['spec'].ipFamilies, ['IPv4']);
    assert.deepEqual(s['spec'].ports, [
      { port: 80, protocol: 'TCP', targetPort: 80 },
      { port: 443, targetPort: 'https', protocol: 'TCP' },
    ]);
  });
  test('NodePort and LoadBalancer', () => {
    assert.equal(defaulted('Service', { metadata: { name: 's' }, spec: { type: 'NodePort', ports: [{ port: 80 }] } })['spec'].externalTrafficPolicy, 'Cluster');
    const lb = defaulted('Service', { metadata: { name: 's' }, spec: { type: 'LoadBalancer', ports: [{ port: 80 }] } });
    assert.equal(lb['spec'].allocateLoadBalancerNodePorts, true);
  });
  test('clusterIP mirrors into clusterIPs', () => {
    assert.deepEqual(defaulted('Service', { metadata: { name: 's' }, spec: { clusterIP: '10.96.0.5', ports: [{ port: 80 }] } })['spec'].clusterIPs, ['10.96.0.5']);
  });
  test('ExternalName gets no IP family fields', () => {
    const s = defaulted('Service', { metadata: { name: 's' }, spec: { type: 'ExternalName', externalName: 'example.com' } });
    assert.equal(s['spec'].ipFamilies, undefined);
    assert.equal(s['spec'].internalTrafficPolicy, undefined);
  });
  test('updates keep allocated clusterIPs and nodePorts', () => {
    const old = { spec: { type: 'NodePort', clusterIP: '10.96.0.5', clusterIPs: ['10.96.0.5'], ports: [{ port: 80, protocol: 'TCP', nodePort: 30080 }] } };
    const next: Record<string, any> = { spec: { type: 'NodePort', ports: [{ port: 80 }] } };
    preserveServiceAllocations(next, old);
    assert.equal(next['spec'].clusterIP, '10.96.0.5');
    assert.equal(next['spec'].ports[0].nodePort, 30080);
  });
});

describe('other kinds', () => {
  test('Namespace', () => {
    const ns = defaulted('Namespace', { metadata: { name: 'team' } });
    assert.deepEqual(ns['spec'], { finalizers: ['kubernetes'] });
    assert.equal(ns['metadata'].labels['kubernetes.io/metadata.name'], 'team');
    assert.equal(ns['status'].phase, 'Active');
  });
  test('Secret', () => {
    const s = defaulted('Secret', { metadata: { name: 's' }, stringData: { user: 'admin' }, data: { a: 'YQ==' } });
    assert.equal(s['type'], 'Opaque');
    assert.deepEqual(s['data'], { a: 'YQ==', user: Buffer.from('admin').toString('base64') });
    assert.equal(s['stringData'], undefined);
  });
  test('RoleBinding api groups', () => {
    const rb = defaulted('RoleBinding', { metadata: { name: 'b' }, roleRef: { kind: 'Role', name: 'r' }, subjects: [{ kind: 'User', name: 'u' }] });
    assert.equal(rb['roleRef'].apiGroup, 'rbac.authorization.k8s.io');
    assert.equal(rb['subjects'][0].apiGroup, 'rbac.authorization.k8s.io');
  });
  test('Node allocatable from capacity', () => {
    const n = defaulted('Node', { metadata: { name: 'n' }, status: { capacity: { cpu: '2' } } });
    assert.deepEqual(n['status'].allocatable, { cpu: '2' });
  });
  test('kinds without defaults are untouched', () => {
    const cm = { metadata: { name: 'c' }, data: { a: '1' } };
    assert.deepEqual(defaulted('ConfigMap', cm), cm);
  });
});
