import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { findResource, RESOURCES, type ResourceInfo } from '../../api/resources.js';
import type { KObject } from '../../api/types.js';
import { toTable, humanDuration, tableColumns, type Table } from './table.js';

const NOW = new Date('2024-05-01T12:00:00Z');
const ago = (seconds: number): string => new Date(NOW.getTime() - seconds * 1000).toISOString();
const info = (group: string, resource: string): ResourceInfo => findResource(group, resource) as ResourceInfo;

function row(group: string, resource: string, obj: object): Record<string, unknown> {
  const table = toTable(info(group, resource), [obj as KObject], { now: NOW });
  const cells = table.rows[0]?.cells ?? [];
  return Object.fromEntries(table.columnDefinitions.map((c, i) => [c.name, cells[i]]));
}

const meta = (name: string, ageSeconds = 60, extra: object = {}) => ({ name, namespace: 'default', creationTimestamp: ago(ageSeconds), ...extra });
const running = { running: { startedAt: ago(50) } };

describe('humanDuration (kubectl Age)', () => {
  test('formats like apimachinery HumanDuration', () => {
    const s = 1000;
    const cases: [number, string][] = [
      [-5 * s, '<invalid>'],
      [-1 * s, '0s'],
      [0, '0s'],
      [5 * s, '5s'],
      [119 * s, '119s'],
      [120 * s, '2m'],
      [182 * s, '3m2s'],
      [10 * 60 * s, '10m'],
      [179 * 60 * s, '179m'],
      [4 * 3600 * s, '4h'],
      [(5 * 3600 + 30 * 60) * s, '5h30m'],
      [30 * 3600 * s, '30h'],
      [(2 * 24 + 3) * 3600 * s, '2d3h'],
      [3 * 24 * 3600 * s, '3d'],
      [90 * 24 * 3600 * s, '90d'],
      [(2 * 365 + 10) * 24 * 3600 * s, '2y10d'],
      [9 * 365 * 24 * 3600 * s, '9y'],
    ];
    for (const [ms, want] of cases) assert.equal(humanDuration(ms), want, `${ms}ms`);
  });
});

describe('pods', () => {
  test('columns: Name Ready Status Restarts Age, then wide IP/Node/Nominated Node/Readiness Gates', () => {
    const cols = tableColumns(info('', 'pods'));
    assert.deepEqual(
      cols.map((c) => [c.name, c.priority]),
      [['Name', 0], ['Ready', 0], ['Status', 0], ['Restarts', 0], ['Age', 0], ['IP', 1], ['Node', 1], ['Nominated Node', 1], ['Readiness Gates', 1]],
    );
    assert.equal(cols[0]?.format, 'name');
  });

  test('Running pod', () => {
    const pod = {
      metadata: meta('web', 300),
      spec: { nodeName: 'node-1', containers: [{ name: 'a' }, { name: 'b' }] },
      status: {
        phase: 'Running',
        podIP: '10.244.0.5',
        podIPs: [{ ip: '10.244.0.5' }],
        conditions: [{ type: 'Ready', status: 'True' }],
        containerStatuses: [
          { name: 'a', ready: true, restartCount: 0, state: running },
          { name: 'b', ready: true, restartCount: 0, state: running },
        ],
      },
    };
    assert.deepEqual(row('', 'pods', pod), {
      Name: 'web',
      Ready: '2/2',
      Status: 'Running',
      Restarts: '0',
      Age: '5m',
      IP: '10.244.0.5',
      Node: 'node-1',
      'Nominated Node': '<none>',
      'Readiness Gates': '<none>',
    });
  });

  test('CrashLoopBackOff with restarts and the time of the last one', () => {
    const pod = {
      metadata: meta('crash', 3600),
      spec: { containers: [{ name: 'a' }] },
      status: {
        phase: 'Running',
        containerStatuses: [
          {
            name: 'a',
            ready: false,
            restartCount: 3,
            state: { waiting: { reason: 'CrashLoopBackOff', message: 'back-off' } },
            lastState: { terminated: { exitCode: 1, reason: 'Error', finishedAt: ago(300) } },
          },
        ],
      },
    };
    const r = row('', 'pods', pod);
    assert.equal(r['Ready'], '0/1');
    assert.equal(r['Status'], 'CrashLoopBackOff');
    assert.equal(r['Restarts'], '3 (5m ago)');
    assert.equal(r['Age'], '60m');
    assert.equal(r['IP'], '<none>');
  });

  test('Pending without status, ContainerCreating, and exit codes', () => {
    assert.equal(row('', 'pods', { metadata: meta('p'), spec: { containers: [{ name: 'a' }] }, status: { phase: 'Pending' } })['Status'], 'Pending');
    const creating = {
      metadata: meta('p'),
      spec: { containers: [{ name: 'a' }] },
      status: { phase: 'Pending', containerStatuses: [{ name: 'a', ready: false, restartCount: 0, state: { waiting: { reason: 'ContainerCreating' } } }] },
    };
    assert.equal(row('', 'pods', creating)['Status'], 'ContainerCreating');
    const killed = {
      metadata: meta('p'),
      spec: { containers: [{ name: 'a' }] },
      status: { phase: 'Failed', containerStatuses: [{ name: 'a', ready: false, restartCount: 0, state: { terminated: { exitCode: 137, signal: 9 } } }] },
    };
    assert.equal(row('', 'pods', killed)['Status'], 'Signal:9');
  });

  test('Terminating while running; not for finished pods', () => {
    const pod = {
      metadata: meta('bye', 60, { deletionTimestamp: ago(1) }),
      spec: { containers: [{ name: 'a' }] },
      status: { phase: 'Running', containerStatuses: [{ name: 'a', ready: true, restartCount: 0, state: running }] },
    };
    assert.equal(row('', 'pods', pod)['Status'], 'Terminating');
    const done = { ...pod, status: { phase: 'Succeeded', containerStatuses: [{ name: 'a', ready: false, restartCount: 0, state: { terminated: { exitCode: 0, reason: 'Completed' } } }] } };
    assert.equal(row('', 'pods', done)['Status'], 'Completed');
  });

  test('Completed pod gets a Completed row condition', () => {
    const pod = {
      metadata: meta('job-x'),
      spec: { containers: [{ name: 'a' }] },
      status: { phase: 'Succeeded', containerStatuses: [{ name: 'a', ready: false, restartCount: 0, state: { terminated: { exitCode: 0, reason: 'Completed' } } }] },
    };
    const table = toTable(info('', 'pods'), [pod as KObject], { now: NOW });
    assert.equal(table.rows[0]?.cells[1], '0/1');
    assert.equal(table.rows[0]?.cells[2], 'Completed');
    assert.deepEqual(table.rows[0]?.conditions?.map((c) => [c.type, c.status, c.reason]), [['Completed', 'True', 'Succeeded']]);
  });

  test('Init:1/2 while the second init container runs; Init:CrashLoopBackOff; init restarts count', () => {
    const base = { metadata: meta('init'), spec: { initContainers: [{ name: 'i1' }, { name: 'i2' }], containers: [{ name: 'a' }] } };
    const initRunning = {
      ...base,
      status: {
        phase: 'Pending',
        initContainerStatuses: [
          { name: 'i1', ready: true, restartCount: 0, state: { terminated: { exitCode: 0, reason: 'Completed' } } },
          { name: 'i2', ready: false, restartCount: 0, state: running },
        ],
        containerStatuses: [{ name: 'a', ready: false, restartCount: 0, state: { waiting: { reason: 'PodInitializing' } } }],
      },
    };
    const r = row('', 'pods', initRunning);
    assert.equal(r['Status'], 'Init:1/2');
    assert.equal(r['Ready'], '0/1');
    const initCrash = {
      ...base,
      status: {
        phase: 'Pending',
        initContainerStatuses: [
          { name: 'i1', ready: false, restartCount: 4, state: { waiting: { reason: 'CrashLoopBackOff' } }, lastState: { terminated: { exitCode: 1, finishedAt: ago(30) } } },
          { name: 'i2', ready: false, restartCount: 0, state: { waiting: { reason: 'PodInitializing' } } },
        ],
      },
    };
    const c = row('', 'pods', initCrash);
    assert.equal(c['Status'], 'Init:CrashLoopBackOff');
    assert.equal(c['Restarts'], '4 (30s ago)');
  });

  test('a started sidecar (restartable init container) counts toward Ready', () => {
    const pod = {
      metadata: meta('sidecar'),
      spec: { initContainers: [{ name: 'proxy', restartPolicy: 'Always' }], containers: [{ name: 'a' }] },
      status: {
        phase: 'Running',
        conditions: [{ type: 'Initialized', status: 'True' }, { type: 'Ready', status: 'True' }],
        initContainerStatuses: [{ name: 'proxy', ready: true, started: true, restartCount: 1, state: running }],
        containerStatuses: [{ name: 'a', ready: true, restartCount: 0, state: running }],
      },
    };
    const r = row('', 'pods', pod);
    assert.equal(r['Ready'], '2/2');
    assert.equal(r['Status'], 'Running');
    assert.equal(r['Restarts'], '1');
  });

  test('readiness gates count the true conditions', () => {
    const pod = {
      metadata: meta('gated'),
      spec: { containers: [{ name: 'a' }], readinessGates: [{ conditionType: 'x/one' }, { conditionType: 'x/two' }] },
      status: { phase: 'Running', conditions: [{ type: 'x/one', status: 'True' }, { type: 'x/two', status: 'False' }] },
    };
    assert.equal(row('', 'pods', pod)['Readiness Gates'], '1/2');
  });
});

describe('rows and metadata', () => {
  const pod = { apiVersion: 'v1', kind: 'Pod', metadata: meta('p', 60, { labels: { app: 'x' } }), spec: { containers: [] } } as KObject;

  test('rows carry PartialObjectMetadata by default, the object with Object, nothing with None', () => {
    const t = toTable(info('', 'pods'), [pod], { now: NOW, resourceVersion: '42', continue: 'abc', remainingItemCount: 3 });
    assert.equal(t.kind, 'Table');
    assert.equal(t.apiVersion, 'meta.k8s.io/v1');
    assert.deepEqual(t.metadata, { resourceVersion: '42', continue: 'abc', remainingItemCount: 3 });
    assert.deepEqual(t.rows[0]?.object, { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: pod.metadata });
    assert.equal(toTable(info('', 'pods'), [pod], { now: NOW, includeObject: 'Object' }).rows[0]?.object, pod);
    assert.equal('object' in (toTable(info('', 'pods'), [pod], { now: NOW, includeObject: 'None' }).rows[0] ?? {}), false);
  });

  test('omitHeaders leaves columnDefinitions empty; every served resource renders', () => {
    assert.deepEqual(toTable(info('', 'pods'), [pod], { now: NOW, omitHeaders: true }).columnDefinitions, []);
    for (const r of RESOURCES) {
      const t: Table = toTable(r, [{ metadata: meta('x') }], { now: NOW });
      assert.equal(t.columnDefinitions.filter((c) => c.format === 'name').length >= 1, true, r.resource);
      assert.equal(t.rows[0]?.cells.length, t.columnDefinitions.length, r.resource);
      assert.ok(t.rows[0]?.cells.includes('x'), r.resource);
    }
  });

  test('kinds without a printer get Name and Created At, like the apiserver default', () => {
    const r = row('rbac.authorization.k8s.io', 'roles', { metadata: { name: 'reader', creationTimestamp: '2024-04-30T10:00:00Z' } });
    assert.deepEqual(r, { Name: 'reader', 'Created At': '2024-04-30T10:00:00Z' });
  });
});

describe('other kinds', () => {
  const template = { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'nginx', image: 'nginx:1.25' }, { name: 'side', image: 'busybox' }] } };

  test('deployments', () => {
    const d = {
      metadata: meta('web', 7200),
      spec: { replicas: 3, selector: { matchLabels: { app: 'web' }, matchExpressions: [{ key: 'tier', operator: 'In', values: ['b', 'a'] }] }, template },
      status: { replicas: 3, readyReplicas: 2, updatedReplicas: 3, availableReplicas: 2 },
    };
    assert.deepEqual(row('apps', 'deployments', d), {
      Name: 'web',
      Ready: '2/3',
      'Up-to-date': 3,
      Available: 2,
      Age: '120m',
      Containers: 'nginx,side',
      Images: 'nginx:1.25,busybox',
      Selector: 'app=web,tier in (a,b)',
    });
  });

  test('replicasets, replication controllers, statefulsets, daemonsets', () => {
    const rs = row('apps', 'replicasets', { metadata: meta('web-1'), spec: { replicas: 2, selector: { matchLabels: { app: 'web' } }, template }, status: { replicas: 2, readyReplicas: 1 } });
    assert.deepEqual([rs['Desired'], rs['Current'], rs['Ready'], rs['Selector']], [2, 2, 1, 'app=web']);
    const rc = row('', 'replicationcontrollers', { metadata: meta('rc'), spec: { replicas: 1, selector: { app: 'web' }, template }, status: { replicas: 1 } });
    assert.deepEqual([rc['Desired'], rc['Current'], rc['Ready'], rc['Selector']], [1, 1, 0, 'app=web']);
    const sts = row('apps', 'statefulsets', { metadata: meta('db'), spec: { replicas: 3, template }, status: { readyReplicas: 3 } });
    assert.equal(sts['Ready'], '3/3');
    const ds = row('apps', 'daemonsets', {
      metadata: meta('agent'),
      spec: { selector: { matchLabels: { app: 'agent' } }, template: { ...template, spec: { ...template.spec, nodeSelector: { 'kubernetes.io/os': 'linux' } } } },
      status: { desiredNumberScheduled: 2, currentNumberScheduled: 2, numberReady: 1, updatedNumberScheduled: 2, numberAvailable: 1 },
    });
    assert.deepEqual([ds['Desired'], ds['Ready'], ds['Node Selector']], [2, 1, 'kubernetes.io/os=linux']);
  });

  test('jobs and cronjobs', () => {
    const job = row('batch', 'jobs', {
      metadata: meta('pi', 600),
      spec: { completions: 1, template },
      status: { succeeded: 1, startTime: ago(600), completionTime: ago(540), conditions: [{ type: 'Complete', status: 'True' }] },
    });
    assert.deepEqual([job['Status'], job['Completions'], job['Duration']], ['Complete', '1/1', '60s']);
    const running = row('batch', 'jobs', { metadata: meta('p'), spec: { parallelism: 3, template }, status: { startTime: ago(30) } });
    assert.deepEqual([running['Status'], running['Completions'], running['Duration']], ['Running', '0/1 of 3', '30s']);
    const cj = row('batch', 'cronjobs', { metadata: meta('nightly'), spec: { schedule: '0 3 * * *', suspend: false, jobTemplate: { spec: { template } } }, status: {} });
    assert.deepEqual([cj['Schedule'], cj['Timezone'], cj['Suspend'], cj['Active'], cj['Last Schedule']], ['0 3 * * *', '<none>', 'False', 0, '<none>']);
  });

  test('services', () => {
    const svc = row('', 'services', {
      metadata: meta('web'),
      spec: { type: 'NodePort', clusterIP: '10.96.0.10', clusterIPs: ['10.96.0.10'], selector: { app: 'web' }, ports: [{ port: 80, nodePort: 30080, protocol: 'TCP' }, { port: 53, protocol: 'UDP' }] },
    });
    assert.deepEqual(svc, { Name: 'web', Type: 'NodePort', 'Cluster-IP': '10.96.0.10', 'External-IP': '<none>', 'Port(s)': '80:30080/TCP,53/UDP', Age: '60s', Selector: 'app=web' });
    const lb = row('', 'services', { metadata: meta('lb'), spec: { type: 'LoadBalancer', clusterIP: '10.96.0.11', ports: [] } });
    assert.deepEqual([lb['External-IP'], lb['Port(s)'], lb['Selector']], ['<pending>', '<none>', '<none>']);
  });

  test('nodes', () => {
    const node = row('', 'nodes', {
      metadata: { name: 'n1', creationTimestamp: ago(86400 * 3), labels: { 'node-role.kubernetes.io/control-plane': '', 'kubernetes.io/role': 'worker' } },
      spec: { unschedulable: true },
      status: {
        conditions: [{ type: 'Ready', status: 'True' }],
        addresses: [{ type: 'InternalIP', address: '172.18.0.2' }, { type: 'Hostname', address: 'n1' }],
        nodeInfo: { kubeletVersion: 'v1.32.0-tskube', osImage: 'Debian', kernelVersion: '6.1', containerRuntimeVersion: 'docker://20.10' },
      },
    });
    assert.deepEqual(node, {
      Name: 'n1',
      Status: 'Ready,SchedulingDisabled',
      Roles: 'control-plane,worker',
      Age: '3d',
      Version: 'v1.32.0-tskube',
      'Internal-IP': '172.18.0.2',
      'External-IP': '<none>',
      'OS-Image': 'Debian',
      'Kernel-Version': '6.1',
      'Container-Runtime': 'docker://20.10',
    });
    assert.equal(row('', 'nodes', { metadata: { name: 'n2' }, status: { conditions: [{ type: 'Ready', status: 'Unknown' }] } })['Status'], 'NotReady');
    assert.equal(row('', 'nodes', { metadata: { name: 'n3' } })['Status'], 'Unknown');
  });

  test('namespaces, configmaps, secrets, serviceaccounts, leases', () => {
    assert.equal(row('', 'namespaces', { metadata: meta('dev'), status: { phase: 'Active' } })['Status'], 'Active');
    assert.equal(row('', 'configmaps', { metadata: meta('c'), data: { a: '1', b: '2' }, binaryData: { c: 'AA==' } })['Data'], 3);
    const s = row('', 'secrets', { metadata: meta('s'), type: 'kubernetes.io/tls', data: { 'tls.crt': 'x', 'tls.key': 'y' } });
    assert.deepEqual([s['Type'], s['Data']], ['kubernetes.io/tls', 2]);
    assert.equal(row('', 'serviceaccounts', { metadata: meta('default') })['Secrets'], 0);
    assert.equal(row('coordination.k8s.io', 'leases', { metadata: meta('kube-scheduler'), spec: { holderIdentity: 'sched-1' } })['Holder'], 'sched-1');
  });

  test('events', () => {
    const ev = row('', 'events', {
      metadata: meta('web.17a'),
      involvedObject: { kind: 'Pod', name: 'web', fieldPath: 'spec.containers{nginx}' },
      reason: 'Pulled',
      message: 'Pulled image\n',
      type: 'Normal',
      source: { component: 'kubelet', host: 'n1' },
      firstTimestamp: ago(600),
      lastTimestamp: ago(30),
      count: 4,
    });
    assert.deepEqual(ev, {
      'Last Seen': '30s',
      Type: 'Normal',
      Reason: 'Pulled',
      Object: 'pod/web',
      Subobject: 'spec.containers{nginx}',
      Source: 'kubelet, n1',
      Message: 'Pulled image',
      'First Seen': '10m',
      Count: 4,
      Name: 'web.17a',
    });
  });

  test('endpoints and endpointslices', () => {
    const ep = row('', 'endpoints', {
      metadata: meta('web'),
      subsets: [{ addresses: [{ ip: '10.0.0.1' }, { ip: '10.0.0.2' }, { ip: '10.0.0.3' }, { ip: '10.0.0.4' }], ports: [{ port: 80 }] }],
    });
    assert.equal(ep['Endpoints'], '10.0.0.1:80,10.0.0.2:80,10.0.0.3:80 + 1 more...');
    assert.equal(row('', 'endpoints', { metadata: meta('none') })['Endpoints'], '<none>');
    const slice = row('discovery.k8s.io', 'endpointslices', {
      metadata: meta('web-abc'),
      addressType: 'IPv4',
      ports: [{ port: 80, name: 'http' }],
      endpoints: [{ addresses: ['10.0.0.1'] }, { addresses: ['10.0.0.2'] }],
    });
    assert.deepEqual([slice['AddressType'], slice['Ports'], slice['Endpoints']], ['IPv4', '80', '10.0.0.1,10.0.0.2']);
  });

  test('persistent volumes and claims', () => {
    const pv = row('', 'persistentvolumes', {
      metadata: { name: 'pv1', creationTimestamp: ago(60) },
      spec: { capacity: { storage: '1Gi' }, accessModes: ['ReadWriteMany', 'ReadWriteOnce'], persistentVolumeReclaimPolicy: 'Retain', claimRef: { namespace: 'default', name: 'data' }, storageClassName: 'local' },
      status: { phase: 'Bound' },
    });
    assert.deepEqual([pv['Capacity'], pv['Access Modes'], pv['Status'], pv['Claim'], pv['StorageClass'], pv['VolumeMode']], ['1Gi', 'RWO,RWX', 'Bound', 'default/data', 'local', '<unset>']);
    const pvc = row('', 'persistentvolumeclaims', {
      metadata: meta('data'),
      spec: { volumeName: 'pv1', storageClassName: 'local', volumeMode: 'Filesystem' },
      status: { phase: 'Bound', capacity: { storage: '1Gi' }, accessModes: ['ReadWriteOnce'] },
    });
    assert.deepEqual([pvc['Status'], pvc['Volume'], pvc['Capacity'], pvc['Access Modes'], pvc['VolumeMode']], ['Bound', 'pv1', '1Gi', 'RWO', 'Filesystem']);
  });

  test('hpa, pdb, rolebindings, storageclasses, resourcequotas, controllerrevisions', () => {
    const hpa = row('autoscaling', 'horizontalpodautoscalers', {
      metadata: meta('web'),
      spec: { scaleTargetRef: { kind: 'Deployment', name: 'web' }, minReplicas: 1, maxReplicas: 5, metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 50 } } }] },
      status: { currentReplicas: 2, currentMetrics: [{ type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: 20 } } }] },
    });
    assert.deepEqual([hpa['Reference'], hpa['Targets'], hpa['MinPods'], hpa['MaxPods'], hpa['Replicas']], ['Deployment/web', 'cpu: 20%/50%', '1', 5, 2]);
    const fresh = row('autoscaling', 'horizontalpodautoscalers', {
      metadata: meta('new'),
      spec: {
        scaleTargetRef: { kind: 'Deployment', name: 'web' },
        maxReplicas: 5,
        metrics: [
          { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 50 } } },
          { type: 'Resource', resource: { name: 'memory', target: { type: 'AverageValue', averageValue: '100Mi' } } },
          { type: 'Pods', pods: { metric: { name: 'qps' }, target: { type: 'AverageValue', averageValue: '10' } } },
        ],
      },
      status: { currentReplicas: 0, currentMetrics: [{ type: '' }] },
    });
    assert.deepEqual([fresh['Targets'], fresh['MinPods']], ['cpu: <unknown>/50%, memory: <unknown>/100Mi + 1 more...', '<unset>']);
    const pdb = row('policy', 'poddisruptionbudgets', { metadata: meta('p'), spec: { minAvailable: '50%' }, status: { disruptionsAllowed: 1 } });
    assert.deepEqual([pdb['Min Available'], pdb['Max Unavailable'], pdb['Allowed Disruptions']], ['50%', 'N/A', 1]);
    const rb = row('rbac.authorization.k8s.io', 'rolebindings', {
      metadata: meta('rb'),
      roleRef: { kind: 'Role', name: 'reader', apiGroup: 'rbac.authorization.k8s.io' },
      subjects: [{ kind: 'User', name: 'alice' }, { kind: 'ServiceAccount', name: 'default', namespace: 'dev' }],
    });
    assert.deepEqual([rb['Role'], rb['Users'], rb['Groups'], rb['ServiceAccounts']], ['Role/reader', 'alice', '', 'dev/default']);
    const sc = row('storage.k8s.io', 'storageclasses', { metadata: { name: 'local', annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } }, provisioner: 'rancher.io/local-path' });
    assert.deepEqual([sc['Name'], sc['ReclaimPolicy'], sc['VolumeBindingMode'], sc['AllowVolumeExpansion']], ['local (default)', 'Delete', 'Immediate', false]);
    const quota = row('', 'resourcequotas', { metadata: meta('q'), status: { hard: { 'limits.cpu': '2', pods: '10', 'requests.cpu': '1' }, used: { pods: '3' } } });
    assert.deepEqual([quota['Request'], quota['Limit']], ['pods: 3/10, requests.cpu: 0/1', 'limits.cpu: 0/2']);
    const rev = row('apps', 'controllerrevisions', { metadata: meta('agent-7d', 60, { ownerReferences: [{ apiVersion: 'apps/v1', kind: 'DaemonSet', name: 'agent', uid: 'u', controller: true }] }), revision: 2 });
    assert.deepEqual([rev['Controller'], rev['Revision']], ['daemonset.apps/agent', 2]);
  });
});

describe('networking.k8s.io', () => {
  test('ingresses: class, hosts (3 then "+ N more..."), address, ports', () => {
    const rules = ['a', 'b', 'c', 'd'].map((h) => ({ host: `${h}.example.com` }));
    const ing = row('networking.k8s.io', 'ingresses', {
      metadata: meta('web'),
      spec: { ingressClassName: 'nginx', rules, tls: [{ hosts: ['a.example.com'] }] },
      status: { loadBalancer: { ingress: [{ ip: '10.0.0.1' }] } },
    });
    assert.deepEqual(ing, { Name: 'web', Class: 'nginx', Hosts: 'a.example.com,b.example.com,c.example.com + 1 more...', Address: '10.0.0.1', Ports: '80, 443', Age: '60s' });
    const bare = row('networking.k8s.io', 'ingresses', { metadata: meta('bare'), spec: { defaultBackend: {} } });
    assert.deepEqual([bare['Class'], bare['Hosts'], bare['Address'], bare['Ports']], ['<none>', '*', '', '80']);
  });

  test('ingressclasses and networkpolicies', () => {
    const cls = row('networking.k8s.io', 'ingressclasses', { metadata: meta('nginx'), spec: { controller: 'k8s.io/ingress-nginx', parameters: { apiGroup: 'k8s.example.com', kind: 'IngressParameters', name: 'p' } } });
    assert.deepEqual(cls, { Name: 'nginx', Controller: 'k8s.io/ingress-nginx', Parameters: 'IngressParameters.k8s.example.com/p', Age: '60s' });
    const np = row('networking.k8s.io', 'networkpolicies', { metadata: meta('np'), spec: { podSelector: {} } });
    assert.deepEqual(np, { Name: 'np', 'Pod-Selector': '<none>', Age: '60s' });
  });
});
