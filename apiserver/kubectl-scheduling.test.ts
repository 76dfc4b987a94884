// The real kubectl 1.32 against scheduling.k8s.io/v1 PriorityClasses over real etcd: the
// system classes, `create priorityclass`, `get pc` with kubectl's columns, the Priority
// admission plugin resolving a pod's priorityClassName, and Kubernetes' refusals.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startTestApiserver, type TestApiserver } from '../test/harness/apiserver.js';
import { kubectlFor } from '../test/harness/kubectl.js';

let api: TestApiserver;
let k: ReturnType<typeof kubectlFor>;

before(async () => {
  api = await startTestApiserver();
  k = kubectlFor(api.config);
});
after(async () => {
  await api?.stop();
});

const podYaml = (name: string, spec: string): string =>
  `apiVersion: v1\nkind: Pod\nmetadata:\n  name: ${name}\nspec:\n${spec}  containers:\n  - name: c\n    image: busybox\n`;

describe('kubectl 1.32: scheduling.k8s.io/v1 PriorityClasses', () => {
  test('the system classes exist at startup and cannot be deleted or changed', async () => {
    const deadline = Date.now() + 20_000;
    let out = '';
    while (Date.now() < deadline) {
      out = (await k.run(['get', 'pc'])).stdout;
      if (/system-node-critical/.test(out)) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    assert.match(out, /^NAME\s+VALUE\s+GLOBAL-DEFAULT\s+AGE\s+PREEMPTIONPOLICY$/m);
    assert.match(out, /^system-cluster-critical\s+2000000000\s+false\s+\S+\s+PreemptLowerPriority$/m);
    assert.match(out, /^system-node-critical\s+2000001000\s+false\s+\S+\s+PreemptLowerPriority$/m);
    const del = await k.run(['delete', 'pc', 'system-node-critical']);
    assert.equal(del.code, 1);
    assert.match(del.stderr, /priorityclasses\.scheduling\.k8s\.io "system-node-critical" is forbidden: this is a system priority class and cannot be deleted/);
    const patch = await k.run(['patch', 'pc', 'system-cluster-critical', '--type=merge', '-p', '{"value":5}']);
    assert.equal(patch.code, 1);
    assert.match(patch.stderr, /value: Forbidden: may not be changed in an update/);
  });

  test('create priorityclass, get pc, and a pod with priorityClassName gets its priority', async () => {
    const c = await k.run(['create', 'priorityclass', 'high', '--value=1000', '--description=high']);
    assert.equal(c.code, 0, c.stderr);
    assert.match(c.stdout, /^priorityclass\.scheduling\.k8s\.io\/high created$/m);
    const g = await k.run(['get', 'pc', 'high']);
    assert.match(g.stdout, /^high\s+1000\s+false\s+\S+\s+PreemptLowerPriority$/m);
    const p = await k.run(['apply', '-f', '-'], podYaml('hi', '  priorityClassName: high\n'));
    assert.equal(p.code, 0, p.stderr);
    const pod = JSON.parse((await k.run(['get', 'pod', 'hi', '-o', 'json'])).stdout);
    assert.equal(pod.spec.priority, 1000);
    assert.equal(pod.spec.preemptionPolicy, 'PreemptLowerPriority');
    // A replace that leaves the computed fields out keeps them, as upstream's admission does.
    delete pod.spec.priority;
    delete pod.spec.preemptionPolicy;
    pod.spec.containers[0].image = 'busybox:1.36';
    const r = await k.run(['replace', '-f', '-'], JSON.stringify(pod));
    assert.equal(r.code, 0, r.stderr);
    const after = JSON.parse((await k.run(['get', 'pod', 'hi', '-o', 'json'])).stdout);
    assert.deepEqual([after.spec.priority, after.spec.preemptionPolicy, after.spec.containers[0].image], [1000, 'PreemptLowerPriority', 'busybox:1.36']);
    const d = await k.run(['describe', 'pc', 'high']);
    assert.equal(d.code, 0, d.stderr);
    assert.match(d.stdout, /^Value:\s+1000$/m);
    const e = await k.run(['explain', 'pc.preemptionPolicy']);
    assert.equal(e.code, 0, e.stderr);
    assert.match(e.stdout, /GROUP:\s+scheduling\.k8s\.io/);
  });

  test('the global default applies to pods without a class; a second default is Forbidden', async () => {
    const c = await k.run(['create', 'priorityclass', 'dflt', '--value=50', '--global-default', '--preemption-policy=Never']);
    assert.equal(c.code, 0, c.stderr);
    const second = await k.run(['create', 'priorityclass', 'dflt2', '--value=60', '--global-default']);
    assert.equal(second.code, 1);
    assert.match(second.stderr, /priorityclasses\.scheduling\.k8s\.io "dflt2" is forbidden: PriorityClass dflt is already marked as default\. Only one default can exist/);
    const p = await k.run(['apply', '-f', '-'], podYaml('plain', ''));
    assert.equal(p.code, 0, p.stderr);
    const pod = JSON.parse((await k.run(['get', 'pod', 'plain', '-o', 'json'])).stdout);
    assert.deepEqual([pod.spec.priority, pod.spec.priorityClassName, pod.spec.preemptionPolicy], [50, 'dflt', 'Never']);
    assert.equal((await k.run(['delete', 'pc', 'dflt'])).code, 0);
  });

  test('Kubernetes refusals: unknown class, a pod priority that differs, reserved names and values', async () => {
    const nope = await k.run(['apply', '-f', '-'], podYaml('pod-x', '  priorityClassName: nope\n'));
    assert.equal(nope.code, 1);
    assert.match(nope.stderr, /pods "pod-x" is forbidden: no PriorityClass with name nope was found/);
    const differs = await k.run(['apply', '-f', '-'], podYaml('pod-y', '  priorityClassName: high\n  priority: 3\n'));
    assert.equal(differs.code, 1);
    assert.match(differs.stderr, /pods "pod-y" is forbidden: the integer value of priority \(3\) must not be provided in pod spec; priority admission controller computed 1000/);
    const big = await k.run(['create', 'priorityclass', 'big', '--value=1000000001']);
    assert.equal(big.code, 1);
    assert.match(big.stderr, /PriorityClass\.scheduling\.k8s\.io "big" is invalid: value: Forbidden: maximum allowed value of a user defined priority is 1000000000/);
    const reserved = await k.run(['create', 'priorityclass', 'system-mine', '--value=1']);
    assert.equal(reserved.code, 1);
    assert.match(reserved.stderr, /metadata\.name: Forbidden: priority class names with 'system-' prefix are reserved for system use only/);
  });
});
