// Jobs on a real kubelet (Docker) and real etcd, beyond the basics of job.test.ts: Indexed
// completion mode (JOB_COMPLETION_INDEX, hostnames, completedIndexes, `kubectl get/describe job`),
// podFailurePolicy (FailJob on exit code 42; Ignore not counting toward backoffLimit), and the
// job-tracking finalizer (deleting succeeded pods while the Job runs loses no count; pods of a
// Job deleted with --cascade=orphan, in the background or in the foreground lose the finalizer).
import assert from 'node:assert/strict';
import type { Job } from 'kubernetes-types/batch/v1';
import type { Pod } from 'kubernetes-types/core/v1';
import { after, before, test } from 'node:test';
import { waitFor } from '../harness/ports.js';
import { BUSYBOX, type KubeletEnv } from './kubelet-harness.js';
import { startJobEnv, type JobEnv } from './job-harness.js';

const TRACKING = 'batch.kubernetes.io/job-tracking';
const INDEX = 'batch.kubernetes.io/job-completion-index';

let harness: JobEnv;
let env: KubeletEnv;
let k: JobEnv['k'];

const jobs = () => env.client.resource<Job>('jobs.batch', 'default');
const pods = () => env.client.resource<Pod>('pods', 'default');
const podsOf = async (job: string) => (await pods().list({ labelSelector: `batch.kubernetes.io/job-name=${job}` })).items;
const conditionTrue = (j: Job, type: string) => (j.status?.conditions ?? []).some((c) => c.type === type && c.status === 'True');
const waitJob = (name: string, type: string, ms = 60_000) =>
  waitFor(`${name} ${type}`, async () => {
    const j = await jobs().get(name);
    return conditionTrue(j, type) ? j : undefined;
  }, ms);
const spec = (command: string, extra: Partial<NonNullable<Job['spec']>> = {}): Job['spec'] => ({
  template: { spec: { restartPolicy: 'Never', terminationGracePeriodSeconds: 1, containers: [{ name: 'w', image: BUSYBOX, command: ['sh', '-c', command] }] } },
  ...extra,
});

before(async () => {
  harness = await startJobEnv('jt-1', { controllers: ['job', 'garbage-collector'] });
  ({ env, k } = harness);
});

after(async () => {
  await harness?.stop();
});

test('an Indexed Job: one pod per index echoing $JOB_COMPLETION_INDEX, hostnames <job>-<index>, completedIndexes 0-2; kubectl get/describe', async () => {
  await jobs().create({
    metadata: { name: 'idx' },
    spec: spec('echo "index=$JOB_COMPLETION_INDEX host=$(hostname)"', { completionMode: 'Indexed', completions: 3, parallelism: 3 }),
  });
  const job = await waitJob('idx', 'Complete');
  assert.equal(job.status?.completedIndexes, '0-2');
  assert.equal(job.status?.succeeded, 3);
  assert.deepEqual(job.status?.uncountedTerminatedPods, {});
  const ps = await podsOf('idx');
  assert.equal(ps.length, 3);
  const seen = new Set<string>();
  for (const p of ps) {
    const i = p.metadata?.annotations?.[INDEX] ?? '';
    seen.add(i);
    assert.equal(p.metadata?.labels?.[INDEX], i);
    assert.match(p.metadata?.name ?? '', new RegExp(`^idx-${i}-[a-z0-9]{5}$`));
    assert.equal(p.spec?.hostname, `idx-${i}`);
    assert.deepEqual(p.metadata?.finalizers ?? [], [], 'counted: the tracking finalizer is gone');
    const logs = await k.run(['logs', p.metadata?.name ?? '']);
    assert.equal(logs.stdout, `index=${i} host=idx-${i}\n`, logs.stderr);
  }
  assert.deepEqual([...seen].sort(), ['0', '1', '2']);
  assert.match((await k.run(['get', 'job', 'idx'])).stdout, /^idx\s+Complete\s+3\/3\s+\d+s\s+\d+s$/m);
  const d = await k.run(['describe', 'job', 'idx']);
  assert.equal(d.code, 0, d.stderr);
  assert.match(d.stdout, /^Completion Mode:\s+Indexed$/m);
  assert.match(d.stdout, /^Completed Indexes:\s+0-2$/m);
  assert.match(d.stdout, /^Pods Statuses:\s+0 Active \(0 Ready\) \/ 3 Succeeded \/ 0 Failed$/m);
});

test('podFailurePolicy FailJob on exit code 42: Failed with reason PodFailurePolicy after one pod', async () => {
  await jobs().create({
    metadata: { name: 'answer' },
    spec: spec('exit 42', { backoffLimit: 6, podFailurePolicy: { rules: [{ action: 'FailJob', onExitCodes: { containerName: 'w', operator: 'In', values: [42] } }] } }),
  });
  const w = await k.run(['wait', '--for=condition=failed', 'job/answer', '--timeout=60s'], undefined, 70_000);
  assert.equal(w.code, 0, w.stderr);
  const job = await jobs().get('answer');
  const failed = job.status?.conditions?.find((c) => c.type === 'Failed');
  assert.equal(failed?.reason, 'PodFailurePolicy');
  assert.match(failed?.message ?? '', /^Container w for pod default\/answer-[a-z0-9]{5} failed with exit code 42 matching FailJob rule at index 0$/);
  assert.equal(job.status?.conditions?.find((c) => c.type === 'FailureTarget')?.reason, 'PodFailurePolicy');
  assert.equal(job.status?.failed, 1);
  assert.equal((await podsOf('answer')).length, 1, 'no retry despite backoffLimit 6');
  assert.equal(job.spec?.podReplacementPolicy, 'Failed', 'defaulted with a policy');
});

test('podFailurePolicy Ignore on exit code 3: failures do not count toward backoffLimit 0, the Job completes', async () => {
  // Pods fail with 3 while the ConfigMap says so; after two such failures the test flips it.
  const cms = env.client.resource('configmaps', 'default');
  await cms.create({ metadata: { name: 'mode' }, data: { mode: 'fail' } });
  const s = spec('[ "$MODE" = ok ] || exit 3', { backoffLimit: 0, podFailurePolicy: { rules: [{ action: 'Ignore', onExitCodes: { operator: 'In', values: [3] } }] } });
  s!.template.spec!.containers[0]!.env = [{ name: 'MODE', valueFrom: { configMapKeyRef: { name: 'mode', key: 'mode' } } }];
  await jobs().create({ metadata: { name: 'patient' }, spec: s });
  await waitFor('two ignored failures', async () => (await podsOf('patient')).filter((p) => p.status?.phase === 'Failed').length >= 2, 60_000);
  const running = await jobs().get('patient');
  assert.equal(running.status?.failed, undefined, 'ignored failures are not counted');
  assert.ok(!conditionTrue(running, 'FailureTarget') && !conditionTrue(running, 'Failed'), 'backoffLimit 0 not reached');
  await cms.patch('mode', 'merge', { data: { mode: 'ok' } });
  const job = await waitJob('patient', 'Complete');
  assert.equal(job.status?.failed, undefined);
  assert.equal(job.status?.succeeded, 1);
});

test('deleting succeeded pods while the Job runs never lowers status.succeeded', async () => {
  await jobs().create({ metadata: { name: 'keep' }, spec: spec('sleep 0.5', { completions: 4, parallelism: 1 }) });
  let lowest = Infinity;
  let last = 0;
  let deleted = 0;
  await waitFor('keep complete, deleting each succeeded pod as it appears', async () => {
    const j = await jobs().get('keep');
    const s = j.status?.succeeded ?? 0;
    if (s < last) lowest = Math.min(lowest, s);
    last = Math.max(last, s);
    for (const p of await podsOf('keep')) {
      if (p.status?.phase !== 'Succeeded' || p.metadata?.deletionTimestamp) continue;
      await pods().delete(p.metadata?.name ?? '').then(() => deleted++, () => undefined);
    }
    return conditionTrue(j, 'Complete');
  }, 90_000);
  assert.equal(lowest, Infinity, 'succeeded never went down');
  assert.ok(deleted >= 1, 'some succeeded pods were deleted');
  const job = await jobs().get('keep');
  assert.equal(job.status?.succeeded, 4);
  assert.equal(job.status?.failed, undefined);
  await waitFor('the deleted pods gone (finalizers removed)', async () => (await podsOf('keep')).every((p) => !p.metadata?.deletionTimestamp), 30_000);
});

test('a running pod carries the finalizer; deleting its Job with --cascade=orphan releases it; background deletion takes the pods along', async () => {
  await jobs().create({ metadata: { name: 'long' }, spec: spec('sleep 300', { completions: 1 }) });
  const [running] = await waitFor('a running pod', async () => {
    const ps = (await podsOf('long')).filter((p) => p.status?.phase === 'Running');
    return ps.length > 0 ? ps : undefined;
  }, 60_000);
  assert.deepEqual(running?.metadata?.finalizers, [TRACKING]);
  const d = await k.run(['delete', 'job', 'long', '--cascade=orphan']);
  assert.equal(d.code, 0, d.stderr);
  const orphan = await waitFor('the orphan released', async () => {
    const p = await pods().get(running?.metadata?.name ?? '');
    return !p.metadata?.ownerReferences?.length && !(p.metadata?.finalizers ?? []).includes(TRACKING) ? p : undefined;
  }, 30_000);
  assert.equal(orphan.status?.phase, 'Running', 'orphaned, not killed');
  await pods().delete(orphan.metadata?.name ?? '', { gracePeriodSeconds: 0 });

  await jobs().create({ metadata: { name: 'bg' }, spec: spec('sleep 300', { completions: 1 }) });
  await waitFor('a bg pod running', async () => (await podsOf('bg')).some((p) => p.status?.phase === 'Running'), 60_000);
  const del = await k.run(['delete', 'job', 'bg']);
  assert.equal(del.code, 0, del.stderr);
  await waitFor('bg pods gone', async () => (await podsOf('bg')).length === 0, 60_000);

  // Foreground: the Job waits (foregroundDeletion) for its pods, which wait for the Job controller to release them.
  await jobs().create({ metadata: { name: 'fg' }, spec: spec('sleep 300', { completions: 1 }) });
  await waitFor('a fg pod running', async () => (await podsOf('fg')).some((p) => p.status?.phase === 'Running'), 60_000);
  const fg = await k.run(['delete', 'job', 'fg', '--cascade=foreground', '--timeout=60s'], undefined, 70_000);
  assert.equal(fg.code, 0, fg.stderr);
  await waitFor('fg and its pods gone', async () => (await podsOf('fg')).length === 0 && (await jobs().list()).items.every((j) => j.metadata?.name !== 'fg'), 60_000);
});
