import assert from 'node:assert/strict';
import { test } from 'node:test';
import { accessTable, breakdownRule, combineResourceGroup, compactRules, policyRuleString, sortRules, toPolicyRules } from './rbac-rules.js';

test('rules break down to one verb/resource/name each and merge back per resource, verbs in first-seen order', () => {
  const rules = toPolicyRules({
    resourceRules: [
      { verbs: ['get', 'list'], apiGroups: ['', 'apps'], resources: ['pods'] },
      { verbs: ['watch', 'get'], apiGroups: [''], resources: ['pods'] },
      { verbs: ['get'], apiGroups: [''], resources: ['secrets'], resourceNames: ['a', 'b'] },
    ],
    nonResourceRules: [{ verbs: ['get'], nonResourceURLs: ['/healthz', '/version'] }, { verbs: ['get'], nonResourceURLs: ['/healthz'] }],
  });
  const broken = rules.flatMap(breakdownRule);
  assert.equal(broken.length, 2 * 2 + 2 + 2 + 2 + 1);
  const compact = compactRules(broken);
  const pods = compact.find((r) => r.resources[0] === 'pods' && r.apiGroups[0] === '');
  assert.deepEqual(pods?.verbs, ['get', 'list', 'watch']);
  // Non-resource rules are never merged: a URL granted twice is listed twice, as kubectl lists it.
  assert.equal(compact.filter((r) => r.nonResourceURLs[0] === '/healthz').length, 2);
  assert.equal(compact.filter((r) => r.resources[0] === 'secrets').length, 2);
});

test("sorted by Go's PolicyRule.String(): verbs first, bytewise", () => {
  const s = sortRules(compactRules(toPolicyRules({ resourceRules: [{ verbs: ['list'], apiGroups: ['apps'], resources: ['deployments'] }, { verbs: ['*'], apiGroups: ['*'], resources: ['*'] }], nonResourceRules: [{ verbs: ['get'], nonResourceURLs: ['/api', '/api/*'] }] }).flatMap(breakdownRule)));
  assert.deepEqual(
    s.map(policyRuleString),
    [
      '&PolicyRule{Verbs:[*],APIGroups:[*],Resources:[*],ResourceNames:[],NonResourceURLs:[],}',
      '&PolicyRule{Verbs:[get],APIGroups:[],Resources:[],ResourceNames:[],NonResourceURLs:[/api/*],}',
      '&PolicyRule{Verbs:[get],APIGroups:[],Resources:[],ResourceNames:[],NonResourceURLs:[/api],}',
      '&PolicyRule{Verbs:[list],APIGroups:[apps],Resources:[deployments],ResourceNames:[],NonResourceURLs:[],}',
    ],
  );
});

test('resources are shown with their group, a subresource after it', () => {
  assert.equal(combineResourceGroup(['pods/log'], ['']), 'pods/log');
  assert.equal(combineResourceGroup(['deployments/scale'], ['apps']), 'deployments.apps/scale');
  assert.equal(combineResourceGroup(['*'], ['*']), '*.*');
  assert.equal(combineResourceGroup([], ['apps']), '');
});

test('the table', () => {
  const status = { resourceRules: [{ verbs: ['get', 'list'], apiGroups: [''], resources: ['pods'] }, { verbs: ['create'], apiGroups: ['authorization.k8s.io'], resources: ['selfsubjectaccessreviews'] }], nonResourceRules: [{ verbs: ['get'], nonResourceURLs: ['/healthz'] }] };
  // `[get list]` sorts before `[get]`: a space is less than `]`.
  assert.equal(
    accessTable(status, false),
    'Resources                                       Non-Resource URLs   Resource Names   Verbs\n' +
      'selfsubjectaccessreviews.authorization.k8s.io   []                  []               [create]\n' +
      'pods                                            []                  []               [get list]\n' +
      '                                                [/healthz]          []               [get]\n',
  );
  assert.ok(!accessTable(status, true).includes('Resources'));
});
