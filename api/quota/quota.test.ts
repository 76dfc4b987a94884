import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { evaluatorFor, pvcUsage, serviceUsage } from './evaluators.js';
import { podConstraints, podMatchesScope, podUsage } from './pods.js';
import { charge, deltaUsage, QuotaDenied, quotaView, restrictedResources, scopeSelectors } from './quota.js';
import { formatResourceList, parseResourceList, prettyPrint } from './resource-list.js';

const pods = evaluatorFor({ group: '', resource: 'pods' });
const fmt = (l: ReturnType<typeof podUsage>): Record<string, string> => formatResourceList(l);

const pod = (containers: unknown[], extra: Record<string, unknown> = {}): Record<string, unknown> => ({ metadata: { name: 'p', namespace: 'ns' }, spec: { containers, ...extra } });
const c = (name: string, requests?: Record<string, string>, limits?: Record<string, string>): unknown => ({ name, resources: { ...(requests ? { requests } : {}), ...(limits ? { limits } : {}) } });

describe('pod evaluator (PodUsageFunc)', () => {
  test('requests, limits and the cpu/memory shorthands', () => {
    const u = podUsage(pod([c('a', { cpu: '100m', memory: '64Mi' }, { cpu: '200m', memory: '128Mi' }), c('b', { cpu: '150m' })]));
    assert.deepEqual(fmt(u), {
      'count/pods': '1', pods: '1', cpu: '250m', 'requests.cpu': '250m', memory: '64Mi', 'requests.memory': '64Mi', 'limits.cpu': '200m', 'limits.memory': '128Mi',
    });
  });
  test('init containers: the larger of their need and the containers’ sum; sidecars add up', () => {
    const u = podUsage(pod([c('a', { cpu: '100m' })], { initContainers: [c('i', { cpu: '500m' }), { ...(c('s', { cpu: '50m' }) as object), restartPolicy: 'Always' }] }));
    assert.equal(fmt(u)['requests.cpu'], '500m');
    const sidecar = podUsage(pod([c('a', { cpu: '100m' })], { initContainers: [{ ...(c('s', { cpu: '50m' }) as object), restartPolicy: 'Always' }] }));
    assert.equal(fmt(sidecar)['requests.cpu'], '150m');
  });
  test('terminal pods are charged only count/pods', () => {
    for (const phase of ['Succeeded', 'Failed']) assert.deepEqual(fmt(podUsage({ ...pod([c('a', { cpu: '1' })]), status: { phase } })), { 'count/pods': '1' });
    const stuck = { metadata: { deletionTimestamp: '2026-01-01T00:00:00Z', deletionGracePeriodSeconds: 30 }, spec: { containers: [] } };
    assert.deepEqual(fmt(podUsage(stuck, Date.parse('2026-01-01T00:01:00Z'))), { 'count/pods': '1' });
    assert.equal(fmt(podUsage(stuck, Date.parse('2026-01-01T00:00:10Z')))['pods'], '1');
  });
  test('constraints: containers missing a required request, upstream wording', () => {
    const p = pod([c('a', { memory: '1Mi' }), c('b')], { initContainers: [c('i', { cpu: '1' })] });
    assert.equal(podConstraints(['pods', 'requests.cpu', 'limits.memory'], p), 'must specify limits.memory for: a,b,i; requests.cpu for: a,b');
    assert.equal(podConstraints(['pods', 'requests.ephemeral-storage'], p), undefined);
  });
  test('scopes', () => {
    const be = pod([c('a')]);
    const burst = pod([c('a', { cpu: '1' })], { activeDeadlineSeconds: 10, priorityClassName: 'high' });
    const s = (scopeName: string, operator = 'Exists', values?: string[]) => ({ scopeName, operator, ...(values ? { values } : {}) });
    assert.equal(podMatchesScope(s('BestEffort'), be), true);
    assert.equal(podMatchesScope(s('NotBestEffort'), be), false);
    assert.equal(podMatchesScope(s('Terminating'), burst), true);
    assert.equal(podMatchesScope(s('NotTerminating'), burst), false);
    assert.equal(podMatchesScope(s('PriorityClass', 'In', ['high']), burst), true);
    assert.equal(podMatchesScope(s('PriorityClass', 'NotIn', ['high']), burst), false);
    assert.equal(podMatchesScope(s('PriorityClass', 'NotIn', ['high']), be), true);
    assert.equal(podMatchesScope(s('PriorityClass', 'Exists'), be), false);
    assert.equal(podMatchesScope(s('PriorityClass', 'DoesNotExist'), be), true);
    assert.deepEqual(scopeSelectors({ scopes: ['BestEffort'], scopeSelector: { matchExpressions: [{ scopeName: 'PriorityClass', operator: 'In', values: ['a'] }] } }), [
      { scopeName: 'BestEffort', operator: 'Exists' },
      { scopeName: 'PriorityClass', operator: 'In', values: ['a'] },
    ]);
  });
});

describe('service and PVC evaluators', () => {
  test('node ports and load balancers', () => {
    const ports = [{ port: 80 }, { port: 443 }];
    assert.deepEqual(formatResourceList(serviceUsage({ spec: { type: 'ClusterIP', ports } })), { 'count/services': '1', services: '1' });
    assert.equal(formatResourceList(serviceUsage({ spec: { type: 'NodePort', ports } }))['services.nodeports'], '2');
    assert.deepEqual(formatResourceList(serviceUsage({ spec: { type: 'LoadBalancer', ports } })), { 'count/services': '1', services: '1', 'services.nodeports': '2', 'services.loadbalancers': '1' });
  });
  test('storage per class', () => {
    const u = formatResourceList(pvcUsage({ spec: { storageClassName: 'gold', resources: { requests: { storage: '1Gi' } } }, status: { allocatedResources: { storage: '2Gi' } } }));
    assert.deepEqual(u, {
      'count/persistentvolumeclaims': '1', persistentvolumeclaims: '1', 'requests.storage': '2Gi',
      'gold.storageclass.storage.k8s.io/persistentvolumeclaims': '1', 'gold.storageclass.storage.k8s.io/requests.storage': '2Gi',
    });
    const pvcs = evaluatorFor({ group: '', resource: 'persistentvolumeclaims' });
    assert.deepEqual(pvcs.matchingResources(['pods', 'requests.storage', 'gold.storageclass.storage.k8s.io/requests.storage']), ['requests.storage', 'gold.storageclass.storage.k8s.io/requests.storage']);
  });
  test('generic object counts', () => {
    const deploy = evaluatorFor({ group: 'apps', resource: 'deployments' });
    assert.deepEqual(deploy.matchingResources(['count/deployments.apps', 'pods']), ['count/deployments.apps']);
    assert.equal(deploy.handles('UPDATE'), false);
    const secrets = evaluatorFor({ group: '', resource: 'secrets' });
    assert.deepEqual(secrets.matchingResources(['secrets', 'count/secrets', 'configmaps']), ['secrets', 'count/secrets']);
  });
});

describe('checkRequest', () => {
  const quota = (hard: Record<string, string>, used: Record<string, string>, spec: Record<string, unknown> = {}) => quotaView({ metadata: { name: 'q' }, spec: { hard, ...spec }, status: { hard, used } });
  const deny = (fn: () => unknown): string => {
    try {
      fn();
    } catch (e) {
      if (e instanceof QuotaDenied) return e.message;
      throw e;
    }
    return 'admitted';
  };
  test('exceeded quota: only the exceeded resources, sorted', () => {
    const q = quota({ pods: '2', 'requests.cpu': '1', 'requests.memory': '1Gi' }, { pods: '2', 'requests.cpu': '500m', 'requests.memory': '0' });
    const p = pod([c('a', { cpu: '600m', memory: '1Mi' })]);
    assert.deepEqual(restrictedResources(pods, q, p)?.sort(), ['pods', 'requests.cpu', 'requests.memory']);
    const delta = deltaUsage(pods, p, undefined);
    assert.equal(deny(() => charge(q, delta)), 'exceeded quota: q, requested: pods=1,requests.cpu=600m, used: pods=2,requests.cpu=500m, limited: pods=2,requests.cpu=1');
  });
  test('within hard: the new used', () => {
    const q = quota({ pods: '3', 'requests.memory': '1Gi' }, { pods: '1', 'requests.memory': '0' });
    assert.deepEqual(formatResourceList(charge(q, deltaUsage(pods, pod([c('a', { memory: '256Mi' })]), undefined))), { pods: '2', 'requests.memory': '256Mi' });
  });
  test('missing requests and unknown status refuse', () => {
    assert.equal(deny(() => restrictedResources(pods, quota({ 'requests.cpu': '1' }, { 'requests.cpu': '0' }), pod([c('app')]))), 'failed quota: q: must specify requests.cpu for: app');
    assert.equal(deny(() => restrictedResources(pods, quota({ pods: '1', cpu: '1' }, {}), pod([c('app', { cpu: '1' })]))), 'status unknown for quota: q, resources: cpu,pods');
  });
  test('a quota without status or of other resources or scopes does not apply', () => {
    assert.equal(restrictedResources(pods, quotaView({ metadata: { name: 'q' }, spec: { hard: { pods: '1' } } }), pod([])), undefined);
    assert.equal(restrictedResources(pods, quota({ services: '1' }, { services: '0' }), pod([])), undefined);
    assert.equal(restrictedResources(pods, quota({ pods: '1' }, { pods: '0' }, { scopes: ['BestEffort'] }), pod([c('a', { cpu: '1' })])), undefined);
  });
  test('updates are charged the difference only', () => {
    const svc = evaluatorFor({ group: '', resource: 'services' });
    const old = { metadata: { resourceVersion: '5' }, spec: { type: 'ClusterIP', ports: [{ port: 80 }] } };
    assert.equal(prettyPrint(deltaUsage(svc, { ...old, metadata: {} , spec: { type: 'ClusterIP', ports: [{ port: 81 }] } }, old)), 'count/services=0,services=0');
    assert.equal(prettyPrint(deltaUsage(svc, { spec: { type: 'NodePort', ports: [{ port: 80 }] } }, old)), 'count/services=0,services=0,services.nodeports=1');
  });
  test('prettyPrint', () => {
    assert.equal(prettyPrint(parseResourceList({ 'requests.memory': '1Gi', pods: 2 })), 'pods=2,requests.memory=1Gi');
  });
});
