import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { RESOURCES } from '../../api/resources.js';
import { StatusError } from '../../api/status.js';
import type { KObject } from '../../api/types.js';
import type { ListOptions } from '../registry/list-options.js';
import type { ResourceStore } from '../registry/store.js';
import { LimitRanger } from './limit-ranger.js';

const info = (kind: string) => RESOURCES.find((r) => r.kind === kind)!;
const attrs = { dryRun: false };
const lr: KObject = { metadata: { name: 'lr', namespace: 'ns' }, spec: { limits: [{ type: 'Container', max: { cpu: '500m' }, default: { cpu: '500m' }, defaultRequest: { cpu: '500m' } }] } };

/** A store whose watch cache holds `cached` and whose etcd holds `live`; counts etcd lists. */
function limitRanges(cached: KObject[], live: KObject[]): { store: ResourceStore; liveReads: () => number } {
  let reads = 0;
  const store = {
    info: info('LimitRange'),
    list: async (_ns: string, opts: ListOptions) => {
      if (opts.resourceVersion === '0') return { items: cached.map((obj) => ({ obj })), resourceVersion: 1 };
      reads++;
      return { items: live.map((obj) => ({ obj })), resourceVersion: 1 };
    },
  } as unknown as ResourceStore;
  return { store, liveReads: () => reads };
}

const pod = (limits?: Record<string, string>): KObject => ({
  metadata: { name: 'p', namespace: 'ns' },
  spec: { containers: [{ name: 'c', ...(limits ? { resources: { limits, requests: limits } } : {}) }] },
});

describe('LimitRanger admission', () => {
  test('a pod over max is Forbidden with Kubernetes message', async () => {
    const { store } = limitRanges([lr], []);
    const err = await new LimitRanger(() => store).admit('CREATE', info('Pod'), pod({ cpu: '1' }), undefined, attrs).then(() => undefined, (e: unknown) => e);
    assert.ok(err instanceof StatusError);
    assert.equal(err.code, 403);
    assert.equal(err.message, 'pods "p" is forbidden: maximum cpu usage per Container is 500m, but limit is 1');
  });

  test('pod updates and subresources are not checked, as upstream', async () => {
    const { store } = limitRanges([lr], []);
    const plugin = new LimitRanger(() => store);
    await plugin.admit('UPDATE', info('Pod'), pod({ cpu: '1' }), pod({ cpu: '1' }), attrs);
    await plugin.admit('CREATE', info('Pod'), pod({ cpu: '1' }), undefined, { dryRun: false, subresource: 'status' });
  });

  test('an empty cache falls back to one live lookup, kept for its TTL', async () => {
    const { store, liveReads } = limitRanges([], [lr]);
    let now = 0;
    const plugin = new LimitRanger(() => store, () => now);
    const p = pod();
    await plugin.admit('CREATE', info('Pod'), p, undefined, attrs);
    assert.deepEqual((p.spec as { containers: { resources: unknown }[] }).containers[0]?.resources, { limits: { cpu: '500m' }, requests: { cpu: '500m' } });
    await plugin.admit('CREATE', info('Pod'), pod(), undefined, attrs);
    assert.equal(liveReads(), 1);
    now = 31_000;
    await plugin.admit('CREATE', info('Pod'), pod(), undefined, attrs);
    assert.equal(liveReads(), 2);
  });
});
