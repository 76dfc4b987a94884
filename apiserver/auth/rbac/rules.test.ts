import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { PolicyRule } from 'kubernetes-types/rbac/v1';
import { nonResourceURLCovers, resourceNameMatches, ruleAllows, rulesAllow, type RuleAttributes } from './rules.js';

const res = (verb: string, apiGroup: string, resource: string, subresource = '', name = ''): RuleAttributes => ({
  verb,
  resourceRequest: true,
  path: '',
  apiGroup,
  resource,
  subresource,
  name,
});
const url = (verb: string, path: string): RuleAttributes => ({ verb, resourceRequest: false, path, apiGroup: '', resource: '', subresource: '', name: '' });

// Kubernetes' TestRuleMatches (plugin/pkg/auth/authorizer/rbac/rbac_test.go).
const cases: { name: string; rule: PolicyRule; expect: [RuleAttributes, boolean][] }[] = [
  {
    name: 'star verb, exact match other',
    rule: { verbs: ['*'], apiGroups: ['group1'], resources: ['resource1'] },
    expect: [
      [res('verb1', 'group1', 'resource1'), true],
      [res('verb1', 'group2', 'resource1'), false],
      [res('verb1', 'group1', 'resource2'), false],
      [res('verb1', 'group2', 'resource2'), false],
      [res('verb2', 'group1', 'resource1'), true],
      [res('verb2', 'group2', 'resource1'), false],
      [res('verb2', 'group1', 'resource2'), false],
      [res('verb2', 'group2', 'resource2'), false],
    ],
  },
  {
    name: 'star group, exact match other',
    rule: { verbs: ['verb1'], apiGroups: ['*'], resources: ['resource1'] },
    expect: [
      [res('verb1', 'group1', 'resource1'), true],
      [res('verb1', 'group2', 'resource1'), true],
      [res('verb1', 'group1', 'resource2'), false],
      [res('verb1', 'group2', 'resource2'), false],
      [res('verb2', 'group1', 'resource1'), false],
      [res('verb2', 'group2', 'resource1'), false],
    ],
  },
  {
    name: 'star resource, exact match other',
    rule: { verbs: ['verb1'], apiGroups: ['group1'], resources: ['*'] },
    expect: [
      [res('verb1', 'group1', 'resource1'), true],
      [res('verb1', 'group2', 'resource1'), false],
      [res('verb1', 'group1', 'resource2'), true],
      [res('verb2', 'group1', 'resource1'), false],
    ],
  },
  {
    name: 'tuple expansion',
    rule: { verbs: ['verb1', 'verb2'], apiGroups: ['group1', 'group2'], resources: ['resource1', 'resource2'] },
    expect: [
      [res('verb1', 'group1', 'resource1'), true],
      [res('verb1', 'group2', 'resource1'), true],
      [res('verb1', 'group1', 'resource2'), true],
      [res('verb1', 'group2', 'resource2'), true],
      [res('verb2', 'group1', 'resource1'), true],
      [res('verb2', 'group2', 'resource1'), true],
      [res('verb2', 'group1', 'resource2'), true],
      [res('verb2', 'group2', 'resource2'), true],
    ],
  },
  {
    name: 'subresource expansion',
    rule: { verbs: ['*'], apiGroups: ['*'], resources: ['resource1/subresource1'] },
    expect: [
      [res('verb1', 'group1', 'resource1', 'subresource1'), true],
      [res('verb1', 'group2', 'resource1', 'subresource2'), false],
      [res('verb1', 'group1', 'resource2', 'subresource1'), false],
      [res('verb1', 'group2', 'resource2', 'subresource1'), false],
      [res('verb2', 'group1', 'resource1', 'subresource1'), true],
      [res('verb2', 'group2', 'resource1', 'subresource2'), false],
    ],
  },
  {
    name: 'star nonresource, exact match other',
    rule: { verbs: ['verb1'], nonResourceURLs: ['*'] },
    expect: [
      [url('verb1', '/foo'), true],
      [url('verb1', '/foo/bar'), true],
      [url('verb1', '/foo/baz'), true],
      [url('verb1', '/foo/bar/one'), true],
      [url('verb1', '/foo/baz/one'), true],
      [url('verb2', '/foo'), false],
      [url('verb2', '/foo/bar'), false],
      [url('verb2', '/foo/baz/one'), false],
    ],
  },
  {
    name: 'star nonresource subpath',
    rule: { verbs: ['verb1'], nonResourceURLs: ['/foo/*'] },
    expect: [
      [url('verb1', '/foo'), false],
      [url('verb1', '/foo/bar'), true],
      [url('verb1', '/foo/baz'), true],
      [url('verb1', '/foo/bar/one'), true],
      [url('verb1', '/foo/baz/one'), true],
      [url('verb1', '/notfoo'), false],
      [url('verb1', '/notfoo/bar'), false],
      [url('verb1', '/notfoo/baz/one'), false],
    ],
  },
  {
    name: 'star verb, exact nonresource',
    rule: { verbs: ['*'], nonResourceURLs: ['/foo', '/foo/bar/one'] },
    expect: [
      [url('verb1', '/foo'), true],
      [url('verb1', '/foo/bar'), false],
      [url('verb1', '/foo/baz'), false],
      [url('verb1', '/foo/bar/one'), true],
      [url('verb1', '/foo/baz/one'), false],
      [url('verb2', '/foo'), true],
      [url('verb2', '/foo/bar/one'), true],
    ],
  },
];

describe('RBAC rule matching', () => {
  for (const c of cases) {
    test(c.name, () => {
      for (const [attrs, want] of c.expect) assert.equal(ruleAllows(attrs, c.rule), want, `${c.name}: ${JSON.stringify(attrs)}`);
    });
  }

  test('subresources: pods/log exactly, */scale for any resource, * for all; pods/* is no wildcard (as in Kubernetes)', () => {
    const podsSub: PolicyRule = { verbs: ['get'], apiGroups: [''], resources: ['pods/*'] };
    assert.equal(ruleAllows(res('get', '', 'pods', 'log'), podsSub), false, 'pods/* is a literal name, not a wildcard');
    assert.equal(ruleAllows(res('get', '', 'pods', '*'), podsSub), true, 'it matches only the literal subresource *');
    const anyScale: PolicyRule = { verbs: ['update'], apiGroups: ['*'], resources: ['*/scale'] };
    assert.equal(ruleAllows(res('update', 'apps', 'deployments', 'scale'), anyScale), true);
    assert.equal(ruleAllows(res('update', 'apps', 'deployments', 'status'), anyScale), false);
    assert.equal(ruleAllows(res('update', 'apps', 'deployments'), anyScale), false);
    const log: PolicyRule = { verbs: ['get'], apiGroups: [''], resources: ['pods/log'] };
    assert.equal(ruleAllows(res('get', '', 'pods', 'log'), log), true);
    assert.equal(ruleAllows(res('get', '', 'pods'), log), false);
    const star: PolicyRule = { verbs: ['get'], apiGroups: [''], resources: ['*'] };
    assert.equal(ruleAllows(res('get', '', 'pods', 'log'), star), true, '* covers subresources');
  });

  test('resourceNames: empty means all names; a nameless request (list, create) never matches a named rule', () => {
    const named: PolicyRule = { verbs: ['get', 'list', 'create'], apiGroups: [''], resources: ['configmaps'], resourceNames: ['app-config'] };
    assert.equal(ruleAllows(res('get', '', 'configmaps', '', 'app-config'), named), true);
    assert.equal(ruleAllows(res('get', '', 'configmaps', '', 'other'), named), false);
    assert.equal(ruleAllows(res('list', '', 'configmaps'), named), false);
    assert.equal(ruleAllows(res('create', '', 'configmaps'), named), false);
    assert.equal(resourceNameMatches({ verbs: ['get'], resourceNames: [] }, 'anything'), true);
  });

  test('a non-resource rule never allows resource requests and vice versa', () => {
    assert.equal(ruleAllows(res('get', '', 'pods'), { verbs: ['get'], nonResourceURLs: ['*'] }), false);
    assert.equal(ruleAllows(url('get', '/healthz'), { verbs: ['get'], apiGroups: ['*'], resources: ['*'] }), false);
  });

  test('rulesAllow: any rule', () => {
    const rules: PolicyRule[] = [
      { verbs: ['get'], apiGroups: [''], resources: ['pods'] },
      { verbs: ['get'], nonResourceURLs: ['/healthz'] },
    ];
    assert.equal(rulesAllow(url('get', '/healthz'), rules), true);
    assert.equal(rulesAllow(res('get', '', 'pods'), rules), true);
    assert.equal(rulesAllow(res('delete', '', 'pods'), rules), false);
    assert.equal(rulesAllow(res('get', '', 'pods'), []), false);
  });

  // Kubernetes' TestNonResourceURLCovers (policy_comparator_test.go).
  test('non-resource URL prefixes', () => {
    const table: [string, string, boolean][] = [
      ['*', '', true],
      ['*', '/', true],
      ['*', '/api', true],
      ['/*', '', false],
      ['/*', '/', true],
      ['/*', '/foo', true],
      ['/api', '/api', true],
      ['/apis', '/api', false],
      ['/api/v1', '/api', false],
      ['/api/v1', '/api/v1', true],
      ['/api/*', '/api/v1', true],
      ['/api/*', '/api', false],
      ['/api/*/*', '/api/v1', false],
      ['/*/v1/*', '/api/v1', false],
    ];
    for (const [owner, path, want] of table) assert.equal(nonResourceURLCovers(owner, path), want, `${owner} ${path}`);
  });
});
