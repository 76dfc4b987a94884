import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Job } from 'kubernetes-types/batch/v1';
import { RestClient, isNotFound } from '../client/index.js';
import type { TestApiserver } from '../test/harness/apiserver.js';
import { startControllerEnv, type ControllerEnv } from '../test/harness/controllers.js';
import { waitFor } from '../test/harness/ports.js';
import type { ControllerManagerHandle } from './manager.js';
import { finishTime, ttlDecision } from './ttlafterfinished.js';

const finished = (type: 'Complete' | 'Failed', at: string, ttl?: number): Job => ({
  metadata: { name: 'j', namespace: 'default' },
  spec: { template: {}, ...(ttl !== undefined ? { ttlSecondsAfterFinished: ttl } : {}) },
  status: { conditions: [{ type, status: 'True', lastTransitionTime: at }], ...(type === 'Complete' ? { completionTime: at } : {}) },
});

describe('ttlDecision (upstream processTTL/timeLeft)', () => {
  const now = new Date('2026-12-03T05:00:00Z');
  test('no TTL, not finished, or being deleted: kept', () => {
    assert.equal(ttlDecision(finished('Complete', '2026-12-03T04:00:00Z'), now), 'keep');
    assert.equal(ttlDecision({ spec: { template: {}, ttlSecondsAfterFinished: 0 }, status: {} }, now), 'keep');
    const done = finished('Complete', '2026-12-03T04:00:00Z', 0);
    assert.equal(ttlDecision({ ...done, metadata: { ...done.metadata, deletionTimestamp: '2026-12-03T04:59:00Z' } }, now), 'keep');
  });
  test('due: delete; not yet: the time left', () => {
    assert.equal(ttlDecision(finished('Complete', '2026-12-03T04:59:00Z', 60), now), 'delete');
    assert.equal(ttlDecision(finished('Failed', '2026-12-03T04:59:30Z', 60), now), 30_000);
    assert.equal(ttlDecision(finished('Complete', '2026-12-03T05:00:00Z', 0), now), 'delete');
  });
  test('the finish time is completionTime for Complete, the condition time for Failed', () => {
    const j = finished('Complete', '2026-12-03T04:00:00Z');
    j.status!.completionTime = '2026-12-03T04:10:00Z';
    assert.equal(finishTime(j)?.toISOString(), '2026-12-03T04:10:00.000Z');
    assert.equal(finishTime(finished('Failed', '2026-12-03T04:20:00Z'))?.toISOString(), '2026-12-03T04:20:00.000Z');
  });
});

describe('TTL-after-finished controller', () => {
  let api: TestApiserver;
  let client: RestClient;
  let cm: ControllerManagerHandle;
  let env: ControllerEnv;

  before(async () => {
    // The garbage collector finishes the Foreground deletion the TTL controller starts.
    env = await startControllerEnv(['ttl-after-finished', 'garbagecollector']);
    ({ api, client, cm } = env);
  });
  after(async () => {
    await env?.stop();
  });

  async function job(name: string, ttl: number | undefined, finish: 'Complete' | undefined): Promise<void> {
    const jobs = client.resource('jobs.batch', 'default');
    await jobs.create({
      metadata: { name },
      spec: { ...(ttl !== undefined ? { ttlSecondsAfterFinished: ttl } : {}), template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox:1.35' }] } } },
    } as Job);
    if (!finish) return;
    const cur = (await jobs.get(name)) as Job;
    const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    await jobs.updateStatus({ ...cur, status: { startTime: now, completionTime: now, succeeded: 1, conditions: [{ type: 'Complete', status: 'True', lastTransitionTime: now }] } });
  }

  test('a finished Job with a TTL is deleted once it expires; others stay', async () => {
    await job('done-ttl', 1, 'Complete');
    await job('done-no-ttl', undefined, 'Complete');
    await job('running-ttl', 0, undefined);
    await waitFor('done-ttl deleted', async () => {
      try {
        await client.resource('jobs.batch', 'default').get('done-ttl');
        return false;
      } catch (e) {
        return isNotFound(e);
      }
    }, 20_000, 100);
    // The others are still there after the deleted one's TTL has long passed (the controller saw them all).
    for (const name of ['done-no-ttl', 'running-ttl']) assert.equal(((await client.resource('jobs.batch', 'default').get(name)) as Job).metadata?.name, name);
  });
});
