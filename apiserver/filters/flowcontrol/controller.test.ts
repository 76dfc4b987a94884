// The controller's edges: a queued request that waits past the queue wait limit, or whose
// client goes away, is rejected 429 and counted by reason; a released seat goes to the next.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Registry } from 'prom-client';
import type { RequestAttributes } from '../../auth/context.js';
import { StatusError } from '../../../api/status.js';
import { FLOW_SCHEMAS, PRIORITY_LEVELS } from './bootstrap.js';
import { FlowController } from './controller.js';
import { FlowcontrolMetrics } from './metrics.js';

const list: RequestAttributes = { verb: 'list', resourceRequest: true, path: '', namespace: 'default', apiGroup: '', apiVersion: 'v1', resource: 'configmaps', subresource: '', name: '' };
const alice = { username: 'alice', groups: ['system:authenticated'] };

function setup(queueWaitMs: number) {
  const registry = new Registry();
  const c = new FlowController({ serverConcurrencyLimit: 3, queueWaitMs, schemas: FLOW_SCHEMAS, levels: PRIORITY_LEVELS }, new FlowcontrolMetrics(registry));
  return { c, d: c.classify(alice, list)!, registry };
}

async function rejectedBy(registry: Registry, reason: string): Promise<number> {
  const m = await registry.getSingleMetric('apiserver_flowcontrol_rejected_requests_total')!.get();
  return m.values.find((v) => v.labels.reason === reason)?.value ?? 0;
}

test('a queued request past the queue wait limit is rejected 429 (time-out)', async () => {
  const { c, d, registry } = setup(20);
  const release = await c.acquire(d, new AbortController().signal);
  await assert.rejects(c.acquire(d, new AbortController().signal), (e: unknown) => e instanceof StatusError && e.code === 429 && e.status.details?.retryAfterSeconds === 1);
  assert.equal(await rejectedBy(registry, 'time-out'), 1);
  release();
  release();
  // The seat is free again (releasing twice is harmless).
  (await c.acquire(d, new AbortController().signal))();
});

test('a client that leaves while queued gives up its place; a freed seat goes to the next', async () => {
  const { c, d, registry } = setup(60_000);
  const release = await c.acquire(d, new AbortController().signal);
  const gone = new AbortController();
  const leaving = c.acquire(d, gone.signal);
  const waiting = c.acquire(d, new AbortController().signal);
  gone.abort();
  await assert.rejects(leaving, StatusError);
  assert.equal(await rejectedBy(registry, 'cancelled'), 1);
  release();
  (await waiting)();
});
