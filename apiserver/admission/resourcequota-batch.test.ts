import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { KObject } from '../../api/types.js';
import { evaluatorFor } from '../../api/quota/evaluators.js';
import { QuotaDenied } from '../../api/quota/quota.js';
import { parseResourceList } from '../../api/quota/resource-list.js';
import type { ResourceStore, UpdateFn } from '../registry/store.js';
import { QuotaChargeBatcher } from './resourcequota-batch.js';

const pods = evaluatorFor({ group: '', resource: 'pods' });
const quota = (used: string): KObject => ({ metadata: { name: 'q', namespace: 'ns', resourceVersion: '1' }, spec: { hard: { pods: '3' } }, status: { hard: { pods: '3' }, used: { pods: used } } });

/** A store whose quota another writer bumps once, so the first swap conflicts. */
function racyStore(): { store: ResourceStore; writes: KObject[]; calls: () => number } {
  let current = quota('0');
  let calls = 0;
  const writes: KObject[] = [];
  const store = {
    guaranteedUpdate: async (_ns: string, _name: string, fn: UpdateFn) => {
      for (;;) {
        calls++;
        const proposed = await fn(structuredClone(current));
        if (calls === 1) {
          current = quota('1'); // someone else charged meanwhile: this swap loses
          continue;
        }
        current = proposed;
        writes.push(proposed);
        return { obj: proposed, created: false };
      }
    },
  } as unknown as ResourceStore;
  return { store, writes, calls: () => calls };
}

const request = (name: string) => ({ evaluator: pods, obj: { metadata: { name }, spec: { containers: [] } }, delta: parseResourceList({ pods: '1' }), quotas: ['q'] });

describe('QuotaChargeBatcher', () => {
  test('waiters of one round share one write; a conflict re-decides the batch on the newer quota', async () => {
    const { store, writes, calls } = racyStore();
    const b = new QuotaChargeBatcher(() => store);
    const results = await Promise.allSettled(['a', 'b', 'c'].map((n) => b.charge('ns', request(n))));
    // The first round takes 'a' alone (it started the drain); 'b' and 'c' queue behind it.
    const denied = results.filter((r) => r.status === 'rejected');
    assert.equal(denied.length, 1);
    assert.ok((denied[0] as PromiseRejectedResult).reason instanceof QuotaDenied);
    assert.equal(((denied[0] as PromiseRejectedResult).reason as Error).message, 'exceeded quota: q, requested: pods=1, used: pods=3, limited: pods=3');
    assert.deepEqual((writes.at(-1)!['status'] as { used: unknown }).used, { pods: '3' });
    assert.equal(writes.length, 2);
    assert.equal(calls(), 3);
  });
});
