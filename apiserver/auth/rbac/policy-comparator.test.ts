import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { PolicyRule } from 'kubernetes-types/rbac/v1';
import { breakdownRule, covers } from './policy-comparator.js';
import { compactRules, compactString, goQuote } from './rule-format.js';

interface Case {
  name: string;
  owner: PolicyRule[];
  servant: PolicyRule[];
  covered: boolean;
  uncovered: PolicyRule[];
}

const r = (apiGroups: string[], verbs: string[], resources: string[], resourceNames?: string[]): PolicyRule => ({
  apiGroups,
  verbs,
  resources,
  ...(resourceNames ? { resourceNames } : {}),
});

// The cases of Kubernetes' policy_comparator_test.go.
const cases: Case[] = [
  { name: 'exact match', owner: [r(['v1'], ['get'], ['builds'])], servant: [r(['v1'], ['get'], ['builds'])], covered: true, uncovered: [] },
  { name: 'subresource wildcard', owner: [r(['v1'], ['get'], ['*/scale'])], servant: [r(['v1'], ['get'], ['foo/scale'])], covered: true, uncovered: [] },
  {
    name: 'multiple rules covering a single rule',
    owner: [r(['v1'], ['delete'], ['deployments']), r(['v1'], ['delete'], ['builds']), r(['v1'], ['update'], ['builds', 'deployments'])],
    servant: [r(['v1'], ['delete', 'update'], ['builds', 'deployments'])],
    covered: true,
    uncovered: [],
  },
  {
    name: 'multiple API groups covering a single rule',
    owner: [
      r(['group1'], ['delete'], ['deployments']),
      r(['group1'], ['delete'], ['builds']),
      r(['group1'], ['update'], ['builds', 'deployments']),
      r(['group2'], ['delete'], ['deployments']),
      r(['group2'], ['delete'], ['builds']),
      r(['group2'], ['update'], ['builds', 'deployments']),
    ],
    servant: [r(['group1', 'group2'], ['delete', 'update'], ['builds', 'deployments'])],
    covered: true,
    uncovered: [],
  },
  {
    name: 'single rule with API groups covering multiple',
    owner: [r(['group1', 'group2'], ['delete', 'update'], ['builds', 'deployments'])],
    servant: [
      r(['group1'], ['delete'], ['deployments']),
      r(['group1'], ['delete'], ['builds']),
      r(['group1'], ['update'], ['builds', 'deployments']),
      r(['group2'], ['delete'], ['deployments']),
      r(['group2'], ['delete'], ['builds']),
      r(['group2'], ['update'], ['builds', 'deployments']),
    ],
    covered: true,
    uncovered: [],
  },
  {
    name: 'multiple rules missing a single verb/resource combination',
    owner: [r(['v1'], ['delete', 'update'], ['builds', 'deployments']), r(['v1'], ['delete'], ['pods'])],
    servant: [r(['v1'], ['delete', 'update'], ['builds', 'deployments', 'pods'])],
    covered: false,
    uncovered: [r(['v1'], ['update'], ['pods'])],
  },
  { name: 'API group star covering multiple', owner: [r(['*'], ['get'], ['roles'])], servant: [r(['group1', 'group2'], ['get'], ['roles'])], covered: true, uncovered: [] },
  { name: 'enumeration not covering API group star', owner: [r(['dummy-group'], ['get'], ['roles'])], servant: [r(['*'], ['get'], ['roles'])], covered: false, uncovered: [r(['*'], ['get'], ['roles'])] },
  { name: 'API group star covering star', owner: [r(['*'], ['get'], ['roles'])], servant: [r(['*'], ['get'], ['roles'])], covered: true, uncovered: [] },
  { name: 'verb star covering multiple', owner: [r(['v1'], ['*'], ['roles'])], servant: [r(['v1'], ['watch', 'list'], ['roles'])], covered: true, uncovered: [] },
  {
    name: 'enumeration not covering verb star',
    owner: [r(['v1'], ['get', 'list', 'watch', 'create', 'update', 'delete', 'exec'], ['roles'])],
    servant: [r(['v1'], ['*'], ['roles'])],
    covered: false,
    uncovered: [r(['v1'], ['*'], ['roles'])],
  },
  { name: 'verb star covering star', owner: [r(['v1'], ['*'], ['roles'])], servant: [r(['v1'], ['*'], ['roles'])], covered: true, uncovered: [] },
  { name: 'resource star covering multiple', owner: [r(['v1'], ['get'], ['*'])], servant: [r(['v1'], ['get'], ['resourcegroup:deployments'])], covered: true, uncovered: [] },
  {
    name: 'enumeration not covering resource star',
    owner: [r(['v1'], ['get'], ['roles', 'resourcegroup:deployments'])],
    servant: [r(['v1'], ['get'], ['*'])],
    covered: false,
    uncovered: [r(['v1'], ['get'], ['*'])],
  },
  { name: 'resource star covering star', owner: [r(['v1'], ['get'], ['*'])], servant: [r(['v1'], ['get'], ['*'])], covered: true, uncovered: [] },
  { name: 'resource name empty covering multiple', owner: [r(['v1'], ['get'], ['pods'], [])], servant: [r(['v1'], ['get'], ['pods'], ['foo', 'bar'])], covered: true, uncovered: [] },
  {
    name: 'enumeration not covering resource name empty',
    owner: [r(['v1'], ['get'], ['pods'], ['foo', 'bar'])],
    servant: [r(['v1'], ['get'], ['pods'], [])],
    covered: false,
    uncovered: [r(['v1'], ['get'], ['pods'])],
  },
  { name: 'non-resource URLs', owner: [{ nonResourceURLs: ['/apis'], verbs: ['*'] }], servant: [{ nonResourceURLs: ['/apis'], verbs: ['*'] }], covered: true, uncovered: [] },
  { name: 'non-resource URLs star', owner: [{ nonResourceURLs: ['*'], verbs: ['*'] }], servant: [{ nonResourceURLs: ['/apis', '/apis/v1', '/'], verbs: ['*'] }], covered: true, uncovered: [] },
  {
    name: 'non-resource URLs star after prefix does not cover the prefix',
    owner: [{ nonResourceURLs: ['/apis/*'], verbs: ['*'] }],
    servant: [{ nonResourceURLs: ['/apis', '/apis/v1'], verbs: ['get'] }],
    covered: false,
    uncovered: [{ nonResourceURLs: ['/apis'], verbs: ['get'] }],
  },
  { name: 'non-resource URLs star after prefix', owner: [{ nonResourceURLs: ['/apis/*'], verbs: ['*'] }], servant: [{ nonResourceURLs: ['/apis/v1/foo', '/apis/v1'], verbs: ['get'] }], covered: true, uncovered: [] },
  {
    name: 'non-resource URLs with other fields',
    owner: [{ ...r(['v1'], ['get'], ['builds']), nonResourceURLs: ['/apis'] }],
    servant: [{ ...r(['v1'], ['get'], ['builds']), nonResourceURLs: ['/apis'] }],
    covered: true,
    uncovered: [],
  },
  {
    name: 'non-resource URLs with other fields, failure',
    owner: [r(['v1'], ['get'], ['builds'])],
    servant: [{ ...r(['v1'], ['get'], ['builds']), nonResourceURLs: ['/apis'] }],
    covered: false,
    uncovered: [{ nonResourceURLs: ['/apis'], verbs: ['get'] }],
  },
];

/** Same rules regardless of order (Kubernetes' rulesMatch). */
function sameRules(actual: PolicyRule[], expected: PolicyRule[]): void {
  const norm = (xs: PolicyRule[]) => xs.map((x) => JSON.stringify(x, Object.keys(x).sort())).sort();
  assert.deepEqual(norm(actual), norm(expected));
}

describe('Covers', () => {
  for (const c of cases) {
    test(c.name, () => {
      const got = covers(c.owner, c.servant);
      assert.equal(got.covered, c.covered);
      sameRules(got.uncovered, c.uncovered);
    });
  }

  test('breakdownRule: one rule per group × resource × verb × name, URLs × verbs', () => {
    assert.equal(breakdownRule({ apiGroups: ['', 'apps'], resources: ['a', 'b'], verbs: ['get', 'list'], resourceNames: ['x', 'y'] }).length, 16);
    assert.deepEqual(breakdownRule({ nonResourceURLs: ['/a', '/b'], verbs: ['get'] }), [
      { nonResourceURLs: ['/a'], verbs: ['get'] },
      { nonResourceURLs: ['/b'], verbs: ['get'] },
    ]);
  });
});

describe('rule formatting', () => {
  test('compactString prints the non-empty fields as Go does', () => {
    assert.equal(compactString({ apiGroups: [''], resources: ['pods'], verbs: ['get'] }), '{APIGroups:[""], Resources:["pods"], Verbs:["get"]}');
    assert.equal(compactString({ apiGroups: ['', 'apps'], resources: ['pods'], resourceNames: ['a'], verbs: ['get', 'list'] }), '{APIGroups:["" "apps"], Resources:["pods"], ResourceNames:["a"], Verbs:["get" "list"]}');
    assert.equal(compactString({ nonResourceURLs: ['/healthz'], verbs: ['get'] }), '{NonResourceURLs:["/healthz"], Verbs:["get"]}');
    assert.equal(goQuote('a"b\\c\n'), '"a\\"b\\\\c\\n"');
  });

  test('compactRules merges simple rules of one group/resource, keeps others', () => {
    const missing = covers([], [{ apiGroups: [''], resources: ['pods', 'secrets'], verbs: ['get', 'list'] }, { apiGroups: [''], resources: ['configmaps'], resourceNames: ['x'], verbs: ['get'] }]).uncovered;
    const compact = compactRules(missing).map(compactString).sort();
    assert.deepEqual(compact, [
      '{APIGroups:[""], Resources:["configmaps"], ResourceNames:["x"], Verbs:["get"]}',
      '{APIGroups:[""], Resources:["pods"], Verbs:["get" "list"]}',
      '{APIGroups:[""], Resources:["secrets"], Verbs:["get" "list"]}',
    ]);
  });
});
