// HorizontalPodAutoscaler defaulting and validation, after pkg/apis/autoscaling/validation's
// TestValidateHorizontalPodAutoscaler and v2/defaults_test.go.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import type { KObject } from '../types.js';
import { assertCause, clone, createCauses, infoFor, lines, set, statusCauses } from './testing.js';
import { applyDefaults } from '../defaults/index.js';

const hpa: KObject = {
  apiVersion: 'autoscaling/v2',
  kind: 'HorizontalPodAutoscaler',
  metadata: { name: 'web', namespace: 'default' },
  spec: {
    scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' },
    minReplicas: 1,
    maxReplicas: 5,
    metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 50 } } }],
  },
};
const M = 'spec.metrics[0]';

describe('HorizontalPodAutoscaler defaults', () => {
  test('minReplicas 1 and an 80% CPU metric when none is given; behavior stays unset', () => {
    const o = clone(hpa);
    delete (o['spec'] as Record<string, unknown>)['minReplicas'];
    delete (o['spec'] as Record<string, unknown>)['metrics'];
    applyDefaults(infoFor('HorizontalPodAutoscaler'), o);
    const spec = o['spec'] as Record<string, unknown>;
    assert.equal(spec['minReplicas'], 1);
    assert.deepEqual(spec['metrics'], [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } }]);
    assert.equal(spec['behavior'], undefined);
  });

  test('a partial behavior gets the missing rules, the scale-down window left to the controller', () => {
    const o = set(hpa, 'spec.behavior', { scaleUp: { stabilizationWindowSeconds: 120 } });
    applyDefaults(infoFor('HorizontalPodAutoscaler'), o);
    assert.deepEqual((o['spec'] as Record<string, unknown>)['behavior'], {
      scaleUp: {
        stabilizationWindowSeconds: 120,
        selectPolicy: 'Max',
        policies: [
          { type: 'Pods', value: 4, periodSeconds: 15 },
          { type: 'Percent', value: 100, periodSeconds: 15 },
        ],
      },
      scaleDown: { selectPolicy: 'Max', policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }] },
    });
  });
});

describe('HorizontalPodAutoscaler validation', () => {
  test('valid', () => assert.deepEqual(createCauses('HorizontalPodAutoscaler', hpa), []));
  test('valid with every source type and a behavior', () => {
    const metrics = [
      { type: 'Resource', resource: { name: 'memory', target: { type: 'AverageValue', averageValue: '100Mi' } } },
      { type: 'ContainerResource', containerResource: { name: 'cpu', container: 'app', target: { type: 'Utilization', averageUtilization: 60 } } },
      { type: 'Pods', pods: { metric: { name: 'qps' }, target: { type: 'AverageValue', averageValue: '10' } } },
      { type: 'Object', object: { describedObject: { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', name: 'main' }, metric: { name: 'rps' }, target: { type: 'Value', value: '10k' } } },
      { type: 'External', external: { metric: { name: 'queue', selector: { matchLabels: { q: 'jobs' } } }, target: { type: 'AverageValue', averageValue: '30' } } },
    ];
    const behavior = { scaleDown: { stabilizationWindowSeconds: 60, selectPolicy: 'Min', policies: [{ type: 'Pods', value: 1, periodSeconds: 60 }] } };
    assert.deepEqual(createCauses('HorizontalPodAutoscaler', set(set(hpa, 'spec.metrics', metrics), 'spec.behavior', behavior)), []);
  });

  const table: [string, KObject, string, string][] = [
    ['minReplicas ≥ 1', set(hpa, 'spec.minReplicas', 0), 'spec.minReplicas', 'Invalid value: 0: must be greater than or equal to 1'],
    ['maxReplicas > 0', set(set(hpa, 'spec.maxReplicas', 0), 'spec.minReplicas', undefined), 'spec.maxReplicas', 'Invalid value: 0: must be greater than 0'],
    ['maxReplicas ≥ minReplicas', set(hpa, 'spec.minReplicas', 7), 'spec.maxReplicas', 'Invalid value: 5: must be greater than or equal to `minReplicas`'],
    ['scaleTargetRef.kind required', set(hpa, 'spec.scaleTargetRef.kind', ''), 'spec.scaleTargetRef.kind', 'Required value'],
    ['scaleTargetRef.name path-safe', set(hpa, 'spec.scaleTargetRef.name', 'a/b'), 'spec.scaleTargetRef.name', `Invalid value: "a/b": may not contain '/'`],
    ['metric type required', set(hpa, `${M}.type`, ''), `${M}.type`, 'Required value: must specify a metric source type'],
    [
      'metric type supported',
      set(hpa, `${M}.type`, 'Custom'),
      `${M}.type`,
      'Unsupported value: "Custom": supported values: "ContainerResource", "External", "Object", "Pods", "Resource"',
    ],
    ['source must match the type', set(hpa, `${M}.type`, 'Pods'), `${M}.pods`, 'Required value: must populate information for the given metric source'],
    ['only one source', set(hpa, `${M}.pods`, { metric: { name: 'qps' }, target: { type: 'AverageValue', averageValue: '1' } }), `${M}.pods`, 'Forbidden: must populate the given metric source only'],
    ['resource name required', set(hpa, `${M}.resource.name`, ''), `${M}.resource.name`, 'Required value: must specify a resource name'],
    ['resource name standard', set(hpa, `${M}.resource.name`, 'gpu'), `${M}.resource.name`, 'Invalid value: "gpu": must be a standard resource for containers'],
    ['target type', set(hpa, `${M}.resource.target.type`, 'Percent'), `${M}.resource.target.type`, 'Invalid value: "Percent": must be either Utilization, Value, or AverageValue'],
    ['averageUtilization > 0', set(hpa, `${M}.resource.target.averageUtilization`, 0), `${M}.resource.target.averageUtilization`, 'Invalid value: 0: must be greater than 0'],
    [
      'utilization or value',
      set(hpa, `${M}.resource.target`, { type: 'Utilization' }),
      `${M}.resource.target.averageUtilization`,
      'Required value: must set either a target raw value or a target utilization',
    ],
    [
      'not both',
      set(hpa, `${M}.resource.target.averageValue`, '100m'),
      `${M}.resource.target.averageValue`,
      'Forbidden: may not set both a target raw value and a target utilization',
    ],
    [
      'averageValue positive',
      set(hpa, `${M}.resource.target`, { type: 'AverageValue', averageValue: '-1' }),
      `${M}.resource.target.averageValue`,
      'Invalid value: -1: must be positive',
    ],
    [
      'pods needs an averageValue',
      set(hpa, 'spec.metrics', [{ type: 'Pods', pods: { metric: { name: 'qps' }, target: { type: 'Value', value: '1' } } }]),
      `${M}.pods.target.averageValue`,
      'Required value: must specify a positive target averageValue',
    ],
    [
      'metric name required',
      set(hpa, 'spec.metrics', [{ type: 'Pods', pods: { metric: {}, target: { type: 'AverageValue', averageValue: '1' } } }]),
      `${M}.pods.metric.name`,
      'Required value: must specify a metric name',
    ],
    [
      'container required',
      set(hpa, 'spec.metrics', [{ type: 'ContainerResource', containerResource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 5 } } }]),
      `${M}.containerResource.container`,
      'Required value: must specify a container',
    ],
    [
      'external value xor averageValue',
      set(hpa, 'spec.metrics', [{ type: 'External', external: { metric: { name: 'q' }, target: { type: 'Value', value: '1', averageValue: '1' } } }]),
      `${M}.external.target.value`,
      'Forbidden: may not set both a target value for metric and a per-pod target',
    ],
    ['policies required', set(hpa, 'spec.behavior', { scaleUp: { policies: [] } }), 'spec.behavior.scaleUp.policies', 'Required value: must specify at least one Policy'],
    [
      'selectPolicy values',
      set(hpa, 'spec.behavior', { scaleDown: { selectPolicy: 'Avg', policies: [{ type: 'Pods', value: 1, periodSeconds: 15 }] } }),
      'spec.behavior.scaleDown.selectPolicy',
      'Unsupported value: "Avg": supported values: "Disabled", "Max", "Min"',
    ],
    [
      'stabilization window ≤ 3600',
      set(hpa, 'spec.behavior', { scaleDown: { stabilizationWindowSeconds: 3601, policies: [{ type: 'Pods', value: 1, periodSeconds: 15 }] } }),
      'spec.behavior.scaleDown.stabilizationWindowSeconds',
      'Invalid value: 3601: must be less than or equal to 3600',
    ],
    [
      'stabilization window ≥ 0',
      set(hpa, 'spec.behavior', { scaleUp: { stabilizationWindowSeconds: -1, policies: [{ type: 'Pods', value: 1, periodSeconds: 15 }] } }),
      'spec.behavior.scaleUp.stabilizationWindowSeconds',
      'Invalid value: -1: must be greater than or equal to zero',
    ],
    [
      'policy type',
      set(hpa, 'spec.behavior', { scaleUp: { policies: [{ type: 'Replicas', value: 1, periodSeconds: 15 }] } }),
      'spec.behavior.scaleUp.policies[0].type',
      'Unsupported value: "Replicas": supported values: "Percent", "Pods"',
    ],
    [
      'policy value > 0',
      set(hpa, 'spec.behavior', { scaleUp: { policies: [{ type: 'Pods', value: 0, periodSeconds: 15 }] } }),
      'spec.behavior.scaleUp.policies[0].value',
      'Invalid value: 0: must be greater than zero',
    ],
    [
      'policy period ≤ 1800',
      set(hpa, 'spec.behavior', { scaleUp: { policies: [{ type: 'Percent', value: 10, periodSeconds: 1801 }] } }),
      'spec.behavior.scaleUp.policies[0].periodSeconds',
      'Invalid value: 1801: must be less than or equal to 1800',
    ],
  ];
  for (const [name, obj, path, msg] of table) test(name, () => assertCause(createCauses('HorizontalPodAutoscaler', obj), path, msg));

  test('every violation is reported', () => {
    const bad = set(set(hpa, 'spec.minReplicas', 0), 'spec.maxReplicas', -1);
    assert.deepEqual(lines(createCauses('HorizontalPodAutoscaler', bad)), [
      'spec.minReplicas: Invalid value: 0: must be greater than or equal to 1',
      'spec.maxReplicas: Invalid value: -1: must be greater than 0',
      'spec.maxReplicas: Invalid value: -1: must be greater than or equal to `minReplicas`',
    ]);
  });

  test('status: replica counts are not negative', () => {
    const withStatus = set(hpa, 'status', { currentReplicas: -1, desiredReplicas: -2 });
    assert.deepEqual(lines(statusCauses('HorizontalPodAutoscaler', withStatus, hpa)), [
      'status.currentReplicas: Invalid value: -1: must be greater than or equal to 0',
      'status.desiredReplicasa: Invalid value: -2: must be greater than or equal to 0',
    ]);
  });
});
