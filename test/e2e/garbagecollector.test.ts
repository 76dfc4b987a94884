// Garbage collector, namespace and serviceaccount controllers against a real apiserver + etcd.
// Owners and dependents are made by hand with ownerReferences (no ReplicaSet controller runs).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { pino } from 'pino';
import type { Namespace, Pod } from 'kubernetes-types/core/v1';
import type { ReplicaSet } from 'kubernetes-types/apps/v1';
import type { OwnerReference } from 'kubernetes-types/meta/v1';
import { RestClient, isNotFound } from '../../client/index.js';
import { startTestApiserver, type TestApiserver } from '../harness/apiserver.js';
import { waitFor } from '../harness/ports.js';
import { startControllerManager, type ControllerManagerHandle } from '../../controller-manager/manager.js';

const NS = 'default';

describe('garbage collector, namespace and serviceaccount controllers', () => {
  let api: TestApiserver;
  let client: RestClient;
  let cm: ControllerManagerHandle;

  before(async () => {
    api = await startTestApiserver();
    client = new RestClient({ ...api.config, qps: 0 });
    cm = await startControllerManager({
      config: api.config,
      controllers: ['garbage-collector', 'namespace', 'serviceaccount'],
      logger: pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }),
    });
  });

  after(async () => {
    await cm?.stop();
    await client?.close();
    await api?.stop();
  });

  const rsClient = (ns = NS) => client.resource('replicasets.apps', ns);
  const podClient = (ns = NS) => client.resource('pods', ns);

  async function owner(name: string, ns = NS): Promise<ReplicaSet> {
    return rsClient(ns).create({
      metadata: { name },
      spec: { replicas: 0, selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'c', image: 'busybox:1.35' }] } } },
    });
  }
  const refTo = (rs: ReplicaSet, block = true): OwnerReference => ({
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    name: rs.metadata?.name ?? '',
    uid: rs.metadata?.uid ?? '',
    controller: true,
    ...(block ? { blockOwnerDeletion: true } : {}),
  });
  async function dependent(name: string, owners: OwnerReference[], opts: { nodeName?: string; ns?: string } = {}): Promise<Pod> {
    return podClient(opts.ns).create({
      metadata: { name, ownerReferences: owners },
      spec: { ...(opts.nodeName ? { nodeName: opts.nodeName } : {}), containers: [{ name: 'c', image: 'busybox:1.35' }] },
    });
  }
  const gone = async (get: () => Promise<unknown>): Promise<boolean> => {
    try {
      await get();
      return false;
    } catch (e) {
      if (isNotFound(e)) return true;
      throw e;
    }
  };

  test('background: deleting the owner deletes its dependents', async () => {
    const rs = await owner('bg');
    await dependent('bg-1', [refTo(rs)]);
    await dependent('bg-2', [refTo(rs)]);
    await rsClient().delete('bg', { propagationPolicy: 'Background' });
    await waitFor('bg pods deleted', async () => (await gone(() => podClient().get('bg-1'))) && (await gone(() => podClient().get('bg-2'))));
  });

  test('foreground: the owner stays (foregroundDeletion) until blocking dependents are gone', async () => {
    const rs = await owner('fg');
    await dependent('fg-1', [refTo(rs)]);
    // Bound to a node with no kubelet: its graceful deletion waits, so the owner must wait too.
    await dependent('fg-2', [refTo(rs)], { nodeName: 'nowhere' });
    await rsClient().delete('fg', { propagationPolicy: 'Foreground' });
    await waitFor('fg-1 deleted', () => gone(() => podClient().get('fg-1')));
    const stuck = await waitFor('fg-2 terminating', async () => ((await podClient().get('fg-2')).metadata?.deletionTimestamp ? true : undefined));
    assert.ok(stuck);
    const held = await rsClient().get('fg');
    assert.ok(held.metadata?.deletionTimestamp);
    assert.deepEqual(held.metadata?.finalizers, ['foregroundDeletion']);
    // The "kubelet" finishes the pod: now the owner goes.
    await podClient().delete('fg-2', { gracePeriodSeconds: 0 });
    await waitFor('fg owner deleted', () => gone(() => rsClient().get('fg')));
  });

  test('foreground through a chain: Deployment → ReplicaSet → Pod is deleted bottom-up', async () => {
    const deploy = await client.resource('deployments.apps', NS).create({
      metadata: { name: 'chain' },
      spec: { replicas: 0, selector: { matchLabels: { app: 'chain' } }, template: { metadata: { labels: { app: 'chain' } }, spec: { containers: [{ name: 'c', image: 'busybox:1.35' }] } } },
    });
    const rs = await rsClient().create({
      metadata: {
        name: 'chain-rs',
        ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'chain', uid: deploy.metadata?.uid ?? '', controller: true, blockOwnerDeletion: true }],
      },
      spec: { replicas: 0, selector: { matchLabels: { app: 'chain' } }, template: { metadata: { labels: { app: 'chain' } }, spec: { containers: [{ name: 'c', image: 'busybox:1.35' }] } } },
    });
    await dependent('chain-pod', [refTo(rs)], { nodeName: 'nowhere' });
    await client.resource('deployments.apps', NS).delete('chain', { propagationPolicy: 'Foreground' });
    // The ReplicaSet is deleted in the foreground too, and waits for its pod.
    const held = await waitFor('rs deleting in the foreground', async () => {
      const r = await rsClient().get('chain-rs');
      return r.metadata?.deletionTimestamp ? r : undefined;
    });
    assert.deepEqual(held.metadata?.finalizers, ['foregroundDeletion']);
    await waitFor('pod terminating', async () => ((await podClient().get('chain-pod')).metadata?.deletionTimestamp ? true : undefined));
    assert.ok((await client.resource('deployments.apps', NS).get('chain')).metadata?.deletionTimestamp);
    await podClient().delete('chain-pod', { gracePeriodSeconds: 0 });
    await waitFor('rs gone', () => gone(() => rsClient().get('chain-rs')));
    await waitFor('deployment gone', () => gone(() => client.resource('deployments.apps', NS).get('chain')));
  });

  test('orphan: dependents lose the ownerReference and stay', async () => {
    const rs = await owner('or');
    await dependent('or-1', [refTo(rs)]);
    await rsClient().delete('or', { propagationPolicy: 'Orphan' });
    await waitFor('or owner deleted', () => gone(() => rsClient().get('or')));
    const pod = await podClient().get('or-1');
    assert.equal(pod.metadata?.deletionTimestamp, undefined);
    assert.deepEqual(pod.metadata?.ownerReferences ?? [], []);
  });

  test('owners are matched by uid: a same-named owner with another uid does not keep a dependent', async () => {
    const rs = await owner('same');
    await dependent('same-real', [refTo(rs)]);
    await dependent('same-stale', [{ ...refTo(rs), uid: '00000000-0000-0000-0000-000000000000' }]);
    await waitFor('stale dependent collected', () => gone(() => podClient().get('same-stale')));
    assert.equal((await podClient().get('same-real')).metadata?.deletionTimestamp, undefined);
  });

  test('a dependent with a living second owner keeps living, without the reference to the gone one', async () => {
    const a = await owner('two-a');
    const b = await owner('two-b');
    await dependent('two-1', [refTo(a), { ...refTo(b), controller: false }]);
    await rsClient().delete('two-a');
    const pod = await waitFor('reference removed', async () => {
      const p = await podClient().get('two-1');
      return p.metadata?.ownerReferences?.length === 1 ? p : undefined;
    });
    assert.equal(pod.metadata?.ownerReferences?.[0].uid, b.metadata?.uid);
    assert.equal(pod.metadata?.deletionTimestamp, undefined);
  });

  test('a new namespace gets a default ServiceAccount, recreated when deleted', async () => {
    await client.resource('namespaces').create({ metadata: { name: 'fresh' } });
    const sas = client.resource('serviceaccounts', 'fresh');
    const first = await waitFor('default SA', () => sas.get('default').catch(() => undefined));
    await sas.delete('default');
    const second = await waitFor('default SA recreated', async () => {
      const sa = await sas.get('default').catch(() => undefined);
      return sa && sa.metadata?.uid !== first.metadata?.uid ? sa : undefined;
    });
    assert.ok(second);
  });

  test('deleting a namespace deletes everything in it (cascading through owners), then the namespace', async () => {
    const ns = 'doomed';
    await client.resource('namespaces').create({ metadata: { name: ns } });
    await waitFor('default SA in doomed', () => client.resource('serviceaccounts', ns).get('default').catch(() => undefined));
    await client.resource('configmaps', ns).create({ metadata: { name: 'cfg' }, data: { a: 'b' } });
    await client.resource('services', ns).create({ metadata: { name: 'svc' }, spec: { selector: { app: 'x' }, ports: [{ port: 80 }] } });
    const rs = await owner('rs', ns);
    await dependent('rs-1', [refTo(rs)], { ns });
    await client.resource('namespaces').delete(ns);
    const terminating = (await client.resource('namespaces').get(ns)) as Namespace;
    assert.equal(terminating.status?.phase, 'Terminating');
    await waitFor('namespace gone', () => gone(() => client.resource('namespaces').get(ns)), 30_000);
    // Nothing of it is left behind (a recreated namespace of that name starts empty).
    for (const r of ['configmaps', 'services', 'pods', 'serviceaccounts'] as const) {
      assert.equal((await client.resource(r).list({ fieldSelector: `metadata.namespace=${ns}` })).items.length, 0, r);
    }
  });

  test('a namespace whose content has a finalizer waits for it, and says so in its conditions', async () => {
    const ns = 'held';
    await client.resource('namespaces').create({ metadata: { name: ns } });
    await client.resource('configmaps', ns).create({ metadata: { name: 'pinned', finalizers: ['example.com/hold'] } });
    await client.resource('namespaces').delete(ns);
    const cond = await waitFor('finalizers-remaining condition', async () => {
      const n = (await client.resource('namespaces').get(ns)) as Namespace;
      return n.status?.conditions?.find((c) => c.type === 'NamespaceFinalizersRemaining' && c.status === 'True');
    });
    assert.match(cond.message ?? '', /example\.com\/hold has 1 resource instances/);
    await client.resource('configmaps', ns).patch('pinned', 'merge', { metadata: { finalizers: null } });
    await waitFor('held namespace gone', () => gone(() => client.resource('namespaces').get(ns)), 30_000);
  });
});
