// The watch cache's window is bounded by age as well as by count (k8s keeps its events about
// 75 s to 150 s): events older than the retention go, but never below MIN_EVENTS, and a watch
// from a revision that fell out of the window gets TooOldError (410 Expired to HTTP clients).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { pino } from 'pino';
import { startEtcd, type EtcdHandle } from '../../test/harness/etcd.js';
import { waitFor } from '../../test/harness/ports.js';
import { MIN_EVENTS, TooOldError, WatchCache } from './watch-cache.js';
import { Storage } from './storage.js';

let etcd: EtcdHandle;
let storage: Storage;

before(async () => {
  etcd = await startEtcd();
  storage = Storage.connect([etcd.endpoint]);
});

after(async () => {
  await storage?.close();
  await etcd?.stop();
});

const PREFIX = '/registry/configmaps/';
const put = (name: string, n: number) =>
  storage.create(`${PREFIX}default/${name}`, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'default' }, data: { n: String(n) } });

test('events older than the retention leave the window; MIN_EVENTS stay; an old revision is too old', async () => {
  const cache = new WatchCache(storage, PREFIX, pino({ level: 'silent' }), 10_000, 300);
  const keeper = new WatchCache(storage, PREFIX, pino({ level: 'silent' }), 10_000, 3_600_000);
  try {
    await Promise.all([cache.ready, keeper.ready]);
    await check(cache, keeper);
  } finally {
    await cache.stop();
    await keeper.stop();
  }
});

async function check(cache: WatchCache, keeper: WatchCache): Promise<void> {
  const first = cache.rv;
  const batch = async (from: number, n: number) => {
    for (let i = from; i < from + n; i++) await put(`a-${i}`, i);
  };
  await batch(0, MIN_EVENTS + 20);
  await waitFor('the first batch in the cache', async () => cache.get(`default/a-${MIN_EVENTS + 19}`) !== undefined);
  // Within the retention (an hour here) nothing leaves the window.
  assert.equal(keeper.windowStart, first);
  // After the retention has passed, the next events push the first batch out, down to MIN_EVENTS.
  let ticks = 0;
  await waitFor('the retention to pass', async () => {
    // A new object each time: a create of an existing key writes nothing, so no event.
    await put(`tick-${ticks}`, ticks++);
    return cache.windowStart > first;
  });
  const seen: number[] = [];
  const stop = cache.watch(cache.windowStart, { onEvent: (ev) => seen.push(ev.entry.rev), onReset: () => undefined });
  stop();
  assert.ok(seen.length >= MIN_EVENTS, `kept ${seen.length} events, want at least ${MIN_EVENTS}`);
    assert.throws(() => cache.watch(first, { onEvent: () => undefined, onReset: () => undefined }), TooOldError);
  assert.equal(keeper.windowStart, first);
}

test('a first list that fails (an etcd deadline under load) is retried until the cache is ready', async () => {
  await put('before-start', 1);
  // The Storage as the cache sees it, whose first two ranges fail as a timed-out etcd call does.
  let failures = 2;
  const flaky = Object.create(storage) as Storage;
  flaky.range = ((...args: Parameters<Storage['range']>) => {
    if (failures-- > 0) return Promise.reject(new Error('etcd request timed out'));
    return storage.range(...args);
  }) as Storage['range'];
  const cache = new WatchCache(flaky, PREFIX, pino({ level: 'silent' }));
  try {
    await cache.ready;
    assert.equal(cache.isReady, true);
    assert.ok(cache.get('default/before-start'), 'the object written before the cache started is in it');
    assert.equal(failures, -1, 'the list was tried three times');
  } finally {
    await cache.stop();
  }
});

test('an etcd watch that is never created (a stuck watch stream) is given up after its deadline and made on a stream of its own', { timeout: 30_000 }, async () => {
  await put('before-stuck-watch', 1);
  // The client as the cache sees it: its shared watch stream never creates a watch (every
  // later create on that stream would wait behind it); namespace('') makes a new stream.
  let stuck = 0;
  const etcd = Object.create(storage.etcd) as Storage['etcd'];
  etcd.watch = (() => {
    const builder = storage.etcd.watch();
    builder.create = () => {
      stuck++;
      return new Promise(() => undefined);
    };
    return builder;
  }) as Storage['etcd']['watch'];
  const flaky = Object.create(storage) as Storage;
  Object.defineProperty(flaky, 'etcd', { value: etcd });
  const cache = new WatchCache(flaky, PREFIX, pino({ level: 'silent' }), undefined, undefined, 300);
  try {
    await cache.ready;
    assert.equal(cache.isReady, true);
    assert.equal(stuck, 1, 'the shared stream was tried once');
    assert.ok(cache.get('default/before-stuck-watch'));
    // It follows etcd on its own stream.
    await put('after-stuck-watch', 2);
    await waitFor('a write after the start seen by the cache', () => cache.get('default/after-stuck-watch') !== undefined, 10_000);
  } finally {
    await cache.stop();
  }
});

test('a list() while the first list is under way does not hide what that list brings', async () => {
  await put('listed-late-a', 1);
  await put('listed-late-b', 2);
  // The first range waits until the test has read the (still empty) cache once.
  let release!: () => void;
  const readDone = new Promise<void>((r) => (release = r));
  let first = true;
  const slow = Object.create(storage) as Storage;
  slow.range = (async (...args: Parameters<Storage['range']>) => {
    if (first) {
      first = false;
      await readDone;
    }
    return storage.range(...args);
  }) as Storage['range'];
  const cache = new WatchCache(slow, PREFIX, pino({ level: 'silent' }));
  try {
    assert.deepEqual(cache.list('default/listed-late'), [], 'nothing yet: the list has not returned');
    release();
    await cache.ready;
    assert.deepEqual(cache.list('default/listed-late').map((e) => e.key), ['default/listed-late-a', 'default/listed-late-b']);
  } finally {
    await cache.stop();
  }
});
