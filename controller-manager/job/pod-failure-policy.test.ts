import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { PodFailurePolicy } from 'kubernetes-types/batch/v1';
import { matchPodFailurePolicy } from './pod-failure-policy.js';
import { planJob } from './plan.js';
import { job, next, NOW, pod, sync, types } from './testing.js';

const policy: PodFailurePolicy = {
  rules: [
    { action: 'FailJob', onExitCodes: { containerName: 'c', operator: 'In', values: [42] } },
    { action: 'Ignore', onPodConditions: [{ type: 'DisruptionTarget', status: 'True' }] },
    { action: 'Ignore', onExitCodes: { operator: 'In', values: [3] } },
    { action: 'Count', onExitCodes: { operator: 'NotIn', values: [5] } },
  ],
};

describe('podFailurePolicy matching (matchPodFailurePolicy)', () => {
  test('FailJob on an exit code, with the message Kubernetes writes', () => {
    const m = matchPodFailurePolicy(policy, pod('Failed', { exitCode: 42 }));
    assert.equal(m.action, 'FailJob');
    assert.match(m.failJobMessage ?? '', /^Container c for pod default\/p\d+ failed with exit code 42 matching FailJob rule at index 0$/);
  });

  test('Ignore on a pod condition or an exit code is not counted; the first matching rule wins', () => {
    assert.deepEqual(matchPodFailurePolicy(policy, pod('Failed', { exitCode: 42, conditions: [{ type: 'DisruptionTarget', status: 'True' }] })).action, 'FailJob');
    assert.deepEqual(matchPodFailurePolicy(policy, pod('Failed', { exitCode: 1, conditions: [{ type: 'DisruptionTarget', status: 'True' }] })), { countFailed: false, action: 'Ignore' });
    assert.deepEqual(matchPodFailurePolicy(policy, pod('Failed', { exitCode: 3 })), { countFailed: false, action: 'Ignore' });
  });

  test('Count with NotIn; no rule matching counts as usual; exit code 0 never matches', () => {
    assert.deepEqual(matchPodFailurePolicy(policy, pod('Failed', { exitCode: 7 })), { countFailed: true, action: 'Count' });
    assert.deepEqual(matchPodFailurePolicy(policy, pod('Failed', { exitCode: 5 })), { countFailed: true });
    assert.deepEqual(matchPodFailurePolicy({ rules: [{ action: 'FailJob', onExitCodes: { operator: 'NotIn', values: [1] } }] }, pod('Failed', { exitCode: 0 })), { countFailed: true });
    assert.deepEqual(matchPodFailurePolicy(undefined, pod('Failed', { exitCode: 42 })), { countFailed: true });
  });

  test('containerName restricts the rule to that container', () => {
    const only = { rules: [{ action: 'FailJob', onExitCodes: { containerName: 'other', operator: 'In', values: [42] } }] };
    assert.equal(matchPodFailurePolicy(only, pod('Failed', { exitCode: 42 })).action, undefined);
  });
});

describe('podFailurePolicy in the Job controller', () => {
  const j = job({ backoffLimit: 0, podFailurePolicy: policy, podReplacementPolicy: 'Failed' });

  test('FailJob: FailureTarget with reason PodFailurePolicy, then Failed once the pods are gone', () => {
    const running = pod('Running');
    const failed = pod('Failed', { exitCode: 42 });
    const first = sync(job({ parallelism: 2, completions: 2, backoffLimit: 6, podFailurePolicy: policy }), [failed, running]);
    const target = first.status.conditions?.find((c) => c.type === 'FailureTarget');
    assert.equal(target?.reason, 'PodFailurePolicy');
    assert.match(target?.message ?? '', /failed with exit code 42 matching FailJob rule at index 0/);
    assert.deepEqual(first.plan.terminate, [running]);
    assert.deepEqual(types(first.status), ['FailureTarget'], 'a pod still terminating');
    const done = sync(next(job({ parallelism: 2, completions: 2, podFailurePolicy: policy }), first.status), [first.pods[0]!]);
    assert.deepEqual(types(done.status), ['FailureTarget', 'Failed']);
    assert.equal(done.status.conditions?.find((c) => c.type === 'Failed')?.reason, 'PodFailurePolicy');
  });

  test('Ignore: not counted toward backoffLimit, the pod is replaced', () => {
    const ignored = sync(j, [pod('Failed', { exitCode: 3, finishedAt: new Date(NOW - 60_000).toISOString() })], { podFailureBackoffMs: 1000 });
    assert.equal(ignored.status.failed, undefined);
    assert.deepEqual(types(ignored.status), []);
    assert.equal(ignored.plan.create, 1);
    const counted = sync(j, [pod('Failed', { exitCode: 7 })]);
    assert.equal(counted.status.failed, 1);
    assert.equal(counted.status.conditions?.find((c) => c.type === 'FailureTarget')?.reason, 'BackoffLimitExceeded');
  });

  test('with a policy only Failed pods are replaced: a terminating pod holds its slot', () => {
    const p = planJob(j, [pod('Running', { deleting: true })], { now: NOW });
    assert.equal(p.create, 0);
  });
});

describe('Job controller metrics', () => {
  test('pods finished, Jobs finished with their reason, failures handled by the policy', async () => {
    const { Registry } = await import('prom-client');
    const { jobMetrics, recordJobSync } = await import('./metrics.js');
    const registry = new Registry();
    const j = job({ backoffLimit: 0, podFailurePolicy: policy });
    const { plan, status } = sync(j, [pod('Failed', { exitCode: 42 })]);
    recordJobSync(jobMetrics(registry), j, {}, status, plan.finish, plan.policyActions);
    const text = await registry.metrics();
    assert.match(text, /job_controller_job_pods_finished_total\{completion_mode="NonIndexed",result="failed"\} 1/);
    assert.match(text, /job_controller_job_finished_total\{completion_mode="NonIndexed",result="failed",reason="PodFailurePolicy"\} 1/);
    assert.match(text, /job_controller_pod_failures_handled_by_failure_policy_total\{action="FailJob"\} 1/);
    assert.equal(jobMetrics(registry), jobMetrics(registry), 'registered once per registry');
  });
});
