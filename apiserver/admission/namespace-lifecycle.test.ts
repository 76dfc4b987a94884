import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { RESOURCES } from '../../api/resources.js';
import { StatusError } from '../../api/status.js';
import type { KObject } from '../../api/types.js';
import { NamespaceLifecycle } from './namespace-lifecycle.js';
import type { ResourceStore } from '../registry/store.js';

const info = (kind: string) => RESOURCES.find((r) => r.kind === kind)!;

/** The two reads the plugin makes: the watch cache's copy, and a live one from storage. */
function namespaces(cached: KObject | undefined, live: KObject | undefined): { store: ResourceStore; liveReads: () => number } {
  let reads = 0;
  const store = {
    cache: { get: () => (cached ? { obj: cached } : undefined) },
    get: async () => {
      reads++;
      if (!live) throw new StatusError(404, 'NotFound', 'not found');
      return live;
    },
  } as unknown as ResourceStore;
  return { store, liveReads: () => reads };
}

describe('NamespaceLifecycle admission', () => {
  const active: KObject = { metadata: { name: 'team' } };
  const terminating: KObject = { metadata: { name: 'team', deletionTimestamp: '2026-01-01T00:00:00Z' } };
  const cm: KObject = { metadata: { name: 'x', namespace: 'team' } };

  test('right after a namespace DELETE here, creates in it check etcd, not the lagging cache', async () => {
    let now = 1_000_000;
    const { store, liveReads } = namespaces(active, terminating);
    const plugin = new NamespaceLifecycle(() => store, () => now);
    await plugin.admit('CREATE', info('ConfigMap'), cm, undefined);
    assert.equal(liveReads(), 0, 'the cache answers normally');
    await plugin.admit('DELETE', info('Namespace'), active, active);
    await assert.rejects(plugin.admit('CREATE', info('ConfigMap'), cm, undefined), (e: unknown) => e instanceof StatusError && e.code === 403);
    assert.equal(liveReads(), 1);
    now += 31_000;
    await plugin.admit('CREATE', info('ConfigMap'), cm, undefined);
    assert.equal(liveReads(), 1, 'after 30 s the cache is trusted again');
  });

  test('a namespace the cache does not know yet is looked up live; a missing one is 404', async () => {
    const plugin = new NamespaceLifecycle(() => namespaces(undefined, active).store);
    await plugin.admit('CREATE', info('ConfigMap'), cm, undefined);
    const missing = new NamespaceLifecycle(() => namespaces(undefined, undefined).store);
    await assert.rejects(missing.admit('CREATE', info('ConfigMap'), cm, undefined), (e: unknown) => e instanceof StatusError && e.code === 404);
  });
});
