// Informer and reflector behaviour against a scripted ListerWatcher (no server needed):
// resync, late handlers, failing handlers, and the relist rules on an ERROR 410 event.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import type { ConfigMap } from 'kubernetes-types/core/v1';
import type { Status } from 'kubernetes-types/meta/v1';
import { waitFor } from '../test/harness/ports.js';
import { StatusError } from '../api/status.js';
import { SharedInformer } from './informer.js';
import type { ListerWatcher } from './reflector.js';
import type { ListOptions, WatchEventOf, WatchStream } from './rest.js';
import type { ListOf } from './typed.js';
import type { Logger } from './log.js';

const silent: Logger = { debug() {}, info() {}, warn() {}, error() {} };

function cm(name: string, rv: string, v = ''): ConfigMap {
  return { metadata: { namespace: 'ns', name, resourceVersion: rv }, data: { v } };
}

/** A ListerWatcher whose watches are fed by the test; records every list call. */
class ScriptedServer implements ListerWatcher<ConfigMap> {
  items: ConfigMap[] = [];
  rv = '10';
  lists: ListOptions[] = [];
  watches: string[] = [];
  failListAt = new Set<string>();
  private feed: ((ev: WatchEventOf<ConfigMap> | 'end') => void) | undefined;

  async list(opts: ListOptions): Promise<ListOf<ConfigMap>> {
    this.lists.push(opts);
    if (this.failListAt.has(opts.resourceVersion ?? '')) throw new StatusError(410, 'Expired', 'too old resource version');
    return { metadata: { resourceVersion: this.rv }, items: structuredClone(this.items) };
  }

  async watch(opts: { resourceVersion?: string }): Promise<WatchStream<ConfigMap>> {
    this.watches.push(opts.resourceVersion ?? '');
    const queue: (WatchEventOf<ConfigMap> | 'end')[] = [];
    let wake: (() => void) | undefined;
    this.feed = (ev) => {
      queue.push(ev);
      wake?.();
    };
    let closed = false;
    return {
      close: () => {
        closed = true;
        wake?.();
      },
      async *[Symbol.asyncIterator]() {
        for (;;) {
          while (queue.length === 0 && !closed) await new Promise<void>((r) => (wake = r));
          if (closed) return;
          const ev = queue.shift()!;
          if (ev === 'end') return;
          yield ev;
        }
      },
    };
  }

  send(ev: WatchEventOf<ConfigMap> | 'end'): void {
    assert.ok(this.feed, 'no watch open');
    this.feed(ev);
  }
}

const expired: Status = { kind: 'Status', apiVersion: 'v1', status: 'Failure', code: 410, reason: 'Expired', message: 'too old' };

describe('SharedInformer (scripted server)', () => {
  test('a handler added after sync first gets every cached object; resync replays updates', async () => {
    const server = new ScriptedServer();
    server.items = [cm('a', '5'), cm('b', '6')];
    const inf = new SharedInformer<ConfigMap>(server, { logger: silent });
    inf.run();
    await inf.waitForSync();
    const adds: [string | undefined, boolean][] = [];
    let resyncs = 0;
    inf.addEventHandler(
      {
        onAdd: (o, initial) => void adds.push([o.metadata?.name, initial]),
        onUpdate: (a, b) => {
          if (a === b) resyncs++;
        },
      },
      20,
    );
    assert.deepEqual(adds, [['a', true], ['b', true]]);
    await waitFor('two resync rounds', () => resyncs >= 4);
    await inf.stop();
  });

  test('a throwing handler does not stop others or the informer', async () => {
    const server = new ScriptedServer();
    const inf = new SharedInformer<ConfigMap>(server, { logger: silent });
    const seen: string[] = [];
    inf.addEventHandler({ onAdd: () => {
      throw new Error('boom');
    } });
    inf.addEventHandler({ onAdd: (o) => void seen.push(o.metadata?.name ?? '') });
    inf.run();
    await inf.waitForSync();
    await waitFor('watch open', () => server.watches.length === 1);
    server.send({ type: 'ADDED', object: cm('x', '11') });
    server.send({ type: 'ADDED', object: cm('y', '12') });
    await waitFor('both adds', () => seen.length === 2);
    await inf.stop();
  });

  test('ADDED for a known key is an update; bookmarks advance the resourceVersion', async () => {
    const server = new ScriptedServer();
    server.items = [cm('a', '5', 'old')];
    const inf = new SharedInformer<ConfigMap>(server, { logger: silent });
    const updates: string[] = [];
    inf.addEventHandler({ onUpdate: (a, b) => void updates.push(`${a.data?.v}->${b.data?.v}`) });
    inf.run();
    await waitFor('watch open', () => server.watches.length === 1);
    assert.equal(server.watches[0], '10', 'watch starts at the list resourceVersion');
    server.send({ type: 'ADDED', object: cm('a', '11', 'new') });
    server.send({ type: 'BOOKMARK', object: { metadata: { resourceVersion: '42' } } });
    await waitFor('bookmark seen', () => inf.lastSyncResourceVersion === '42');
    assert.deepEqual(updates, ['old->new']);
    await inf.stop();
  });

  test('ERROR 410 relists at the last resourceVersion, then from etcd ("") if that is gone too', async () => {
    const server = new ScriptedServer();
    server.items = [cm('a', '5')];
    const inf = new SharedInformer<ConfigMap>(server, { logger: silent, reflector: { backoff: { initialMs: 1, maxMs: 5 } } });
    inf.run();
    await waitFor('watch open', () => server.watches.length === 1);
    assert.equal(server.lists[0]?.resourceVersion, '0', 'first list may come from the cache');
    assert.equal(server.lists[0]?.limit, 500);
    server.send({ type: 'MODIFIED', object: cm('a', '15') });
    await waitFor('rv 15', () => inf.lastSyncResourceVersion === '15');
    server.failListAt.add('15');
    server.rv = '20';
    server.items = [cm('b', '19')];
    server.send({ type: 'ERROR', object: expired });
    await waitFor('second watch', () => server.watches.length === 2);
    assert.deepEqual(
      server.lists.map((l) => [l.resourceVersion, l.limit]),
      [['0', 500], ['15', undefined], ['', 500]],
    );
    assert.equal(server.watches[1], '20');
    assert.deepEqual(inf.lister.listKeys(), ['ns/b']);
    await inf.stop();
  });

  test('a watch the server ends is resumed from the last resourceVersion without relisting', async () => {
    const server = new ScriptedServer();
    const inf = new SharedInformer<ConfigMap>(server, { logger: silent, reflector: { backoff: { initialMs: 1, maxMs: 5 } } });
    inf.run();
    await waitFor('watch open', () => server.watches.length === 1);
    server.send({ type: 'ADDED', object: cm('a', '11') });
    server.send('end');
    await waitFor('re-watch', () => server.watches.length === 2);
    assert.equal(server.watches[1], '11');
    assert.equal(server.lists.length, 1);
    await inf.stop();
  });
});
