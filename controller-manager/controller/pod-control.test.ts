import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from 'kubernetes-types/core/v1';
import { errors, StatusError } from '../../api/status.js';
import type { ControllerContext } from '../controller.js';
import { ControllerExpectations } from './controller-utils.js';
import { createPods } from './pod-control.js';

/**
 * A pod API in memory: the first create of each name is stored but answered with `fail` (an
 * etcd deadline: the write landed, the caller was told 500); later creates of a stored name get
 * 409 AlreadyExists, as from the apiserver.
 */
function flakyPods(fail: (name: string) => StatusError | undefined) {
  const stored = new Map<string, Pod>();
  const sent: string[] = [];
  const ctx = {
    client: {
      resource: () => ({
        async create(p: Pod): Promise<Pod> {
          const name = p.metadata?.name;
          assert.ok(name, 'the controller names its pods');
          sent.push(name);
          if (stored.has(name)) throw errors.alreadyExists({ group: '', resource: 'pods' }, name);
          stored.set(name, p);
          const e = fail(name);
          if (e) throw e;
          return p;
        },
      }),
    },
    recorder: () => ({ event: () => undefined }),
  } as unknown as ControllerContext;
  return { ctx, stored, sent };
}

const owner = { metadata: { name: 'web-5d8f', namespace: 'default', uid: 'u1' } };
const template: Pod = { metadata: { generateName: 'web-5d8f-', namespace: 'default' }, spec: { containers: [{ name: 'c', image: 'busybox:1.35' }] } };

test('a create answered 500 that landed is resent as the same pod: no second pod, the expectation stays', async () => {
  let failed = 0;
  const api = flakyPods(() => (failed++ === 0 ? errors.internal('etcdserver: request timed out (context deadline exceeded)') : undefined));
  const expectations = new ControllerExpectations();
  await createPods({ ctx: api.ctx, component: 'replicaset-controller', expectations }, 'default/web-5d8f', owner, template, 3);
  assert.equal(api.stored.size, 3, 'exactly the 3 pods asked for');
  for (const name of api.stored.keys()) assert.match(name, /^web-5d8f-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
  // The first pod was sent twice (500, then 409 AlreadyExists): the same name both times.
  assert.equal(api.sent.length, 4);
  assert.equal(api.sent[0], api.sent[1]);
  // Every create counts as made: the informer's ADDs lower the expectation, not the error.
  assert.deepEqual(expectations.get('default/web-5d8f'), { add: 3, del: 0 });
});

test('a create refused outright (422) is not resent and is un-expected at once', async () => {
  const api = flakyPods(() => new StatusError(422, 'Invalid', 'Pod "x" is invalid'));
  const expectations = new ControllerExpectations();
  await assert.rejects(createPods({ ctx: api.ctx, component: 'replicaset-controller', expectations }, 'default/web-5d8f', owner, template, 2), /invalid/);
  assert.equal(api.sent.length, 1, 'slow start: one try, not resent');
  assert.deepEqual(expectations.get('default/web-5d8f'), { add: 0, del: 0 });
});
