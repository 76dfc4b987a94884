// kc against a live apiserver (real etcd), compared byte for byte with the real kubectl 1.32
// where both can run; statuses are set by hand where a controller or kubelet would.
import assert from 'node:assert/strict';
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { RestClient } from '../../client/index.js';
import { startTestApiserver, type TestApiserver } from '../harness/apiserver.js';
import { waitFor } from '../harness/ports.js';
import { kcPair, type KcPair } from './kc-harness.js';
import { metaTime } from '../../api/time.js';

let api: TestApiserver;
let p: KcPair;
let client: RestClient;
const now = (): string => metaTime();

const MANIFESTS = `apiVersion: v1
kind: ConfigMap
metadata: {name: cm1, labels: {app: web, tier: fe}, annotations: {note: hello}}
data: {a: "1", b: two}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, labels: {app: web}}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - name: web
        image: busybox:1.35
        command: [sh, -c, "sleep 1000"]
        ports: [{containerPort: 80}]
        env: [{name: A, value: b}]
        resources: {requests: {cpu: 100m, memory: 64Mi}, limits: {cpu: 200m}}
        readinessProbe: {httpGet: {path: /, port: 80}}
        volumeMounts: [{name: data, mountPath: /data}]
      volumes: [{name: data, emptyDir: {}}]
---
apiVersion: v1
kind: Pod
metadata: {name: p1, labels: {app: web, tier: be}}
spec: {nodeName: node-1, containers: [{name: c, image: busybox:1.35}, {name: d, image: busybox:1.35, ports: [{containerPort: 8080, name: http}]}]}
---
apiVersion: v1
kind: Service
metadata: {name: svc1}
spec: {selector: {app: web}, type: NodePort, ports: [{port: 80, name: http, targetPort: 8080}]}
---
apiVersion: v1
kind: Node
metadata: {name: node-1, labels: {kubernetes.io/hostname: node-1}}
`;

function file(name: string, text: string): string {
  const path = join(p.kubectl.home, name);
  writeFileSync(path, text);
  return path;
}

before(async () => {
  api = await startTestApiserver();
  p = kcPair(api.config);
  client = new RestClient({ ...api.config });
  const r = await p.kc(['apply', '-f', file('app.yaml', MANIFESTS)]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, 'configmap/cm1 created\ndeployment.apps/web created\npod/p1 created\nservice/svc1 created\nnode/node-1 created\n');
  // What the kubelet and a controller would report.
  const pods = client.resource('pods', 'default');
  const pod = await pods.get('p1');
  const t = now();
  await pods.updateStatus({
    ...pod,
    status: {
      phase: 'Running',
      hostIP: '10.0.0.1',
      podIP: '10.244.0.5',
      podIPs: [{ ip: '10.244.0.5' }],
      startTime: t,
      conditions: [
        { type: 'Ready', status: 'True', lastTransitionTime: t },
        { type: 'PodScheduled', status: 'True', lastTransitionTime: t },
      ],
      containerStatuses: [
        { name: 'c', image: 'busybox:1.35', imageID: 'docker://sha', containerID: 'docker://abc', ready: true, restartCount: 2, started: true, state: { running: { startedAt: t } }, lastState: { terminated: { exitCode: 1, reason: 'Error', startedAt: t, finishedAt: t } } },
      ],
    },
  });
  const nodes = client.resource('nodes');
  const node = await nodes.get('node-1');
  await nodes.updateStatus({
    ...node,
    status: {
      capacity: { cpu: '2', memory: '4Gi', pods: '110' },
      allocatable: { cpu: '2', memory: '4Gi', pods: '110' },
      addresses: [{ type: 'InternalIP', address: '10.0.0.1' }, { type: 'Hostname', address: 'node-1' }],
      conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status', lastHeartbeatTime: t, lastTransitionTime: t }],
      nodeInfo: { machineID: 'm', systemUUID: 's', bootID: 'b', kernelVersion: '6.1', osImage: 'Debian', operatingSystem: 'linux', architecture: 'amd64', containerRuntimeVersion: 'docker://20.10', kubeletVersion: 'v1.32.0', kubeProxyVersion: '', containerRuntimeVersion2: undefined } as never,
    },
  });
  const ev = client.resource('events', 'default');
  const ref = { kind: 'Pod', name: 'p1', namespace: 'default', uid: pod.metadata!.uid!, apiVersion: 'v1' };
  await ev.create({ metadata: { name: 'p1.1' }, involvedObject: ref, reason: 'Scheduled', message: 'Successfully assigned default/p1 to node-1', type: 'Normal', source: { component: 'default-scheduler' }, firstTimestamp: t, lastTimestamp: t, count: 1 });
  await ev.create({ metadata: { name: 'p1.2' }, involvedObject: ref, reason: 'BackOff', message: 'Back-off restarting failed container', type: 'Warning', source: { component: 'kubelet', host: 'node-1' }, firstTimestamp: t, lastTimestamp: t, count: 3 });
});

after(async () => {
  await client?.close();
  await api?.stop();
});

async function same(args: string[]): Promise<void> {
  const r = await p.both(args);
  assert.deepEqual(r.kc, r.kubectl, `kc ${args.join(' ')} differs from kubectl`);
}

describe('output identical to kubectl 1.32', () => {
  const cases = [
    ['get', 'pods'],
    ['get', 'all'],
    ['get', 'cm,deploy', '-A', '--show-labels'],
    ['get', 'pods', '-o', 'wide'],
    ['get', 'pods', '-A', '-o', 'wide'],
    ['get', 'deploy', 'web', '-L', 'app'],
    ['get', 'svc/svc1', 'deploy/web'],
    ['get', 'cm', '-l', 'app=web', '--no-headers'],
    ['get', 'svc', '--sort-by=.metadata.name'],
    ['get', 'ns'],
    ['get', 'nodes'],
    ['get', 'cm', 'cm1', '-o', 'yaml'],
    ['get', 'deploy', 'web', '-o', 'yaml'],
    ['get', 'cm', '-o', 'json'],
    ['get', 'pods,cm', '-o', 'name'],
    ['get', 'cm', '-o', 'jsonpath={.items[*].metadata.name}'],
    ['get', 'pods', '-o', 'jsonpath={range .items[*]}{.metadata.name}{"\\t"}{.status.podIP}{"\\n"}{end}'],
    ['get', 'cm', '-o', 'custom-columns=N:.metadata.name,L:.metadata.labels'],
    ['get', 'pods', '--field-selector=status.phase=Running'],
    ['get', 'cm', '-l', 'nope=x'],
    ['describe', 'pod', 'p1'],
    ['describe', 'deploy', 'web'],
    ['describe', 'svc', 'svc1'],
    ['describe', 'cm', 'cm1'],
    ['describe', 'po'],
    ['api-resources'],
    ['api-resources', '-o', 'wide'],
    ['api-resources', '--namespaced=false'],
    ['config', 'view'],
    ['config', 'get-contexts'],
    ['config', 'current-context'],
    ['wait', '--for=condition=Ready', 'pod/p1', '--timeout=5s'],
    ['wait', '--for=jsonpath={.data.a}=1', 'cm/cm1'],
  ];
  for (const args of cases) test(args.join(' '), () => same(args));
});

describe('errors and exit codes as kubectl', () => {
  const cases = [
    ['get', 'nope'],
    ['get', 'pods', 'nope'],
    ['get', 'pods', 'p1', 'nope'],
    ['get', 'pods', 'pod/x'],
    ['describe', 'pods', 'nope'],
    ['delete', 'cm', 'nope'],
    ['wait', '--for=condition=Ready', 'pod/nope'],
    ['wait', '--for=condition=Nope', 'pod/p1', '--timeout=1s'],
    ['label', 'cm', 'cm1', 'app=other'],
    ['scale', 'deploy', 'web', '--replicas=5', '--current-replicas=7'],
    ['get', 'pods', '-o', 'xml'],
  ];
  for (const args of cases) {
    test(args.join(' '), async () => {
      const r = await p.both(args);
      assert.equal(r.kc.code, 1);
      // kubectl names itself in usage hints, and knows printers kc does not have.
      const norm = (s: string) => s.replaceAll('kubectl.1.32', 'kc').replace(/allowed formats are: .*/, 'allowed formats are: …');
      assert.equal(norm(r.kc.stderr), norm(r.kubectl.stderr));
      assert.equal(r.kc.stdout, r.kubectl.stdout);
    });
  }
  test('a server that does not answer', async () => {
    const r = await p.kc(['get', 'pods', '-s', 'http://127.0.0.1:1']);
    assert.deepEqual(r, { code: 1, stdout: '', stderr: 'The connection to the server 127.0.0.1:1 was refused - did you specify the right host or port?\n' });
  });
});

test('describe node (pods on it, lease, conditions) as kubectl', async () => {
  await same(['describe', 'node', 'node-1']);
});

test('apply: created, unchanged, configured; create and delete', async () => {
  const v1 = file('w1.yaml', MANIFESTS.split('---\n')[1]!.replace('name: web', 'name: web2'));
  const v2 = file('w2.yaml', MANIFESTS.split('---\n')[1]!.replace('name: web', 'name: web2').replace('busybox:1.35', 'busybox:1.36'));
  assert.deepEqual(await p.kc(['apply', '-f', v1]), { code: 0, stdout: 'deployment.apps/web2 created\n', stderr: '' });
  assert.deepEqual(await p.kc(['apply', '-f', v1]), { code: 0, stdout: 'deployment.apps/web2 unchanged\n', stderr: '' });
  assert.deepEqual(await p.kc(['apply', '-f', v2]), { code: 0, stdout: 'deployment.apps/web2 configured\n', stderr: '' });
  // The annotation kc stored is the one kubectl would: kubectl sees nothing to do.
  assert.deepEqual(await p.kubectl.run(['apply', '-f', v2]), { code: 0, stdout: 'deployment.apps/web2 unchanged\n', stderr: '' });
  assert.equal((await p.kc(['get', 'deploy', 'web2', '-o', 'jsonpath={.spec.template.spec.containers[0].image}'])).stdout, 'busybox:1.36');
  const again = await p.kc(['create', '-f', v1]);
  assert.equal(again.code, 1);
  assert.equal(again.stderr, `Error from server (AlreadyExists): error when creating "${v1}": deployments.apps "web2" already exists\n`);
  const stdin = await p.kc(['apply', '-f', '-'], { input: 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: from-stdin}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: from-stdin-2}\n' });
  assert.deepEqual(stdin, { code: 0, stdout: 'configmap/from-stdin created\nconfigmap/from-stdin-2 created\n', stderr: '' });
  const ss = await p.kc(['apply', '--server-side', '-f', '-'], { input: 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ssa}\ndata: {k: v}\n' });
  assert.deepEqual(ss, { code: 0, stdout: 'configmap/ssa serverside-applied\n', stderr: '' });
  assert.deepEqual(await p.kc(['delete', '-f', v1]), { code: 0, stdout: 'deployment.apps "web2" deleted\n', stderr: '' });
  assert.deepEqual(await p.kc(['delete', 'cm', '-l', 'nothing=here']), { code: 0, stdout: 'No resources found\n', stderr: '' });
  assert.deepEqual(await p.kc(['delete', 'cm', 'from-stdin', 'from-stdin-2', 'ssa', '--cascade=background']), {
    code: 0,
    stdout: 'configmap "from-stdin" deleted\nconfigmap "from-stdin-2" deleted\nconfigmap "ssa" deleted\n',
    stderr: '',
  });
  assert.equal((await p.kc(['get', 'cm', 'ssa'])).code, 1);
});

test('label, annotate, patch, replace, scale, cordon/uncordon', async () => {
  const steps: [string[], string][] = [
    [['label', 'cm', 'cm1', 'x=1'], 'configmap/cm1 labeled\n'],
    [['label', 'cm/cm1', 'x=2', '--overwrite'], 'configmap/cm1 labeled\n'],
    [['label', 'cm', 'cm1', 'x-'], 'configmap/cm1 unlabeled\n'],
    [['annotate', 'cm', 'cm1', 'team=core'], 'configmap/cm1 annotated\n'],
    [['patch', 'cm', 'cm1', '-p', '{"data":{"c":"3"}}'], 'configmap/cm1 patched\n'],
    [['patch', 'cm', 'cm1', '--type', 'merge', '-p', '{"data":{"c":"3"}}'], 'configmap/cm1 patched (no change)\n'],
    [['patch', 'cm', 'cm1', '--type', 'json', '-p', '[{"op":"remove","path":"/data/c"}]'], 'configmap/cm1 patched\n'],
    [['scale', 'deploy', 'web', '--replicas=3'], 'deployment.apps/web scaled\n'],
    [['cordon', 'node-1'], 'node/node-1 cordoned\n'],
    [['cordon', 'node-1'], 'node/node-1 already cordoned\n'],
    [['uncordon', 'node-1'], 'node/node-1 uncordoned\n'],
  ];
  for (const [args, out] of steps) assert.deepEqual(await p.kc(args), { code: 0, stdout: out, stderr: '' }, args.join(' '));
  assert.equal((await p.kc(['get', 'deploy', 'web', '-o', 'jsonpath={.spec.replicas}'])).stdout, '3');
  assert.equal((await p.kc(['get', 'cm', 'cm1', '-o', 'jsonpath={.metadata.annotations.team}'])).stdout, 'core');
  const replaced = file('cm-replace.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm1}\ndata: {only: this}\n');
  assert.deepEqual(await p.kc(['replace', '-f', replaced]), { code: 0, stdout: 'configmap/cm1 replaced\n', stderr: '' });
  assert.equal((await p.kc(['get', 'cm', 'cm1', '-o', 'jsonpath={.data}'])).stdout, '{"only":"this"}');
});

test('edit: changes are patched; invalid changes re-open the file, unchanged → cancelled', async () => {
  const editor = join(p.kubectl.home, 'editor.sh');
  writeFileSync(editor, '#!/bin/sh\nsed -i "s/^  replicas: [0-9]*/  replicas: 4/" "$1"\n');
  chmodSync(editor, 0o755);
  assert.deepEqual(await p.kc(['edit', 'deploy/web'], { env: { EDITOR: editor } }), { code: 0, stdout: 'deployment.apps/web edited\n', stderr: '' });
  assert.equal((await p.kc(['get', 'deploy', 'web', '-o', 'jsonpath={.spec.replicas}'])).stdout, '4');
  // Sets an invalid value; on the second opening (with the error on top) it changes nothing.
  const bad = join(p.kubectl.home, 'bad.sh');
  writeFileSync(bad, '#!/bin/sh\ngrep -q "was not valid" "$1" && { grep "^# \\*" "$1" > "$1.errors"; exit 0; }\nsed -i "s/^  replicas: [0-9]*/  replicas: -1/" "$1"\n');
  chmodSync(bad, 0o755);
  const r = await p.kc(['edit', 'deployment', 'web'], { env: { EDITOR: bad } });
  assert.equal(r.code, 1);
  assert.equal(r.stderr, 'error: deployments.apps "web" is invalid\nerror: Edit cancelled, no valid changes were saved.\n');
  const noop = join(p.kubectl.home, 'noop.sh');
  writeFileSync(noop, '#!/bin/sh\ntrue\n');
  chmodSync(noop, 0o755);
  assert.deepEqual(await p.kc(['edit', 'cm', 'cm1'], { env: { EDITOR: noop } }), { code: 0, stdout: '', stderr: 'Edit cancelled, no changes made.\n' });
});

test('rollout history/status/undo/restart/pause/resume on hand-made ReplicaSets', async () => {
  const deps = client.resource('deployments.apps', 'default');
  const tpl = (image: string) => ({ metadata: { labels: { app: 'ro' } }, spec: { containers: [{ name: 'ro', image }] } });
  const d = await deps.create({ metadata: { name: 'ro', annotations: { 'deployment.kubernetes.io/revision': '2' } }, spec: { replicas: 2, selector: { matchLabels: { app: 'ro' } }, template: tpl('busybox:1.36') } });
  const rss = client.resource('replicasets.apps', 'default');
  for (const [rev, image] of [[1, 'busybox:1.35'], [2, 'busybox:1.36']] as const) {
    const t = tpl(image);
    (t.metadata.labels as Record<string, string>)['pod-template-hash'] = `h${rev}`;
    await rss.create({
      metadata: { name: `ro-h${rev}`, labels: t.metadata.labels, annotations: { 'deployment.kubernetes.io/revision': String(rev) }, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'ro', uid: d.metadata!.uid!, controller: true }] },
      spec: { replicas: rev === 2 ? 2 : 0, selector: { matchLabels: t.metadata.labels }, template: t },
    });
  }
  await same(['rollout', 'history', 'deploy/ro']);
  await same(['rollout', 'history', 'deploy/ro', '--revision=1']);
  await same(['describe', 'deploy', 'ro']);
  const cur = await deps.get('ro');
  await deps.updateStatus({ ...cur, status: { observedGeneration: cur.metadata!.generation, replicas: 2, updatedReplicas: 2, availableReplicas: 1 } });
  await same(['rollout', 'status', 'deploy/ro', '--watch=false']);
  // Live progress: kc prints each state until the rollout completes.
  const watching = p.start(['rollout', 'status', 'deployment/ro', '--timeout=20s']);
  await waitFor('the first progress line', () => watching.output().includes('Waiting for deployment'));
  const c2 = await deps.get('ro');
  await deps.updateStatus({ ...c2, status: { observedGeneration: c2.metadata!.generation, replicas: 2, updatedReplicas: 2, availableReplicas: 2 } });
  const done = await watching.done;
  assert.equal(done.code, 0, done.stderr);
  assert.match(done.stdout, /^Waiting for deployment "ro" rollout to finish: 1 of 2 updated replicas are available\.\.\.\n(.*\n)*deployment "ro" successfully rolled out\n$/);
  assert.deepEqual(await p.kc(['rollout', 'undo', 'deploy/ro']), { code: 0, stdout: 'deployment.apps/ro rolled back\n', stderr: '' });
  assert.equal((await p.kc(['get', 'deploy', 'ro', '-o', 'jsonpath={.spec.template.spec.containers[0].image}'])).stdout, 'busybox:1.35');
  assert.deepEqual(await p.kc(['rollout', 'pause', 'deploy/ro']), { code: 0, stdout: 'deployment.apps/ro paused\n', stderr: '' });
  assert.equal((await p.kc(['rollout', 'restart', 'deploy/ro'])).code, 1);
  assert.deepEqual(await p.kc(['rollout', 'resume', 'deploy/ro']), { code: 0, stdout: 'deployment.apps/ro resumed\n', stderr: '' });
  assert.deepEqual(await p.kc(['rollout', 'restart', 'deploy/ro']), { code: 0, stdout: 'deployment.apps/ro restarted\n', stderr: '' });
  assert.match((await p.kc(['get', 'deploy', 'ro', '-o', 'jsonpath={.spec.template.metadata.annotations}'])).stdout, /kubectl\.kubernetes\.io\/restartedAt/);
});

test('wait --for=delete and get -w see changes as they happen', async () => {
  await client.resource('configmaps', 'default').create({ metadata: { name: 'doomed' } });
  const waiting = p.kc(['wait', '--for=delete', 'cm/doomed', '--timeout=20s']);
  const watching = p.kc(['get', 'cm', '-w', '--output-watch-events', '--request-timeout=3s', '-l', 'watch=me']);
  await client.resource('configmaps', 'default').delete('doomed');
  assert.deepEqual(await waiting, { code: 0, stdout: 'configmap/doomed deleted\n', stderr: '' });
  await client.resource('configmaps', 'default').create({ metadata: { name: 'watched', labels: { watch: 'me' } } });
  const w = await watching;
  assert.equal(w.code, 0, w.stderr);
  assert.match(w.stdout, /^EVENT      NAME      DATA   AGE\nADDED      watched   0      \d+s\n$/);
});

test('drain evicts what it may and reports what it may not', async () => {
  const pods = client.resource('pods', 'default');
  const owner = [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'rs', uid: 'u-rs', controller: true }];
  await pods.create({ metadata: { name: 'managed', ownerReferences: owner }, spec: { nodeName: 'node-1', containers: [{ name: 'c', image: 'busybox:1.35' }] } });
  await pods.create({ metadata: { name: 'bare' }, spec: { nodeName: 'node-1', containers: [{ name: 'c', image: 'busybox:1.35' }] } });
  const refused = await p.kc(['drain', 'node-1']);
  assert.equal(refused.code, 1);
  assert.equal(refused.stdout, 'node/node-1 cordoned\n');
  assert.match(refused.stderr, /cannot delete Pods that declare no controller \(use --force to override\): default\/bare, default\/p1/);
  // No kubelet here: a zero grace period lets the apiserver remove the pods at once.
  const r = await p.kc(['drain', 'node-1', '--force', '--grace-period=0']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.split('\n').filter((l) => l.endsWith('evicted')).sort().join('\n'), 'pod/bare evicted\npod/managed evicted\npod/p1 evicted');
  assert.match(r.stdout, /node\/node-1 already cordoned\n[^]*node\/node-1 drained\n$/);
  assert.match(r.stderr, /Warning: deleting Pods that declare no controller: default\/bare, default\/p1/);
  assert.equal((await p.kc(['get', 'node', 'node-1', '-o', 'jsonpath={.spec.unschedulable}'])).stdout, 'true');
});

test('config use-context and set-context edit the kubeconfig file', async () => {
  assert.deepEqual(await p.kc(['config', 'set-context', 'dev', '--cluster=tskube', '--user=tskube', '--namespace=dev']), { code: 0, stdout: 'Context "dev" created.\n', stderr: '' });
  assert.deepEqual(await p.kc(['config', 'use-context', 'dev']), { code: 0, stdout: 'Switched to context "dev".\n', stderr: '' });
  await same(['config', 'get-contexts']);
  assert.equal((await p.kc(['get', 'pods'])).stderr, 'No resources found in dev namespace.\n');
  assert.deepEqual(await p.kc(['config', 'set-context', '--current', '--namespace=default']), { code: 0, stdout: 'Context "dev" modified.\n', stderr: '' });
  assert.deepEqual(await p.kc(['config', 'use-context', 'nope']), { code: 1, stdout: '', stderr: 'error: no context exists with the name: "nope"\n' });
  assert.deepEqual(await p.kc(['config', 'use-context', 'tskube']), { code: 0, stdout: 'Switched to context "tskube".\n', stderr: '' });
});

test('version, cluster-info, completion, and unknown commands', async () => {
  const v = await p.kc(['version']);
  assert.match(v.stdout, /^Client Version: v1\.32\.0-tskube\.0\.1\.0\nServer Version: v1\.32\.\d+\S*\n$/);
  assert.match((await p.kc(['cluster-info'])).stdout, new RegExp(`^Kubernetes control plane is running at ${api.url.replace(/\./g, '\\.')}\n`));
  assert.match((await p.kc(['completion', 'bash'])).stdout, /complete -o default -F _kc_complete kc/);
  assert.match((await p.kc(['completion', 'zsh'])).stdout, /^#compdef kc/);
  const names = (await p.kc(['__complete', '--', 'get', 'cm', ''])).stdout.split('\n').filter(Boolean);
  assert.ok(names.includes('cm1'), names.join(','));
  assert.ok((await p.kc(['__complete', '--', ''])).stdout.split('\n').includes('rollout'));
  const bad = await p.kc(['frobnicate']);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /^error: Unknown command: frobnicate/);
});
