// The bootstrap FlowSchemas classify as Kubernetes' do: masters exempt, nodes to system,
// controllers' leases to leader-election, kube-system accounts to workload-high, other
// accounts to workload-low, everyone else to global-default, one flow per user.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { UserInfo } from '../../../api/user.js';
import type { RequestAttributes } from '../../auth/context.js';
import { FLOW_SCHEMAS } from './bootstrap.js';
import { classify, matchingOrder } from './classify.js';

const ordered = matchingOrder(FLOW_SCHEMAS);
const authd = (username: string, ...groups: string[]): UserInfo => ({ username, groups: [...groups, 'system:authenticated'] });
const res = (verb: string, resource: string, namespace = '', apiGroup = ''): RequestAttributes => ({
  verb, resourceRequest: true, path: '', namespace, apiGroup, apiVersion: 'v1', resource, subresource: '', name: '',
});
const level = (u: UserInfo, a: RequestAttributes) => classify(ordered, u, a)?.schema.spec.priorityLevelConfiguration.name;

test('each kind of client lands on its bootstrap priority level', () => {
  assert.equal(level(authd('admin', 'system:masters'), res('list', 'pods', 'default')), 'exempt');
  assert.equal(level(authd('system:node:n1', 'system:nodes'), res('get', 'pods', 'default')), 'system');
  assert.equal(level(authd('system:node:n1', 'system:nodes'), res('update', 'leases', 'kube-node-lease', 'coordination.k8s.io')), 'node-high');
  assert.equal(level(authd('system:kube-scheduler'), res('update', 'leases', 'kube-system', 'coordination.k8s.io')), 'leader-election');
  assert.equal(level(authd('system:kube-scheduler'), res('list', 'pods')), 'workload-high');
  assert.equal(level(authd('system:kube-controller-manager'), res('create', 'pods', 'default')), 'workload-high');
  assert.equal(level(authd('system:serviceaccount:kube-system:coredns', 'system:serviceaccounts'), res('list', 'services')), 'workload-high');
  assert.equal(level(authd('system:serviceaccount:default:app', 'system:serviceaccounts'), res('list', 'services')), 'workload-low');
  assert.equal(level(authd('alice'), res('list', 'configmaps', 'default')), 'global-default');
  assert.equal(level({ username: 'system:anonymous', groups: ['system:unauthenticated'] }, { ...res('get', ''), resourceRequest: false, path: '/readyz' }), 'exempt');
  assert.equal(level({ username: 'system:anonymous', groups: ['system:unauthenticated'] }, { ...res('get', ''), resourceRequest: false, path: '/version' }), 'global-default');
  assert.equal(level({ username: 'x', groups: [] }, res('get', 'pods', 'default')), undefined);
});

test('flows: ByUser gives each user a flow, ByNamespace each namespace', () => {
  const a = classify(ordered, authd('alice'), res('list', 'configmaps', 'default'))!;
  const b = classify(ordered, authd('bob'), res('list', 'configmaps', 'default'))!;
  assert.notEqual(a.flow, b.flow);
  const kcm1 = classify(ordered, authd('system:kube-controller-manager'), res('create', 'pods', 'ns1'))!;
  const kcm2 = classify(ordered, authd('system:kube-controller-manager'), res('create', 'pods', 'ns2'))!;
  assert.equal(kcm1.flow, 'kube-controller-manager/ns1');
  assert.notEqual(kcm1.flow, kcm2.flow);
});
