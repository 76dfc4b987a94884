// Event building: MicroTime formatting, the user and objectRef shapes, responseStatus from a
// Status, omitManagedFields over objects, lists and Tables.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { microTime, nowEpochMs, objectRefOf, omitManagedFields, responseStatusOf, truncateUserAgent, eventUser } from './event.js';
import type { RequestContext } from '../auth/context.js';

describe('audit events', () => {
  test('MicroTime: UTC, six fractional digits', () => {
    const ms = Date.UTC(2026, 11, 2, 20, 31, 51, 123);
    assert.equal(microTime(ms + 0.456), '2026-12-02T20:31:51.123456Z');
    assert.equal(microTime(ms), '2026-12-02T20:31:51.123000Z');
    assert.equal(microTime(ms + 0.9999), '2026-12-02T20:31:51.124000Z');
    const now = nowEpochMs();
    assert.ok(Math.abs(now - Date.now()) < 5);
  });

  test('user: empty fields left out; no user is {}', () => {
    assert.deepEqual(eventUser({ username: 'system:anonymous', groups: [] }), { username: 'system:anonymous' });
    assert.deepEqual(eventUser(undefined), {});
  });

  test('user agent: truncated past 1024 characters', () => {
    assert.equal(truncateUserAgent('x'.repeat(2000)), 'x'.repeat(1024) + '...TRUNCATED');
  });

  test('objectRef: from the attributes, completed from the request body; none for non-resource requests', () => {
    const ctx = (attributes: Partial<RequestContext['attributes']>): RequestContext => ({
      auditID: 'a',
      receivedAt: new Date(),
      attributes: { verb: 'update', resourceRequest: true, path: '', namespace: 'ns', apiGroup: 'apps', apiVersion: 'v1', resource: 'deployments', subresource: 'scale', name: 'web', ...attributes },
      longRunning: false,
      sourceIPs: [],
      userAgent: '',
      auditAnnotations: {},
    });
    assert.deepEqual(objectRefOf(ctx({}), { metadata: { name: 'ignored', uid: 'u1', resourceVersion: '9' } }), {
      resource: 'deployments',
      namespace: 'ns',
      name: 'web',
      uid: 'u1',
      apiGroup: 'apps',
      apiVersion: 'v1',
      resourceVersion: '9',
      subresource: 'scale',
    });
    assert.equal(objectRefOf(ctx({ resourceRequest: false, path: '/healthz' }), undefined), undefined);
  });

  test('responseStatus: a Status body gives status, message, reason, details', () => {
    const status = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'm', reason: 'Conflict', details: { name: 'x' }, code: 409 };
    assert.deepEqual(responseStatusOf(409, status), { metadata: {}, status: 'Failure', message: 'm', reason: 'Conflict', details: { name: 'x' }, code: 409 });
    assert.deepEqual(responseStatusOf(200, { kind: 'Pod' }), { metadata: {}, code: 200 });
    assert.deepEqual(responseStatusOf(401, undefined, { message: 'Authentication failed, attempted: bearer' }), { metadata: {}, message: 'Authentication failed, attempted: bearer', code: 401 });
  });

  test('omitManagedFields: objects, list items, Table rows', () => {
    const mf = () => ({ name: 'x', managedFields: [{ manager: 'm' }] });
    assert.deepEqual(omitManagedFields({ metadata: mf() }), { metadata: { name: 'x' } });
    assert.deepEqual(omitManagedFields({ kind: 'PodList', metadata: {}, items: [{ metadata: mf() }] }), { kind: 'PodList', metadata: {}, items: [{ metadata: { name: 'x' } }] });
    assert.deepEqual(omitManagedFields({ kind: 'Table', rows: [{ cells: [], object: { metadata: mf() } }] }), { kind: 'Table', rows: [{ cells: [], object: { metadata: { name: 'x' } } }] });
    assert.deepEqual(omitManagedFields([{ op: 'add' }]), [{ op: 'add' }]);
  });
});
