import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { applyDefaults } from '../../api/defaults/index.js';
import { RESOURCES } from '../../api/resources.js';
import type { KObject } from '../../api/types.js';
import { LIMIT_RANGER_ANNOTATION, aggregateMessage, podMutateLimit, podValidateLimit, pvcValidateLimit } from './limit-ranger-rules.js';

type Rec = Record<string, unknown>;
const info = (kind: string) => RESOURCES.find((r) => r.kind === kind)!;

function limitRange(limits: Rec[]): Rec {
  const lr: KObject = { apiVersion: 'v1', kind: 'LimitRange', metadata: { name: 'lr', namespace: 'ns' }, spec: { limits } };
  applyDefaults(info('LimitRange'), lr);
  return lr as Rec;
}

function pod(containers: Rec[], initContainers: Rec[] = []): Rec {
  return { metadata: { name: 'p', namespace: 'ns' }, spec: { containers, ...(initContainers.length ? { initContainers } : {}) } };
}

const resourcesOf = (p: Rec, i = 0): unknown => ((p.spec as Rec).containers as Rec[])[i]?.resources;

describe('LimitRanger defaulting', () => {
  test('fills missing requests and limits and annotates as Kubernetes does', () => {
    const lr = limitRange([{ type: 'Container', default: { cpu: '500m', memory: '256Mi' }, defaultRequest: { cpu: '100m' } }]);
    const p = pod([{ name: 'a' }, { name: 'b', resources: { requests: { memory: '64Mi' }, limits: { cpu: '1' } } }], [{ name: 'init' }]);
    podMutateLimit(lr, p);
    assert.deepEqual(resourcesOf(p, 0), { limits: { cpu: '500m', memory: '256Mi' }, requests: { cpu: '100m', memory: '256Mi' } });
    assert.deepEqual(resourcesOf(p, 1), { requests: { memory: '64Mi', cpu: '100m' }, limits: { cpu: '1', memory: '256Mi' } });
    assert.equal(
      ((p.metadata as Rec).annotations as Rec)[LIMIT_RANGER_ANNOTATION],
      'LimitRanger plugin set: cpu, memory request for container a; cpu, memory limit for container a; cpu request for container b; memory limit for container b; cpu, memory request for init container init; cpu, memory limit for init container init',
    );
  });

  test('a limit-only default makes the request default equal (SetDefaults_LimitRangeItem)', () => {
    const lr = limitRange([{ type: 'Container', default: { cpu: '300m' } }]);
    const p = pod([{ name: 'a' }]);
    podMutateLimit(lr, p);
    assert.deepEqual(resourcesOf(p), { limits: { cpu: '300m' }, requests: { cpu: '300m' } });
  });

  test('max becomes the default limit and min the default request', () => {
    const lr = limitRange([{ type: 'Container', max: { cpu: '2' }, min: { memory: '10Mi' } }]);
    const p = pod([{ name: 'a' }]);
    podMutateLimit(lr, p);
    assert.deepEqual(resourcesOf(p), { limits: { cpu: '2' }, requests: { cpu: '2', memory: '10Mi' } });
  });

  test('a pod with everything set is left alone', () => {
    const lr = limitRange([{ type: 'Container', default: { cpu: '1' } }]);
    const p = pod([{ name: 'a', resources: { requests: { cpu: '1' }, limits: { cpu: '1' } } }]);
    podMutateLimit(lr, p);
    assert.equal((p.metadata as Rec).annotations, undefined);
  });
});

describe('LimitRanger enforcement', () => {
  const c = (requests: Rec, limits: Rec = {}): Rec => ({ name: 'c', resources: { requests, limits } });

  test('Container max and min with Kubernetes messages', () => {
    const lr = limitRange([{ type: 'Container', max: { cpu: '500m' }, min: { memory: '100Mi' } }]);
    assert.deepEqual(podValidateLimit(lr, pod([c({ cpu: '100m', memory: '200Mi' }, { cpu: '1' })])), ['maximum cpu usage per Container is 500m, but limit is 1']);
    assert.deepEqual(podValidateLimit(lr, pod([c({ cpu: '100m', memory: '50Mi' }, { cpu: '500m' })])), ['minimum memory usage per Container is 100Mi, but request is 50Mi']);
    assert.deepEqual(podValidateLimit(lr, pod([c({ memory: '100Mi' })])), ['maximum cpu usage per Container is 500m.  No limit is specified']);
    assert.deepEqual(podValidateLimit(lr, pod([c({ memory: '1Gi', cpu: '1' }, { cpu: '400m' })])), ['maximum cpu usage per Container is 500m, but request is 1']);
    assert.deepEqual(podValidateLimit(lr, pod([c({ memory: '1Gi' }, { cpu: '500m' })])), []);
  });

  test('maxLimitRequestRatio', () => {
    const lr = limitRange([{ type: 'Container', maxLimitRequestRatio: { cpu: '2' } }]);
    assert.deepEqual(podValidateLimit(lr, pod([c({ cpu: '100m' }, { cpu: '300m' })])), ['cpu max limit to request ratio per Container is 2, but provided ratio is 3.000000']);
    assert.deepEqual(podValidateLimit(lr, pod([c({ cpu: '100m' }, { cpu: '200m' })])), []);
    assert.deepEqual(podValidateLimit(lr, pod([c({}, { cpu: '200m' })])), ['cpu max limit to request ratio per Container is 2, but no request is specified or request is 0']);
  });

  test('Pod items check the sum of containers, or a larger init container', () => {
    const lr = limitRange([{ type: 'Pod', max: { cpu: '1' } }]);
    const two = pod([c({ cpu: '300m' }, { cpu: '600m' }), c({ cpu: '300m' }, { cpu: '600m' })]);
    assert.deepEqual(podValidateLimit(lr, two), ['maximum cpu usage per Pod is 1, but limit is 1200m']);
    const init = pod([c({ cpu: '100m' }, { cpu: '100m' })], [c({ cpu: '2' }, { cpu: '2' })]);
    assert.deepEqual(podValidateLimit(lr, init), ['maximum cpu usage per Pod is 1, but limit is 2']);
  });

  test('PersistentVolumeClaim min and max against requests.storage', () => {
    const lr = limitRange([{ type: 'PersistentVolumeClaim', min: { storage: '1Gi' }, max: { storage: '10Gi' } }]);
    const pvc = (storage: string): Rec => ({ spec: { resources: { requests: { storage } } } });
    assert.deepEqual(pvcValidateLimit(lr, pvc('500Mi')), ['minimum storage usage per PersistentVolumeClaim is 1Gi, but request is 500Mi']);
    assert.deepEqual(pvcValidateLimit(lr, pvc('20Gi')), ['maximum storage usage per PersistentVolumeClaim is 10Gi, but request is 20Gi']);
    assert.deepEqual(pvcValidateLimit(lr, pvc('5Gi')), []);
  });

  test('several violations aggregate as utilerrors does', () => {
    assert.equal(aggregateMessage(['a']), 'a');
    assert.equal(aggregateMessage(['a', 'b', 'a']), '[a, b]');
  });
});
