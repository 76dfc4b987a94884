import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import type { KObject } from '../types.js';
import { assertCause, createCauses, lines, merge, statusCauses } from './testing.js';

const template = { metadata: { labels: { app: 'batch' } }, spec: { restartPolicy: 'Never', containers: [{ name: 'main', image: 'busybox' }] } };
const job: KObject = { metadata: { name: 'pi', namespace: 'default', uid: 'uid-1' }, spec: { template } };
const withRules = (rules: unknown[], extra: object = {}): KObject => merge(job, { spec: { podFailurePolicy: { rules }, ...extra } });

describe('Job podFailurePolicy validation (pkg/apis/batch/validation)', () => {
  test('a valid policy: FailJob on exit codes, Ignore on DisruptionTarget, Count', () => {
    const j = withRules([
      { action: 'FailJob', onExitCodes: { containerName: 'main', operator: 'In', values: [1, 42] } },
      { action: 'Ignore', onPodConditions: [{ type: 'DisruptionTarget', status: 'True' }] },
      { action: 'Count', onExitCodes: { operator: 'NotIn', values: [0] } },
    ]);
    assert.deepEqual(lines(createCauses('Job', j)), []);
  });

  test('restartPolicy must be Never with a policy', () => {
    const j = merge(withRules([{ action: 'FailJob', onExitCodes: { operator: 'In', values: [1] } }]), { spec: { template: { spec: { restartPolicy: 'OnFailure' } } } });
    assertCause(createCauses('Job', j), 'spec.template.spec.restartPolicy', 'Invalid value: "OnFailure": only "Never" is supported when podFailurePolicy is specified');
  });

  test('actions: required, supported, FailIndex needs backoffLimitPerIndex', () => {
    assertCause(createCauses('Job', withRules([{ onExitCodes: { operator: 'In', values: [1] } }])), 'spec.podFailurePolicy.rules[0].action', 'Required value: valid values: ["Count" "FailIndex" "FailJob" "Ignore"]');
    assertCause(createCauses('Job', withRules([{ action: 'Retry', onExitCodes: { operator: 'In', values: [1] } }])), 'spec.podFailurePolicy.rules[0].action', 'Unsupported value: "Retry"', 'FieldValueNotSupported');
    assertCause(createCauses('Job', withRules([{ action: 'FailIndex', onExitCodes: { operator: 'In', values: [1] } }])), 'spec.podFailurePolicy.rules[0].action', 'Invalid value: "FailIndex": requires the backoffLimitPerIndex to be set');
  });

  test('exactly one of onExitCodes and onPodConditions', () => {
    assertCause(createCauses('Job', withRules([{ action: 'Ignore' }])), 'spec.podFailurePolicy.rules[0]', 'Invalid value: specifying one of OnExitCodes and OnPodConditions is required');
    const both = { action: 'Ignore', onExitCodes: { operator: 'In', values: [1] }, onPodConditions: [{ type: 'DisruptionTarget', status: 'True' }] };
    assertCause(createCauses('Job', withRules([both])), 'spec.podFailurePolicy.rules[0]', 'Invalid value: specifying both OnExitCodes and OnPodConditions is not supported');
  });

  test('onExitCodes: operator, container name, values non-empty, no 0 with In, unique, ordered', () => {
    const causes = (onExitCodes: object) => createCauses('Job', withRules([{ action: 'FailJob', onExitCodes }]));
    const p = 'spec.podFailurePolicy.rules[0].onExitCodes';
    assertCause(causes({ values: [1] }), `${p}.operator`, 'Required value: valid values: ["In" "NotIn"]');
    assertCause(causes({ operator: 'Equals', values: [1] }), `${p}.operator`, 'Unsupported value: "Equals": supported values: "In", "NotIn"');
    assertCause(causes({ operator: 'In', containerName: 'side', values: [1] }), `${p}.containerName`, 'Invalid value: "side": must be one of the container or initContainer names in the pod template');
    assertCause(causes({ operator: 'In', values: [] }), `${p}.values`, 'Invalid value: ');
    assertCause(causes({ operator: 'In', values: [0, 1] }), `${p}.values[0]`, 'Invalid value: 0: must not be 0 for the In operator');
    assertCause(causes({ operator: 'In', values: [1, 1] }), `${p}.values[1]`, 'Duplicate value: 1');
    assertCause(causes({ operator: 'In', values: [3, 1] }), `${p}.values`, 'Invalid value: ');
    assert.ok(lines(causes({ operator: 'In', values: [3, 1] })).some((l) => l.endsWith('must be ordered')));
    assertCause(createCauses('Job', withRules(Array.from({ length: 21 }, () => ({ action: 'Count', onExitCodes: { operator: 'In', values: [1] } })))), 'spec.podFailurePolicy.rules', 'Too many: 21: must have at most 20 items', 'FieldValueTooMany');
  });

  test('onPodConditions: qualified type, status True/False/Unknown', () => {
    const causes = (onPodConditions: object[]) => createCauses('Job', withRules([{ action: 'Ignore', onPodConditions }]));
    const p = 'spec.podFailurePolicy.rules[0].onPodConditions[0]';
    assertCause(causes([{ type: 'Bad Type', status: 'True' }]), `${p}.type`, 'Invalid value: "Bad Type"');
    assertCause(causes([{ type: 'DisruptionTarget' }]), `${p}.status`, 'Required value: valid values: ["False" "True" "Unknown"]');
    assertCause(causes([{ type: 'DisruptionTarget', status: 'Maybe' }]), `${p}.status`, 'Unsupported value: "Maybe"');
  });

  test('podReplacementPolicy must be Failed with a policy', () => {
    const j = withRules([{ action: 'Count', onExitCodes: { operator: 'In', values: [1] } }], { podReplacementPolicy: 'TerminatingOrFailed' });
    assertCause(createCauses('Job', j), 'spec.podReplacementPolicy', 'Unsupported value: "TerminatingOrFailed": supported values: "Failed"');
  });
});

describe('Indexed Job validation', () => {
  test('completions are required when completionMode is Indexed', () =>
    assertCause(createCauses('Job', merge(job, { spec: { completionMode: 'Indexed', parallelism: 2 } })), 'spec.completions', 'Required value: when completion mode is Indexed'));
  test('a valid Indexed Job', () => assert.deepEqual(lines(createCauses('Job', merge(job, { spec: { completionMode: 'Indexed', completions: 3, parallelism: 3 } }))), []));
  test('the largest hostname <name>-<completions-1> must be a DNS label', () =>
    assertCause(createCauses('Job', merge(job, { metadata: { name: 'j'.repeat(62) }, spec: { completionMode: 'Indexed', completions: 10 } })), 'metadata.name', 'Invalid value: "jjj'));
  test('backoffLimitPerIndex requires Indexed', () =>
    assertCause(createCauses('Job', merge(job, { spec: { backoffLimitPerIndex: 1 } })), 'spec.backoffLimitPerIndex', 'Invalid value: 1: requires indexed completion mode'));
});

describe('Job status validation (validateJobStatus)', () => {
  test('counters are non-negative; uncountedTerminatedPods uids are non-empty and unique across both lists', () => {
    const old = merge(job, { status: {} });
    assertCause(statusCauses('Job', merge(job, { status: { terminating: -1 } }), old), 'status.terminating', 'Invalid value: -1: must be greater than or equal to 0');
    const dup = merge(job, { status: { uncountedTerminatedPods: { succeeded: ['a', ''], failed: ['a'] } } });
    assertCause(statusCauses('Job', dup, old), 'status.uncountedTerminatedPods.succeeded[1]', 'Invalid value: "": must not be empty');
    assertCause(statusCauses('Job', dup, old), 'status.uncountedTerminatedPods.failed[0]', 'Duplicate value: "a"');
    assert.deepEqual(statusCauses('Job', merge(job, { status: { succeeded: 2, ready: 0, uncountedTerminatedPods: { failed: ['b'] } } }), old), []);
  });
});
