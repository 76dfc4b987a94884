import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { podQOSClass } from './qos.js';

const pod = (...resources: { requests?: Record<string, string>; limits?: Record<string, string> }[]) => ({
  spec: { containers: resources.map((r) => ({ resources: r })) },
});

describe('podQOSClass', () => {
  it('is BestEffort when nothing requests or limits cpu or memory', () => {
    assert.equal(podQOSClass(pod({})), 'BestEffort');
    assert.equal(podQOSClass(pod({ limits: { 'nvidia.com/gpu': '1' } })), 'BestEffort');
    assert.equal(podQOSClass({ spec: {} }), 'BestEffort');
  });
  it('compares quantities by value: 1 and 1000m are equal', () => {
    assert.equal(podQOSClass(pod({ requests: { cpu: '1', memory: '1Gi' }, limits: { cpu: '1000m', memory: '1024Mi' } })), 'Guaranteed');
  });
  it('takes an unset request from its limit', () => {
    assert.equal(podQOSClass(pod({ limits: { cpu: '500m', memory: '64Mi' } })), 'Guaranteed');
  });
  it('is Burstable when a container lacks a cpu or memory limit, or a request differs', () => {
    assert.equal(podQOSClass(pod({ limits: { cpu: '1', memory: '1Gi' } }, { requests: { cpu: '1' } })), 'Burstable');
    assert.equal(podQOSClass(pod({ limits: { cpu: '1' } })), 'Burstable');
    assert.equal(podQOSClass(pod({ requests: { cpu: '500m', memory: '1Gi' }, limits: { cpu: '1', memory: '1Gi' } })), 'Burstable');
  });
  it('counts init containers', () => {
    const p = { spec: { containers: [{ resources: { limits: { cpu: '1', memory: '1Gi' } } }], initContainers: [{ resources: { requests: { cpu: '1' } } }] } };
    assert.equal(podQOSClass(p), 'Burstable');
  });
});
