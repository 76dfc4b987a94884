// The client against the real apiserver (real etcd, in-process): REST errors, watch,
// reflector/informer through server-closed watches and 410s, selectors, paging, leader
// election and event aggregation.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { ConfigMap, Pod, Event } from 'kubernetes-types/core/v1';
import { startTestApiserver, type TestApiserver } from '../test/harness/apiserver.js';
import { waitFor } from '../test/harness/ports.js';
import { StatusError } from '../api/status.js';
import { RestClient, type ResourceClient } from './rest.js';
import { isNotFound, isAlreadyExists, isConflict, isInvalid } from './errors.js';
import { listWatchFor, type ListerWatcher } from './reflector.js';
import { SharedInformer, isTombstone, deletedObject, type DeletedFinalStateUnknown } from './informer.js';
import { SharedInformerFactory } from './informer-factory.js';
import { NODE_NAME_INDEX } from './store.js';
import { LeaderElector } from './leader-election.js';
import { EventRecorder } from './events.js';
import type { Logger } from './log.js';

const silent: Logger = { debug() {}, info() {}, warn() {}, error() {} };
const fastBackoff = { initialMs: 20, maxMs: 200 };

let api: TestApiserver;
let client: RestClient;
let nsCounter = 0;

before(async () => {
  // A small watch cache makes "resourceVersion too old" (410) easy to provoke.
  api = await startTestApiserver({ watchCacheSize: 30 });
  client = new RestClient({ ...api.config });
});
after(async () => {
  await client?.close();
  await api?.stop();
});

async function freshNamespace(): Promise<string> {
  const name = `it-${++nsCounter}`;
  await client.resource('namespaces').create({ metadata: { name } });
  return name;
}

function cm(name: string, data: Record<string, string> = {}): ConfigMap {
  return { metadata: { name }, data };
}

/** Counts list/watch calls and can hold watches back until released. */
function instrumented<T>(lw: ListerWatcher<T>) {
  const calls = { lists: 0, pages: 0, watches: 0, watchRVs: [] as string[] };
  let gate: Promise<void> = Promise.resolve();
  let release: () => void = () => {};
  return {
    calls,
    holdWatches() {
      gate = new Promise((r) => (release = r));
    },
    releaseWatches() {
      release();
    },
    lw: {
      list: async (o) => {
        if (!o.continue) calls.lists++;
        calls.pages++;
        return lw.list(o);
      },
      watch: async (o) => {
        await gate;
        calls.watches++;
        calls.watchRVs.push(o.resourceVersion ?? '');
        return lw.watch(o);
      },
    } satisfies ListerWatcher<T>,
  };
}

interface Recorded<T> {
  adds: T[];
  updates: [T, T][];
  deletes: (T | DeletedFinalStateUnknown<T>)[];
}

function record<T>(inf: SharedInformer<T & { metadata?: object }>): Recorded<T> {
  const r: Recorded<T> = { adds: [], updates: [], deletes: [] };
  inf.addEventHandler({
    onAdd: (o) => void r.adds.push(o),
    onUpdate: (a, b) => void r.updates.push([a, b]),
    onDelete: (o) => void r.deletes.push(o),
  });
  return r;
}

const nameOf = (o: { metadata?: { name?: string } }): string | undefined => o.metadata?.name;

describe('REST client', () => {
  test('CRUD round trip, with typed results', async () => {
    const ns = await freshNamespace();
    const cms = client.resource('configmaps', ns);
    const created = await cms.create(cm('a', { k: 'v' }));
    assert.equal(created.kind, 'ConfigMap');
    assert.ok(created.metadata?.uid);
    const got = await cms.get('a');
    assert.deepEqual(got.data, { k: 'v' });
    const updated = await cms.update({ ...got, data: { k: 'v2' } });
    assert.equal(updated.data?.k, 'v2');
    const merged = await cms.patch('a', 'merge', { data: { extra: '1' } });
    assert.deepEqual(merged.data, { k: 'v2', extra: '1' });
    const jsonPatched = await cms.patch('a', 'json', [{ op: 'remove', path: '/data/extra' }]);
    assert.deepEqual(jsonPatched.data, { k: 'v2' });
    const list = await cms.list();
    assert.deepEqual(list.items.map(nameOf), ['a']);
    assert.equal(list.items[0]?.kind, 'ConfigMap', 'list items get kind filled in');
    await cms.delete('a');
    await assert.rejects(cms.get('a'), isNotFound);
  });

  test('error replies become StatusErrors with the server reason', async () => {
    const ns = await freshNamespace();
    const cms = client.resource('configmaps', ns);
    const missing = await cms.get('nope').catch((e: unknown) => e);
    assert.ok(missing instanceof StatusError);
    assert.equal(missing.code, 404);
    assert.equal(missing.reason, 'NotFound');
    assert.match(missing.message, /configmaps "nope" not found/);

    const first = await cms.create(cm('dup'));
    await assert.rejects(cms.create(cm('dup')), (e) => isAlreadyExists(e) && (e as StatusError).code === 409);

    await cms.update({ ...first, data: { a: '1' } });
    await assert.rejects(cms.update({ ...first, data: { a: '2' } }), (e) => isConflict(e) && (e as StatusError).code === 409);

    await assert.rejects(cms.create(cm('Not_A_Valid_Name')), (e) => isInvalid(e) && (e as StatusError).code === 422);
  });

  test('a raw watch delivers ADDED, MODIFIED, DELETED and can be closed', async () => {
    const ns = await freshNamespace();
    const cms = client.resource('configmaps', ns);
    const rv = (await cms.list()).metadata.resourceVersion;
    const w = await cms.watch({ resourceVersion: rv });
    const seen: string[] = [];
    const reading = (async () => {
      for await (const ev of w) {
        seen.push(`${ev.type} ${ev.type === 'ERROR' ? '' : nameOf(ev.object)}`);
        if (seen.length === 3) w.close();
      }
    })();
    const c = await cms.create(cm('w'));
    await cms.update({ ...c, data: { x: 'y' } });
    await cms.delete('w');
    await reading;
    assert.deepEqual(seen, ['ADDED w', 'MODIFIED w', 'DELETED w']);
  });

  test('a watch from a resourceVersion the server no longer keeps is a 410', async () => {
    const ns = await freshNamespace();
    const cms = client.resource('configmaps', ns);
    const old = (await cms.create(cm('old'))).metadata?.resourceVersion;
    for (let i = 0; i < 40; i++) await cms.patch('old', 'merge', { data: { i: String(i) } });
    const outcome = await cms.watch({ resourceVersion: old }).then(
      async (w) => {
        for await (const ev of w) {
          w.close();
          return ev.type === 'ERROR' ? ev.object.code : `event ${ev.type}`;
        }
        return 'closed';
      },
      (e: unknown) => (e instanceof StatusError ? e.code : String(e)),
    );
    assert.equal(outcome, 410);
  });
});

describe('informer', () => {
  test('ADDED/MODIFIED/DELETED reach handlers; the store follows; hasSynced', async () => {
    const ns = await freshNamespace();
    const cms = client.resource('configmaps', ns);
    await cms.create(cm('before'));
    const inf = new SharedInformer<ConfigMap>(listWatchFor(cms), { logger: silent, name: 'cm' });
    const r = record(inf);
    assert.equal(inf.hasSynced(), false);
    inf.run();
    await inf.waitForSync();
    assert.deepEqual(r.adds.map(nameOf), ['before']);
    const c = await cms.create(cm('after'));
    await cms.update({ ...c, data: { v: '2' } });
    await cms.delete('before');
    await waitFor('delete of before', () => r.deletes.length === 1);
    assert.deepEqual(r.adds.map(nameOf), ['before', 'after']);
    assert.equal(r.updates.length, 1);
    assert.equal(r.updates[0]?.[1].data?.v, '2');
    assert.equal(r.updates[0]?.[0].data?.v, undefined, 'old object is the previous state');
    assert.equal(nameOf(deletedObject(r.deletes[0]!)), 'before');
    assert.deepEqual(inf.lister.listKeys(), [`${ns}/after`]);
    assert.ok(Object.isFrozen(inf.lister.get(`${ns}/after`)?.data));
    await inf.stop();
  });

  test('survives watches the server closes (timeoutSeconds), resuming from the last resourceVersion', async () => {
    const ns = await freshNamespace();
    const cms = client.resource('configmaps', ns);
    const x = instrumented(listWatchFor(cms));
    const inf = new SharedInformer<ConfigMap>(x.lw, { logger: silent, reflector: { minWatchTimeoutSeconds: 1, backoff: fastBackoff } });
    const r = record(inf);
    inf.run();
    await inf.waitForSync();
    await cms.create(cm('one'));
    await waitFor('two server-closed watches', () => x.calls.watches >= 3, 15_000);
    await cms.create(cm('two'));
    await waitFor('event after re-watch', () => r.adds.length === 2);
    assert.equal(x.calls.lists, 1, 'no relist needed');
    assert.ok(x.calls.watchRVs.every((rv) => rv !== '' && rv !== '0'), 'watches resume from a known resourceVersion');
    await inf.stop();
  });

  test('relists after 410 and delivers a tombstone for what vanished meanwhile', async () => {
    const ns = await freshNamespace();
    const cms = client.resource('configmaps', ns);
    await cms.create(cm('doomed'));
    await cms.create(cm('kept'));
    const x = instrumented(listWatchFor(cms));
    x.holdWatches();
    const inf = new SharedInformer<ConfigMap>(x.lw, { logger: silent, reflector: { backoff: fastBackoff } });
    const r = record(inf);
    inf.run();
    await inf.waitForSync();
    // While the reflector cannot watch, enough happens that its resourceVersion leaves the cache window.
    await cms.delete('doomed');
    for (let i = 0; i < 40; i++) await cms.patch('kept', 'merge', { data: { i: String(i) } });
    await cms.create(cm('new'));
    x.releaseWatches();
    await waitFor('relist', () => x.calls.lists >= 2, 15_000);
    await waitFor('new object', () => inf.lister.get(`${ns}/new`) !== undefined);
    assert.equal(inf.lister.get(`${ns}/kept`)?.data?.i, '39');
    assert.equal(inf.lister.get(`${ns}/doomed`), undefined);
    const tomb = r.deletes.find(isTombstone);
    assert.ok(tomb, 'tombstone delivered');
    assert.equal(tomb.key, `${ns}/doomed`);
    assert.equal(nameOf(tomb.obj), 'doomed');
    await inf.stop();
  });

  test('lists in pages', async () => {
    const ns = await freshNamespace();
    const cms = client.resource('configmaps', ns);
    for (let i = 0; i < 5; i++) await cms.create(cm(`p${i}`));
    const x = instrumented(listWatchFor(cms));
    // pageSize forces paging even at resourceVersion 0 (the apiserver may serve that unpaged).
    const inf = new SharedInformer<ConfigMap>(x.lw, { logger: silent, reflector: { pageSize: 2 } });
    inf.run();
    try {
      await inf.waitForSync();
      // A list at resourceVersion 0 may come from a watch cache a write behind (as in
      // Kubernetes); the watch from the list's resourceVersion brings the rest, no relist.
      await waitFor('all five configmaps', () => inf.lister.size() === 5);
      assert.equal(x.calls.lists, 1);
    } finally {
      await inf.stop();
    }
  });

  test('field-selector informer (the kubelet) sees only its node; factory shares informers', async () => {
    const ns = await freshNamespace();
    const pods: ResourceClient<Pod> = client.resource('pods', ns);
    const pod = (name: string, nodeName: string): Pod => ({
      metadata: { name },
      spec: { nodeName, containers: [{ name: 'c', image: 'busybox' }] },
    });
    await pods.create(pod('on-n1', 'n1'));
    await pods.create(pod('on-n2', 'n2'));
    const factory = new SharedInformerFactory(client, { namespace: ns, logger: silent });
    const mine = factory.informerFor('pods', { fieldSelector: 'spec.nodeName=n1' });
    const all = factory.informerFor('pods');
    assert.equal(factory.informerFor('pods', { fieldSelector: 'spec.nodeName=n1' }), mine, 'same request, same informer');
    assert.notEqual(all, mine);
    factory.start();
    await factory.waitForCacheSync();
    assert.deepEqual(mine.lister.list().map(nameOf), ['on-n1']);
    assert.equal(all.lister.size(), 2);
    assert.deepEqual(all.lister.byIndex(NODE_NAME_INDEX, 'n2').map(nameOf), ['on-n2']);
    await pods.create(pod('later-n1', 'n1'));
    await pods.create(pod('later-n2', 'n2'));
    await waitFor('later pods', () => all.lister.size() === 4);
    await waitFor('later-n1 on n1', () => mine.lister.size() === 2);
    assert.deepEqual(mine.lister.list().map(nameOf).sort(), ['later-n1', 'on-n1']);
    await factory.shutdown();
  });
});

describe('leader election', () => {
  test('one of two candidates leads; the other takes over after release', async () => {
    const ns = await freshNamespace();
    const timing = { leaseDurationMs: 3000, renewDeadlineMs: 2000, retryPeriodMs: 200 };
    const log: string[] = [];
    const elector = (id: string) =>
      new LeaderElector({
        client,
        namespace: ns,
        name: 'the-lock',
        identity: id,
        ...timing,
        logger: silent,
        callbacks: {
          onStartedLeading: () => void log.push(`${id} started`),
          onStoppedLeading: () => void log.push(`${id} stopped`),
        },
      });
    const a = elector('a');
    const b = elector('b');
    const runA = a.run();
    await waitFor('a leads', () => a.isLeader());
    const runB = b.run();
    await waitFor('b observes a', () => b.getLeader() === 'a');
    assert.equal(b.isLeader(), false);
    await a.stop();
    await runA;
    assert.equal(a.isLeader(), false);
    await waitFor('b takes over', () => b.isLeader(), 10_000);
    const lease = await client.resource('leases.coordination.k8s.io', ns).get('the-lock');
    assert.equal(lease.spec?.holderIdentity, 'b');
    assert.equal(lease.spec?.leaseTransitions, 1, 'one change of holder: a to b (release does not count)');
    assert.match(lease.spec?.renewTime ?? '', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
    await b.stop();
    await runB;
    assert.deepEqual(log, ['a started', 'a stopped', 'b started', 'b stopped']);
  });
});

describe('event recorder', () => {
  test('repeats within the window patch count; new messages create new Events', async () => {
    const ns = await freshNamespace();
    const cms = client.resource('configmaps', ns);
    const obj = await cms.create(cm('subject'));
    const recorder = new EventRecorder(client, { component: 'test-controller', host: 'node-1', logger: silent });
    recorder.event(obj, 'Normal', 'Synced', 'all good');
    recorder.event(obj, 'Normal', 'Synced', 'all good');
    recorder.event(obj, 'Normal', 'Synced', 'all good');
    recorder.event(obj, 'Warning', 'Failed', 'something broke');
    await recorder.flush();
    const events = (await client.resource('events', ns).list()).items;
    assert.equal(events.length, 2);
    const synced = events.find((e) => e.reason === 'Synced') as Event;
    assert.equal(synced.count, 3);
    assert.equal(synced.type, 'Normal');
    assert.deepEqual(synced.source, { component: 'test-controller', host: 'node-1' });
    assert.equal(synced.involvedObject.kind, 'ConfigMap');
    assert.equal(synced.involvedObject.uid, obj.metadata?.uid);
    assert.equal(synced.involvedObject.namespace, ns);
    assert.match(synced.metadata?.name ?? '', /^subject\.[0-9a-f]+$/);
    assert.ok(synced.firstTimestamp && synced.lastTimestamp);
    const failed = events.find((e) => e.reason === 'Failed') as Event;
    assert.equal(failed.type, 'Warning');
    assert.equal(failed.count, 1);
  });

  test('never throws into the caller, even for objects it cannot reference', async () => {
    const recorder = new EventRecorder(new RestClient({ server: 'http://127.0.0.1:1' }), { component: 'x', logger: silent });
    recorder.event({ metadata: { name: 'no-kind' } }, 'Normal', 'R', 'm');
    recorder.event({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'd' } }, 'Normal', 'R', 'm');
    await recorder.flush();
  });
});
