// The DNSRecordsServed tracker alone: once per (Service, ClusterIP), nothing for the initial
// list, headless or ExternalName Services; a new ClusterIP (or a re-created Service) is news.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Service } from 'kubernetes-types/core/v1';
import { RecordsServedTracker } from './milestones.js';

const svc = (name: string, uid: string, spec: Service['spec']): Service => ({ metadata: { name, namespace: 'shop', uid, resourceVersion: '3' }, spec });

test('once per Service and ClusterIP', () => {
  const t = new RecordsServedTracker('cluster.local');
  const web = svc('web', 'u1', { clusterIP: '10.96.0.12', clusterIPs: ['10.96.0.12'] });
  assert.deepEqual(t.observe(web), {
    service: { kind: 'Service', apiVersion: 'v1', name: 'web', namespace: 'shop', uid: 'u1', resourceVersion: '3' },
    message: 'web.shop.svc.cluster.local answers 10.96.0.12',
  });
  assert.equal(t.observe({ ...web, metadata: { ...web.metadata, labels: { x: 'y' } } }), undefined, 'an update that keeps the ClusterIP');
  t.forget('u1');
  assert.ok(t.observe(svc('web', 'u1', { clusterIP: '10.96.0.12' })), 'forgotten on delete');
  assert.equal(t.observe(svc('web', 'u2', { clusterIP: '10.96.0.13' }))?.message, 'web.shop.svc.cluster.local answers 10.96.0.13', 're-created');
});

test('the initial list seeds; headless, ExternalName and IP-less Services are not reported', () => {
  const t = new RecordsServedTracker('example.test');
  assert.equal(t.observe(svc('old', 'u0', { clusterIP: '10.96.0.2' }), true), undefined);
  assert.equal(t.observe(svc('old', 'u0', { clusterIP: '10.96.0.2' })), undefined);
  assert.equal(t.observe(svc('db', 'u3', { clusterIP: 'None' })), undefined);
  assert.equal(t.observe(svc('ext', 'u4', { type: 'ExternalName', externalName: 'x.example' })), undefined);
  assert.equal(t.observe(svc('pending', 'u5', {})), undefined);
});
