import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { StatusError } from './status.js';
import { findResource } from './resources.js';
import { checkFieldSelector, escapeFieldValue, fieldSelectorFromSet, objectFields, parseFieldSelector } from './fields.js';

const pods = findResource('', 'pods')!;
const nodes = findResource('', 'nodes')!;
const events = findResource('', 'events')!;
const namespaces = findResource('', 'namespaces')!;
const rcs = findResource('', 'replicationcontrollers')!;

function rejects(fn: () => unknown, code: number, message: string): void {
  assert.throws(fn, (e: unknown) => e instanceof StatusError && e.code === code && e.message === message);
}

describe('parseFieldSelector', () => {
  test('=, == and != terms', () => {
    const sel = parseFieldSelector('spec.nodeName=n1,status.phase!=Failed,metadata.name==web');
    assert.equal(sel.empty, false);
    assert.deepEqual(sel.requirements, [
      { field: 'metadata.name', op: '=', value: 'web' },
      { field: 'spec.nodeName', op: '=', value: 'n1' },
      { field: 'status.phase', op: '!=', value: 'Failed' },
    ]);
    assert.equal(sel.matches({ 'spec.nodeName': 'n1', 'status.phase': 'Running', 'metadata.name': 'web' }), true);
    assert.equal(sel.matches({ 'spec.nodeName': 'n1', 'status.phase': 'Failed', 'metadata.name': 'web' }), false);
  });

  test('empty selects everything; missing fields read as ""', () => {
    assert.equal(parseFieldSelector('').empty, true);
    assert.equal(parseFieldSelector('').matches({}), true);
    assert.equal(parseFieldSelector('spec.nodeName=').matches({}), true);
    assert.equal(parseFieldSelector('spec.nodeName!=').matches({ 'spec.nodeName': 'n1' }), true);
  });

  test('escapes', () => {
    const sel = parseFieldSelector('metadata.name=a\\,b\\=c\\\\d');
    assert.deepEqual(sel.requirements, [{ field: 'metadata.name', op: '=', value: 'a,b=c\\d' }]);
    assert.equal(sel.toString(), 'metadata.name=a\\,b\\=c\\\\d');
    assert.equal(escapeFieldValue('a,b'), 'a\\,b');
    assert.equal(fieldSelectorFromSet({ 'metadata.name': 'x,y' }).toString(), 'metadata.name=x\\,y');
  });

  test('syntax errors are 400s', () => {
    rejects(() => parseFieldSelector('spec.nodeName'), 400, "invalid selector: 'spec.nodeName'; can't understand 'spec.nodeName'");
    rejects(() => parseFieldSelector('a=b\\x'), 400, 'invalid field selector: invalid escape sequence: \\x');
    rejects(() => parseFieldSelector('a=b=c'), 400, 'invalid field selector: unescaped character in value: =');
  });
});

describe('checkFieldSelector', () => {
  test('metadata fields and declared fields pass, others are rejected', () => {
    checkFieldSelector(pods, parseFieldSelector('metadata.name=a,metadata.namespace=b,spec.nodeName=n'));
    checkFieldSelector(events, parseFieldSelector('involvedObject.uid=u,source=kubelet'));
    rejects(() => checkFieldSelector(pods, parseFieldSelector('spec.bogus=1')), 400, 'field label not supported: spec.bogus');
  });
});

describe('objectFields', () => {
  test('pods: paths, booleans and the primary pod IP', () => {
    const f = objectFields(pods, {
      metadata: { name: 'web', namespace: 'default' },
      spec: { nodeName: 'n1', restartPolicy: 'Always', containers: [] },
      status: { phase: 'Running', podIP: '10.0.0.9', podIPs: [{ ip: '10.0.0.9' }, { ip: 'fd00::9' }] },
    });
    assert.equal(f['metadata.name'], 'web');
    assert.equal(f['metadata.namespace'], 'default');
    assert.equal(f['spec.nodeName'], 'n1');
    assert.equal(f['spec.hostNetwork'], 'false');
    assert.equal(f['spec.schedulerName'], '');
    assert.equal(f['status.phase'], 'Running');
    assert.equal(f['status.podIP'], '10.0.0.9');
    assert.equal(parseFieldSelector('spec.nodeName=n1,status.phase!=Succeeded').matches(f), true);
  });

  test('zero values of bool and int fields', () => {
    assert.equal(objectFields(nodes, { metadata: { name: 'n' } })['spec.unschedulable'], 'false');
    assert.equal(objectFields(nodes, { metadata: { name: 'n' }, spec: { unschedulable: true } })['spec.unschedulable'], 'true');
    assert.equal(objectFields(nodes, { metadata: { name: 'n' } })['metadata.namespace'], undefined);
    assert.equal(objectFields(rcs, { metadata: { name: 'r', namespace: 'd' } })['status.replicas'], '0');
    assert.equal(objectFields(namespaces, { metadata: { name: 'x' }, status: { phase: 'Active' } })['status.phase'], 'Active');
  });

  test('events: involvedObject fields and source', () => {
    const ev = {
      metadata: { name: 'e', namespace: 'default' },
      involvedObject: { kind: 'Pod', name: 'web', namespace: 'default', uid: 'u1' },
      reason: 'Scheduled',
      source: { component: 'default-scheduler' },
      type: 'Normal',
    };
    const f = objectFields(events, ev);
    assert.equal(f.source, 'default-scheduler');
    assert.equal(f['involvedObject.uid'], 'u1');
    assert.equal(f['involvedObject.fieldPath'], '');
    const sel = parseFieldSelector('involvedObject.name=web,involvedObject.namespace=default,involvedObject.uid=u1');
    assert.equal(sel.matches(f), true);
    const fromController = objectFields(events, { metadata: { name: 'e2' }, reportingComponent: 'kubelet' });
    assert.equal(fromController.source, 'kubelet');
    assert.equal(fromController.reportingComponent, 'kubelet');
  });
});
