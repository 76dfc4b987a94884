// Jobs on a real kubelet (Docker), through the real kubectl: `kubectl create job` (a protobuf
// body), `kubectl wait --for=condition=complete`, `kubectl logs job/…`; parallel completions;
// a failing Job that hits its backoffLimit; deleting a Job takes its pods along; a CronJob
// starting a Job at its scheduled minute (the controller's clock is shifted to just before a
// minute boundary, so the test waits seconds, not a minute).
import assert from 'node:assert/strict';
import type { Job } from 'kubernetes-types/batch/v1';
import { after, before, test } from 'node:test';
import type { CronJob } from 'kubernetes-types/batch/v1';
import { CronJobController } from '../../controller-manager/cronjob/cronjob.js';
import { waitFor } from '../harness/ports.js';
import { BUSYBOX, type KubeletEnv } from './kubelet-harness.js';
import { startJobEnv, type JobEnv } from './job-harness.js';

let harness: JobEnv;
let env: KubeletEnv;
let k: JobEnv['k'];
/** Added to the CronJob controller's clock. */
let clockOffset = 0;

const jobs = () => env.client.resource<Job>('jobs.batch', 'default');
const podsOf = async (job: string) => (await env.client.resource('pods', 'default').list({ labelSelector: `job-name=${job}` })).items;

before(async () => {
  harness = await startJobEnv('jb-1', {
    controllers: ['job', 'cronjob', 'garbage-collector'],
    extraControllers: { cronjob: (ctx) => new CronJobController(ctx, { now: () => Date.now() + clockOffset }) },
  });
  ({ env, k } = harness);
});

after(async () => {
  await harness?.stop();
});

test('kubectl create job runs to Complete; kubectl wait and kubectl logs job/… work', async () => {
  const c = await k.run(['create', 'job', 'hello', `--image=${BUSYBOX}`, '--', 'sh', '-c', 'echo hello from the job']);
  assert.equal(c.code, 0, c.stderr);
  const w = await k.run(['wait', '--for=condition=complete', 'job/hello', '--timeout=60s'], undefined, 70_000);
  assert.equal(w.code, 0, w.stderr);
  assert.match(w.stdout, /job.batch\/hello condition met/);
  const job = await jobs().get('hello');
  assert.equal(job.status?.succeeded, 1);
  assert.equal(job.status?.active, undefined);
  assert.ok(job.status?.startTime && job.status.completionTime && job.status.completionTime >= job.status.startTime);
  assert.deepEqual(job.status?.conditions?.map((x) => [x.type, x.status]), [['SuccessCriteriaMet', 'True'], ['Complete', 'True']]);
  assert.match((await k.run(['get', 'job', 'hello'])).stdout, /^hello\s+Complete\s+1\/1\s+\d+s\s+\d+s$/m);
  const logs = await k.run(['logs', 'job/hello']);
  assert.equal(logs.code, 0, logs.stderr);
  assert.equal(logs.stdout, 'hello from the job\n');
  const pods = await podsOf('hello');
  assert.equal(pods.length, 1);
  assert.equal(pods[0]?.status?.phase, 'Succeeded');
  assert.equal(pods[0]?.metadata?.ownerReferences?.[0]?.kind, 'Job');
});

test('completions 3, parallelism 2: never more than 2 at once, exactly 3 succeed', async () => {
  let most = 0;
  const watch = setInterval(() => {
    void podsOf('fan').then((ps) => (most = Math.max(most, ps.filter((p) => p.status?.phase !== 'Succeeded' && !p.metadata?.deletionTimestamp).length)), () => undefined);
  }, 50);
  try {
    await jobs().create({
      metadata: { name: 'fan' },
      spec: { completions: 3, parallelism: 2, template: { spec: { restartPolicy: 'Never', terminationGracePeriodSeconds: 1, containers: [{ name: 'w', image: BUSYBOX, command: ['sh', '-c', 'sleep 0.5'] }] } } },
    });
    await waitFor('fan complete', async () => (await jobs().get('fan')).status?.conditions?.some((c) => c.type === 'Complete' && c.status === 'True'), 60_000);
  } finally {
    clearInterval(watch);
  }
  const pods = await podsOf('fan');
  assert.equal(pods.filter((p) => p.status?.phase === 'Succeeded').length, 3);
  assert.equal(pods.length, 3);
  assert.ok(most <= 2, `at most parallelism pods run at once, saw ${most}`);
  assert.equal((await jobs().get('fan')).status?.succeeded, 3);
});

test('a Job whose pods fail stops at backoffLimit with BackoffLimitExceeded', async () => {
  await jobs().create({
    metadata: { name: 'doomed' },
    spec: { backoffLimit: 1, template: { spec: { restartPolicy: 'Never', terminationGracePeriodSeconds: 1, containers: [{ name: 'w', image: BUSYBOX, command: ['sh', '-c', 'exit 3'] }] } } },
  });
  const w = await k.run(['wait', '--for=condition=failed', 'job/doomed', '--timeout=60s'], undefined, 70_000);
  assert.equal(w.code, 0, w.stderr);
  const job = await jobs().get('doomed');
  assert.equal(job.status?.failed, 2, 'the first pod and one retry');
  assert.equal(job.status?.conditions?.find((c) => c.type === 'Failed')?.reason, 'BackoffLimitExceeded');
  assert.equal(job.status?.completionTime, undefined);
  const pods = await podsOf('doomed');
  assert.deepEqual(pods.map((p) => p.status?.phase), ['Failed', 'Failed']);
});

test('deleting a Job deletes its pods (garbage collector, background propagation)', async () => {
  const d = await k.run(['delete', 'job', 'hello']);
  assert.equal(d.code, 0, d.stderr);
  await waitFor('hello pods gone', async () => (await podsOf('hello')).length === 0, 30_000);
});

test('a CronJob starts a Job at its scheduled minute, records it, and starts the next after a suspend/resume', async () => {
  // The controller's clock: two seconds before the next minute boundary.
  clockOffset = 60_000 - (Date.now() % 60_000) - 2_000;
  const cronJobs = env.client.resource<CronJob>('cronjobs.batch', 'default');
  await cronJobs.create({
    metadata: { name: 'tick' },
    spec: {
      schedule: '* * * * *',
      jobTemplate: { metadata: { labels: { app: 'tick' } }, spec: { template: { spec: { restartPolicy: 'Never', terminationGracePeriodSeconds: 1, containers: [{ name: 't', image: BUSYBOX, command: ['echo', 'tick'] }] } } } },
    },
  });
  const owned = async () => (await jobs().list({ labelSelector: 'app=tick' })).items;
  const [first] = await waitFor('a scheduled Job', async () => {
    const js = await owned();
    return js.length > 0 ? js : undefined;
  }, 20_000);
  assert.equal(first?.metadata?.ownerReferences?.[0]?.kind, 'CronJob');
  const scheduled = first?.metadata?.annotations?.['batch.kubernetes.io/cronjob-scheduled-timestamp'] ?? '';
  assert.match(scheduled, /:00Z$/, 'started for a whole minute');
  assert.equal(first?.metadata?.name, `tick-${Date.parse(scheduled) / 60_000}`);
  const cj = await waitFor('the run recorded as successful', async () => {
    const c = await cronJobs.get('tick');
    return c.status?.lastSuccessfulTime ? c : undefined;
  }, 30_000);
  assert.equal(cj.status?.lastScheduleTime, scheduled);
  assert.equal(cj.status?.active, undefined);
  // LAST SCHEDULE is by the shifted clock, so it may lie in the future: kubectl prints <invalid>.
  assert.match((await k.run(['get', 'cronjob', 'tick'])).stdout, /^tick\s+\* \* \* \* \*\s+<none>\s+False\s+0\s+(\d+s|<invalid>)\s+\d+s$/m);
  const logs = await k.run(['logs', `job/${first?.metadata?.name ?? ''}`]);
  assert.equal(logs.stdout, 'tick\n', logs.stderr);

  // Suspend, move the clock past the next boundary, resume: the resume's sync starts that run.
  await cronJobs.patch('tick', 'merge', { spec: { suspend: true } });
  clockOffset += 60_000;
  await cronJobs.patch('tick', 'merge', { spec: { suspend: false } });
  const both = await waitFor('a second run after resuming', async () => {
    const js = await owned();
    return js.length === 2 ? js : undefined;
  }, 20_000);
  const stamps = both.map((j) => Date.parse(j.metadata?.annotations?.['batch.kubernetes.io/cronjob-scheduled-timestamp'] ?? '')).sort();
  assert.equal(stamps[1]! - stamps[0]!, 60_000, 'the next minute, not a burst of missed ones');
});
