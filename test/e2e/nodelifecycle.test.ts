// Node lifecycle (health, taints, taint eviction) and node IPAM against a real apiserver +
// etcd. "Kubelets" are simulated: a loop renews each node's Lease until the node is "stopped";
// node status is written by hand. Grace periods are shortened through the controller options.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { pino } from 'pino';
import type { Node, Pod } from 'kubernetes-types/core/v1';
import { RestClient, isNotFound } from '../../client/index.js';
import { startTestApiserver, type TestApiserver } from '../harness/apiserver.js';
import { waitFor } from '../harness/ports.js';
import { startControllerManager, type ControllerManagerHandle } from '../../controller-manager/manager.js';
import { TAINT_NODE_UNREACHABLE as TAINT_UNREACHABLE } from '../../api/scheduling/taints.js';
import { metaTime } from '../../api/time.js';

const microNow = (): string => new Date().toISOString().replace('Z', '000Z');
const now = (): string => metaTime();

describe('node lifecycle and node IPAM controllers', () => {
  let api: TestApiserver;
  let client: RestClient;
  let cm: ControllerManagerHandle;
  const alive = new Set<string>();
  let renewer: NodeJS.Timeout | undefined;
  const options = {
    'node-monitor-grace-period': '2s',
    'node-startup-grace-period': '2s',
    'node-monitor-period': '200ms',
    'default-not-ready-toleration-seconds': 1,
    'default-unreachable-toleration-seconds': 1,
    // Two /24 blocks only, so exhaustion and release are observable.
    'cluster-cidr': '10.244.0.0/23',
    'node-cidr-mask-size': 24,
  };
  const start = () =>
    startControllerManager({
      config: api.config,
      controllers: ['node-lifecycle', 'node-ipam'],
      options,
      logger: pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }),
    });

  before(async () => {
    api = await startTestApiserver();
    client = new RestClient({ ...api.config, qps: 0 });
    cm = await start();
    // The "kubelets": renew the Lease of every live node.
    renewer = setInterval(() => {
      for (const n of alive) {
        void client
          .resource('leases.coordination.k8s.io', 'kube-node-lease')
          .patch(n, 'merge', { spec: { renewTime: microNow() } })
          .catch(() => undefined);
      }
    }, 200);
  });

  after(async () => {
    clearInterval(renewer);
    await cm?.stop();
    await client?.close();
    await api?.stop();
  });

  const nodes = () => client.resource('nodes');
  const pods = () => client.resource('pods', 'default');

  async function registerNode(name: string): Promise<void> {
    await nodes().create({
      metadata: { name },
      status: {
        conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', lastHeartbeatTime: now(), lastTransitionTime: now() }],
        addresses: [{ type: 'InternalIP', address: '192.0.2.1' }],
      },
    });
    await client.resource('leases.coordination.k8s.io', 'kube-node-lease').create({
      metadata: { name },
      spec: { holderIdentity: name, leaseDurationSeconds: 40, renewTime: microNow() },
    });
    alive.add(name);
  }

  const ready = async (name: string) => ((await nodes().get(name)) as Node).status?.conditions?.find((c) => c.type === 'Ready');
  const taintKeys = async (name: string) => (((await nodes().get(name)) as Node).spec?.taints ?? []).map((t) => `${t.key}:${t.effect}`).sort();

  test('nodes get distinct pod CIDRs from the cluster CIDR', async () => {
    await registerNode('n1');
    await registerNode('n2');
    const cidr = async (n: string) => ((await nodes().get(n)) as Node).spec?.podCIDR;
    const c1 = await waitFor('n1 podCIDR', () => cidr('n1'));
    const c2 = await waitFor('n2 podCIDR', () => cidr('n2'));
    assert.notEqual(c1, c2);
    assert.deepEqual([c1, c2].sort(), ['10.244.0.0/24', '10.244.1.0/24']);
    assert.deepEqual(((await nodes().get('n1')) as Node).spec?.podCIDRs, [c1]);
  });

  test('a node whose lease stops goes Unknown and tainted; untolerating pods are evicted; it comes back clean', async () => {
    const bind = (name: string, node: string, tolerations: NonNullable<Pod['spec']>['tolerations'] = []) =>
      pods().create({ metadata: { name }, spec: { nodeName: node, tolerations, containers: [{ name: 'c', image: 'busybox:1.35' }] } });
    await bind('evictee', 'n1');
    await bind('stayer', 'n1', [{ key: TAINT_UNREACHABLE, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 3600 }]);
    await bind('elsewhere', 'n2');
    await pods().patch('evictee', 'merge', { status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] } }, { subresource: 'status' });

    alive.delete('n1'); // the kubelet of n1 dies
    const cond = await waitFor('n1 Unknown', async () => {
      const c = await ready('n1');
      return c?.status === 'Unknown' ? c : undefined;
    });
    assert.equal(cond.reason, 'NodeStatusUnknown');
    assert.equal(cond.message, 'Kubelet stopped posting node status.');
    await waitFor('n1 tainted unreachable', async () => (await taintKeys('n1')).join() === `${TAINT_UNREACHABLE}:NoExecute,${TAINT_UNREACHABLE}:NoSchedule`);
    const noExecute = ((await nodes().get('n1')) as Node).spec?.taints?.find((t) => t.effect === 'NoExecute');
    assert.ok(noExecute?.timeAdded, 'NoExecute taints carry timeAdded');

    // The pod without its own toleration is evicted after the (1 s) default toleration; being
    // bound to a dead node it stays Terminating, as in Kubernetes.
    const evicted = await waitFor('evictee deleted', async () => {
      const p = await pods().get('evictee');
      return p.metadata?.deletionTimestamp ? p : undefined;
    });
    assert.equal(evicted.status?.conditions?.find((c) => c.type === 'DisruptionTarget')?.reason, 'DeletionByTaintManager');
    assert.equal(evicted.status?.conditions?.find((c) => c.type === 'Ready')?.status, 'False', 'pods of an unreachable node are marked not ready');
    await waitFor('eviction event', async () => (await client.resource('events', 'default').list({ fieldSelector: 'involvedObject.name=evictee,reason=TaintManagerEviction' })).items.length > 0);
    assert.equal((await pods().get('stayer')).metadata?.deletionTimestamp, undefined, 'a 3600 s toleration keeps it');
    assert.equal((await pods().get('elsewhere')).metadata?.deletionTimestamp, undefined);
    assert.equal((await ready('n2'))?.status, 'True', 'the live node is untouched');
    assert.deepEqual(await taintKeys('n2'), []);

    // The kubelet returns: renews its lease and posts Ready.
    alive.add('n1');
    await nodes().patch('n1', 'strategic', { status: { conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', message: '', lastHeartbeatTime: now(), lastTransitionTime: now() }] } }, { subresource: 'status' });
    await waitFor('n1 taints removed', async () => (await taintKeys('n1')).length === 0);
    assert.equal((await ready('n1'))?.status, 'True');
    await pods().delete('evictee', { gracePeriodSeconds: 0 });
  });

  test('a NotReady node gets the not-ready taints', async () => {
    await nodes().patch('n2', 'strategic', { status: { conditions: [{ type: 'Ready', status: 'False', reason: 'KubeletNotReady', lastHeartbeatTime: now(), lastTransitionTime: now() }] } }, { subresource: 'status' });
    await waitFor('n2 not-ready taints', async () => (await taintKeys('n2')).join() === 'node.kubernetes.io/not-ready:NoExecute,node.kubernetes.io/not-ready:NoSchedule');
    await waitFor('elsewhere evicted', async () => ((await pods().get('elsewhere')).metadata?.deletionTimestamp ? true : undefined));
    await pods().delete('elsewhere', { gracePeriodSeconds: 0 });
    await nodes().patch('n2', 'strategic', { status: { conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', lastHeartbeatTime: now(), lastTransitionTime: now() }] } }, { subresource: 'status' });
    await waitFor('n2 clean', async () => (await taintKeys('n2')).length === 0);
  });

  test('pod CIDRs: exhausted range waits, a deleted node releases its block, a restarted allocator does not double-allocate', async () => {
    const n1cidr = ((await nodes().get('n1')) as Node).spec?.podCIDR;
    // Restart the controllers: the allocator is rebuilt from the nodes.
    await cm.stop();
    cm = await start();
    await registerNode('n3');
    const noCidrEvent = async () =>
      (await client.resource('events', 'default').list({ fieldSelector: 'involvedObject.name=n3,reason=CIDRNotAvailable' })).items.length > 0;
    await waitFor('n3 reported CIDRNotAvailable', noCidrEvent);
    assert.equal(((await nodes().get('n3')) as Node).spec?.podCIDR, undefined);

    alive.delete('n1');
    await nodes().delete('n1');
    await waitFor('n1 deleted', async () => nodes().get('n1').then(() => false, (e: unknown) => isNotFound(e)));
    const c3 = await waitFor('n3 podCIDR', async () => ((await nodes().get('n3')) as Node).spec?.podCIDR);
    assert.equal(c3, n1cidr, 'n1\'s block was released and reused');
  });

  test('when every node is down, nothing is evicted and NoExecute taints are lifted (full disruption)', async () => {
    await pods().create({ metadata: { name: 'survivor' }, spec: { nodeName: 'n2', containers: [{ name: 'c', image: 'busybox:1.35' }] } });
    alive.delete('n3');
    await waitFor('n3 unreachable:NoExecute', async () => (await taintKeys('n3')).includes(`${TAINT_UNREACHABLE}:NoExecute`));
    alive.delete('n2');
    await waitFor('n2 Unknown', async () => (await ready('n2'))?.status === 'Unknown');
    await waitFor('n3 NoExecute lifted', async () => (await taintKeys('n3')).join() === `${TAINT_UNREACHABLE}:NoSchedule`);
    await waitFor('n2 only NoSchedule', async () => (await taintKeys('n2')).join() === `${TAINT_UNREACHABLE}:NoSchedule`);
    assert.equal((await pods().get('survivor')).metadata?.deletionTimestamp, undefined);
    // One node returns: the other zone-mate is evicting again.
    alive.add('n2');
    await nodes().patch('n2', 'strategic', { status: { conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', lastHeartbeatTime: now(), lastTransitionTime: now() }] } }, { subresource: 'status' });
    await waitFor('n3 NoExecute again', async () => (await taintKeys('n3')).includes(`${TAINT_UNREACHABLE}:NoExecute`));
  });
});
