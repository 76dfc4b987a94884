import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { BEHAVIOR_ANNOTATION, CONDITIONS_ANNOTATION, METRICS_ANNOTATION, hpaV1ToV2, hpaV2ToV1 } from './autoscaling.js';
import { eventToEventsV1, eventsV1ToEvent } from './events.js';

describe('events.k8s.io/v1 ⇄ core/v1 Event', () => {
  const core = {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { name: 'e1', namespace: 'default' },
    involvedObject: { kind: 'Pod', name: 'web', namespace: 'default' },
    reason: 'Started',
    message: 'Started container web',
    count: 3,
    firstTimestamp: '2026-12-03T01:00:00Z',
    lastTimestamp: '2026-12-03T01:05:00Z',
    source: { component: 'kubelet', host: 'node-1' },
    reportingComponent: 'kubelet',
    reportingInstance: 'node-1',
    type: 'Normal',
    eventTime: null,
  };
  test('renames the fields and keeps the rest', () => {
    const v1 = eventToEventsV1(core);
    assert.equal(v1.apiVersion, 'events.k8s.io/v1');
    assert.deepEqual(v1.regarding, core.involvedObject);
    assert.equal(v1.note, core.message);
    assert.equal(v1.deprecatedCount, 3);
    assert.equal(v1.deprecatedFirstTimestamp, core.firstTimestamp);
    assert.deepEqual(v1.deprecatedSource, core.source);
    assert.equal(v1.reportingController, 'kubelet');
    assert.equal(v1.reportingInstance, 'node-1');
    for (const k of ['involvedObject', 'message', 'count', 'source', 'reportingComponent']) assert.ok(!(k in v1), k);
  });
  test('round-trips', () => {
    assert.deepEqual(eventsV1ToEvent(eventToEventsV1(core)), core);
  });
});

describe('autoscaling/v1 ⇄ v2 HorizontalPodAutoscaler', () => {
  const ref = { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' };
  test('v1 target CPU becomes a v2 Resource metric', () => {
    const v2 = hpaV1ToV2({ apiVersion: 'autoscaling/v1', kind: 'HorizontalPodAutoscaler', metadata: { name: 'h' }, spec: { scaleTargetRef: ref, minReplicas: 1, maxReplicas: 5, targetCPUUtilizationPercentage: 50 } });
    assert.equal(v2.apiVersion, 'autoscaling/v2');
    assert.deepEqual((v2.spec as { metrics: unknown }).metrics, [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 50 } } }]);
    assert.equal(v2.status, undefined);
  });
  test('what v1 cannot say rides in annotations and comes back', () => {
    const mem = { type: 'Resource', resource: { name: 'memory', target: { type: 'AverageValue', averageValue: '100Mi' } } };
    const cpu = { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 60 } } };
    const behavior = { scaleDown: { stabilizationWindowSeconds: 30 } };
    const conditions = [{ type: 'AbleToScale', status: 'True', reason: 'ReadyForNewScale' }];
    const v2 = {
      apiVersion: 'autoscaling/v2',
      kind: 'HorizontalPodAutoscaler',
      metadata: { name: 'h', annotations: { team: 'a' } },
      spec: { scaleTargetRef: ref, minReplicas: 2, maxReplicas: 9, metrics: [cpu, mem], behavior },
      status: {
        currentReplicas: 3,
        desiredReplicas: 4,
        currentMetrics: [{ type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: 71, averageValue: '71m' } } }],
        conditions,
      },
    };
    const v1 = hpaV2ToV1(v2);
    const spec = v1.spec as Record<string, unknown>;
    assert.equal(spec.targetCPUUtilizationPercentage, 60);
    assert.equal((v1.status as Record<string, unknown>).currentCPUUtilizationPercentage, 71);
    const ann = (v1.metadata as { annotations: Record<string, string> }).annotations;
    assert.deepEqual(JSON.parse(ann[METRICS_ANNOTATION]!), [mem]);
    assert.deepEqual(JSON.parse(ann[CONDITIONS_ANNOTATION]!), conditions);
    assert.deepEqual(JSON.parse(ann[BEHAVIOR_ANNOTATION]!), behavior);
    assert.equal(ann.team, 'a');
    assert.deepEqual(hpaV1ToV2(v1), v2);
  });
  test('an annotation that is not JSON carries nothing', () => {
    const v2 = hpaV1ToV2({ metadata: { name: 'h', annotations: { [METRICS_ANNOTATION]: '{oops' } }, spec: { scaleTargetRef: ref, maxReplicas: 3 } });
    assert.equal((v2.spec as Record<string, unknown>).metrics, undefined);
    assert.equal((v2.metadata as Record<string, unknown>).annotations, undefined);
  });
});
