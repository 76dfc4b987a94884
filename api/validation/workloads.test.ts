import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import type { KObject } from '../types.js';
import { assertCause, createCauses, lines, merge, set, updateCauses, statusCauses } from './testing.js';
import { cronScheduleError } from './batch.js';

const template = { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx' }] } };
const deploy: KObject = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', namespace: 'default' },
  spec: { replicas: 2, selector: { matchLabels: { app: 'web' } }, template },
};

describe('Deployment', () => {
  test('valid', () => assert.deepEqual(createCauses('Deployment', deploy), []));
  const table: [string, KObject, string, string][] = [
    ['selector required', merge(deploy, { spec: { selector: undefined } }), 'spec.selector', 'Required value'],
    [
      'selector must match template labels',
      set(deploy, 'spec.selector', { matchLabels: { app: 'api' } }),
      'spec.template.metadata.labels',
      'Invalid value: map[string]string{"app":"web"}: `selector` does not match template `labels`',
    ],
    ['empty selector', set(deploy, 'spec.selector', { matchLabels: {} }), 'spec.selector', 'Invalid value: v1.LabelSelector{MatchLabels:map[string]string{}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: empty selector is invalid for deployment'],
    ['replicas ≥ 0', merge(deploy, { spec: { replicas: -1 } }), 'spec.replicas', 'Invalid value: -1: must be greater than or equal to 0'],
    ['template pod spec paths', merge(deploy, { spec: { template: { spec: { containers: [{ name: 'web', image: '' }] } } } }), 'spec.template.spec.containers[0].image', 'Required value'],
    ['restartPolicy Always only', merge(deploy, { spec: { template: { spec: { restartPolicy: 'Never' } } } }), 'spec.template.spec.restartPolicy', 'Unsupported value: "Never": supported values: "Always"'],
    [
      'surge and unavailable both 0',
      merge(deploy, { spec: { strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 0, maxUnavailable: 0 } } } }),
      'spec.strategy.rollingUpdate.maxUnavailable',
      'Invalid value: 0: may not be 0 when `maxSurge` is 0',
    ],
    ['bad percent', merge(deploy, { spec: { strategy: { rollingUpdate: { maxSurge: 'lots' } } } }), 'spec.strategy.rollingUpdate.maxSurge', "Invalid value: lots: a valid percent string must be a numeric string followed by an ending '%'"],
    ['over 100%', merge(deploy, { spec: { strategy: { rollingUpdate: { maxUnavailable: '150%' } } } }), 'spec.strategy.rollingUpdate.maxUnavailable', 'Invalid value: 150%: must not be greater than 100%'],
    ['strategy type', merge(deploy, { spec: { strategy: { type: 'BlueGreen', rollingUpdate: undefined } } }), 'spec.strategy', 'Unsupported value:'],
    ['progress deadline', merge(deploy, { spec: { minReadySeconds: 700 } }), 'spec.progressDeadlineSeconds', 'Invalid value: 600: must be greater than minReadySeconds'],
  ];
  for (const [name, obj, fieldPath, prefix] of table) test(name, () => assertCause(createCauses('Deployment', obj), fieldPath, prefix));

  test('selector is immutable', () => {
    const old = merge(deploy, { metadata: { uid: 'u' } });
    const next = merge(old, { spec: { selector: { matchLabels: { app: 'web', tier: 'x' } }, template: { metadata: { labels: { tier: 'x' } } } } });
    assert.deepEqual(lines(updateCauses('Deployment', next, old)), [
      'spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{"app":"web", "tier":"x"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable',
    ]);
  });
  test('scaling is an allowed update', () => {
    assert.deepEqual(updateCauses('Deployment', merge(deploy, { spec: { replicas: 5 } }), deploy), []);
  });
  test('status counters are non-negative', () => {
    assertCause(statusCauses('Deployment', merge(deploy, { status: { replicas: -1 } }), deploy), 'status.replicas', 'Invalid value: -1');
  });
});

describe('other controllers', () => {
  const rs = { ...deploy, kind: 'ReplicaSet' };
  test('ReplicaSet reuses the deployment empty-selector text', () =>
    assertCause(createCauses('ReplicaSet', set(rs, 'spec.selector', { matchLabels: {} })), 'spec.selector', 'Invalid value: v1.LabelSelector{'));
  test('ReplicationController selector defaults from the template', () => {
    assert.deepEqual(createCauses('ReplicationController', { metadata: { name: 'rc', namespace: 'default' }, spec: { template } }), []);
  });
  test('ReplicationController selector must match', () =>
    assertCause(
      createCauses('ReplicationController', { metadata: { name: 'rc', namespace: 'default' }, spec: { selector: { app: 'x' }, template } }),
      'spec.template.metadata.labels',
      'Invalid value: map[string]string{"app":"web"}: `selector` does not match template `labels`',
    ));
  test('StatefulSet and DaemonSet validate selectors and template', () => {
    const sts = { metadata: { name: 'db', namespace: 'default' }, spec: { serviceName: 'db', selector: { matchLabels: { app: 'web' } }, template } };
    assert.deepEqual(createCauses('StatefulSet', sts), []);
    assertCause(createCauses('StatefulSet', set(sts, 'spec.selector', { matchLabels: {} })), 'spec.selector', 'Invalid value: v1.LabelSelector{');
    assertCause(
      updateCauses('StatefulSet', merge(sts, { spec: { serviceName: 'other' } }), sts),
      'spec',
      "Forbidden: updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden",
    );
    // Containers may mount a volumeClaimTemplate by name: the controller adds it as a volume.
    const mounting = merge(sts, {
      spec: {
        template: { spec: { containers: [{ name: 'c', image: 'nginx', volumeMounts: [{ name: 'data', mountPath: '/data' }] }] } },
        volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } }],
      },
    });
    assert.deepEqual(createCauses('StatefulSet', mounting), []);
    assertCause(createCauses('StatefulSet', merge(mounting, { spec: { volumeClaimTemplates: [] } })), 'spec.template.spec.containers[0].volumeMounts[0].name', 'Not found: "data"');
    assertCause(
      createCauses('StatefulSet', set(sts, 'spec.persistentVolumeClaimRetentionPolicy', { whenDeleted: 'Keep', whenScaled: 'Delete' })),
      'spec.persistentVolumeClaimRetentionPolicy.whenDeleted',
      'Unsupported value: "Keep": supported values: "Delete", "Retain"',
    );
    const ds = { metadata: { name: 'agent', namespace: 'default' }, spec: { selector: { matchLabels: { app: 'web' } }, template } };
    assert.deepEqual(createCauses('DaemonSet', ds), []);
    assertCause(createCauses('DaemonSet', set(ds, 'spec.selector', { matchLabels: { app: 'x' } })), 'spec.template.metadata.labels', 'Invalid value:');
  });
});

describe('Job and CronJob', () => {
  const jobTemplate = { metadata: { labels: { app: 'batch' } }, spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox' }] } };
  const job: KObject = { metadata: { name: 'pi', namespace: 'default', uid: 'uid-1' }, spec: { template: jobTemplate } };
  test('defaulted job with a uid gets a selector and validates', () => assert.deepEqual(createCauses('Job', job), []));
  test('job without uid and selector reports the selector', () => assertCause(createCauses('Job', merge(job, { metadata: { uid: undefined } })), 'spec.selector', 'Required value'));
  test('job restartPolicy', () =>
    assertCause(createCauses('Job', merge(job, { spec: { template: { spec: { restartPolicy: 'Always' } } } })), 'spec.template.spec.restartPolicy', 'Required value: valid values: "OnFailure", "Never"'));
  test('job backoffLimit', () => assertCause(createCauses('Job', merge(job, { spec: { backoffLimit: -1 } })), 'spec.backoffLimit', 'Invalid value: -1'));
  const cj: KObject = { metadata: { name: 'tick', namespace: 'default' }, spec: { schedule: '*/5 * * * *', jobTemplate: { spec: { template: jobTemplate } } } };
  test('valid cronjob', () => assert.deepEqual(createCauses('CronJob', cj), []));
  test('schedule required', () => assertCause(createCauses('CronJob', merge(cj, { spec: { schedule: '' } })), 'spec.schedule', 'Required value'));
  test('schedule parsed', () => assertCause(createCauses('CronJob', merge(cj, { spec: { schedule: '* * *' } })), 'spec.schedule', 'Invalid value: "* * *": expected exactly 5 fields, found 3'));
  test('name ≤ 52', () => assertCause(createCauses('CronJob', merge(cj, { metadata: { name: 'c'.repeat(53) } })), 'metadata.name', 'Invalid value:'));
  test('cron macros', () => {
    assert.equal(cronScheduleError('@hourly'), undefined);
    assert.equal(cronScheduleError('0 0 * * MON-FRI'), undefined);
  });
});
