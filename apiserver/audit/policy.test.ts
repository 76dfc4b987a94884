// The audit policy: validation errors, rule matching (a table of rule × request cases, like
// Kubernetes' checker_test.go), first match wins, default None, and tskube's hard cap on
// Secrets, TokenRequest and TokenReview.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import type { UserInfo } from '../../api/user.js';
import { loadPolicyFile, parsePolicy, PolicyError, PolicyRuleEvaluator, ruleMatches, type AuditAttributes } from './policy.js';
import type { Policy, PolicyRule } from './types.js';

const alice: UserInfo = { username: 'alice', groups: ['devs', 'system:authenticated'] };
const proxy: UserInfo = { username: 'system:kube-proxy', groups: ['system:authenticated'] };

function res(verb: string, resource: string, o: Partial<AuditAttributes> = {}): AuditAttributes {
  return { verb, resourceRequest: true, path: '', namespace: 'default', apiGroup: '', apiVersion: 'v1', resource, subresource: '', name: '', user: alice, ...o };
}
function nonRes(verb: string, path: string, user: UserInfo | undefined = alice): AuditAttributes {
  return { verb, resourceRequest: false, path, namespace: '', apiGroup: '', apiVersion: '', resource: '', subresource: '', name: '', ...(user ? { user } : {}) };
}
const policy = (rules: PolicyRule[], extra: Partial<Policy> = {}): Policy => ({ apiVersion: 'audit.k8s.io/v1', kind: 'Policy', rules, ...extra });

describe('audit policy: loading and validation', () => {
  test('YAML and JSON policies load', () => {
    const yaml = parsePolicy(`
apiVersion: audit.k8s.io/v1
kind: Policy
omitStages: ["RequestReceived"]
rules:
  - level: Metadata
    resources:
      - group: ""
        resources: ["secrets"]
  - level: None
    nonResourceURLs: ["/healthz*"]
`);
    assert.equal(yaml.rules.length, 2);
    assert.deepEqual(yaml.omitStages, ['RequestReceived']);
    assert.deepEqual(yaml.rules[0]!.resources, [{ group: '', resources: ['secrets'] }]);
    const json = parsePolicy(JSON.stringify(policy([{ level: 'RequestResponse', verbs: ['create'] }], { omitManagedFields: true })));
    assert.equal(json.rules[0]!.level, 'RequestResponse');
    assert.equal(json.omitManagedFields, true);
  });

  const bad: [string, string, RegExp][] = [
    ['unknown level', `{"apiVersion":"audit.k8s.io/v1","kind":"Policy","rules":[{"level":"Verbose"}]}`, /rules\[0\]\.level: Unsupported value: "Verbose": supported values: "None", "Metadata", "Request", "RequestResponse"/],
    ['missing level', `{"apiVersion":"audit.k8s.io/v1","kind":"Policy","rules":[{"verbs":["get"]}]}`, /rules\[0\]\.level: Required value/],
    ['bad rule stage', `{"apiVersion":"audit.k8s.io/v1","kind":"Policy","rules":[{"level":"None","omitStages":["ResponseEnded"]}]}`, /rules\[0\]\.omitStages\[0\]: Invalid value: "ResponseEnded": allowed stages are RequestReceived,ResponseStarted,ResponseComplete,Panic/],
    ['bad policy stage', `{"apiVersion":"audit.k8s.io/v1","kind":"Policy","omitStages":["Done"],"rules":[{"level":"None"}]}`, /omitStages\[0\]: Invalid value: "Done"/],
    ['bad kind', `{"apiVersion":"audit.k8s.io/v1","kind":"AuditPolicy","rules":[{"level":"None"}]}`, /unknown kind "AuditPolicy" \(expected "Policy"\)/],
    ['bad apiVersion', `{"apiVersion":"audit.k8s.io/v1beta1","kind":"Policy","rules":[{"level":"None"}]}`, /unknown apiVersion "audit.k8s.io\/v1beta1"/],
    ['no rules', `{"apiVersion":"audit.k8s.io/v1","kind":"Policy","rules":[]}`, /illegal policy with 0 rules/],
    ['resources and nonResourceURLs', `{"apiVersion":"audit.k8s.io/v1","kind":"Policy","rules":[{"level":"None","resources":[{"group":""}],"nonResourceURLs":["/x"]}]}`, /rules cannot apply to both regular resources and non-resource URLs/],
    ['URL without slash', `{"apiVersion":"audit.k8s.io/v1","kind":"Policy","rules":[{"level":"None","nonResourceURLs":["healthz"]}]}`, /must begin with a '\/' character/],
    ['wildcard not last', `{"apiVersion":"audit.k8s.io/v1","kind":"Policy","rules":[{"level":"None","nonResourceURLs":["/a*/b"]}]}`, /wildcards '\*' must be the final character/],
    ['group with version', `{"apiVersion":"audit.k8s.io/v1","kind":"Policy","rules":[{"level":"None","resources":[{"group":"apps/v1"}]}]}`, /resources\[0\]\.group: Invalid value: "apps\/v1"/],
    ['resourceNames without resources', `{"apiVersion":"audit.k8s.io/v1","kind":"Policy","rules":[{"level":"None","resources":[{"group":"","resourceNames":["x"]}]}]}`, /using resourceNames requires at least one resource/],
    ['misspelt field', `{"apiVersion":"audit.k8s.io/v1","kind":"Policy","rules":[{"level":"None","namespace":["x"]}]}`, /rules\[0\]\.namespace: unknown field/],
    ['not a list', `{"apiVersion":"audit.k8s.io/v1","kind":"Policy","rules":[{"level":"None","users":"bob"}]}`, /rules\[0\]\.users: must be a list of strings/],
    ['not YAML', 'rules: [level: None', /not valid YAML or JSON/],
  ];
  for (const [name, text, re] of bad) {
    test(`refused: ${name}`, () => {
      assert.throws(
        () => parsePolicy(text),
        (e: unknown) => e instanceof PolicyError && re.test(e.message) && !e.message.includes('\n'),
      );
    });
  }

  test('every problem is listed, on one line', () => {
    const err = (() => {
      try {
        parsePolicy(`{"apiVersion":"audit.k8s.io/v1","kind":"Policy","rules":[{"level":"Loud"},{"level":"None","omitStages":["Later"]}]}`);
      } catch (e) {
        return e as Error;
      }
      return undefined;
    })();
    assert.ok(err);
    assert.match(err.message, /rules\[0\]\.level: .*; rules\[1\]\.omitStages\[0\]: /);
  });

  test('a file: errors name it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'audit-policy-'));
    const file = join(dir, 'p.yaml');
    writeFileSync(file, 'apiVersion: audit.k8s.io/v1\nkind: Policy\nrules:\n- level: Sometimes\n');
    assert.throws(() => loadPolicyFile(file), new RegExp(`Unsupported value: "Sometimes".*\\(from file ${file.replace(/[/.]/g, '\\$&')}\\)`));
    assert.throws(() => loadPolicyFile(join(dir, 'missing.yaml')), /failed to read/);
  });

  test('the shipped default policy: quiet for health checks, kube-proxy watches and Events; bodies for changes', () => {
    const shipped = loadPolicyFile(new URL('../../../apiserver/audit/default-policy.yaml', import.meta.url).pathname);
    const ev = new PolicyRuleEvaluator(shipped);
    const level = (a: AuditAttributes) => ev.evaluatePolicyRule(a).level;
    assert.equal(level(nonRes('get', '/healthz')), 'None');
    assert.equal(level(nonRes('get', '/readyz/etcd')), 'None');
    assert.equal(level(nonRes('get', '/version')), 'None');
    assert.equal(level(nonRes('get', '/openapi/v2')), 'Metadata');
    assert.equal(level(res('watch', 'endpointslices', { apiGroup: 'discovery.k8s.io', user: proxy })), 'None');
    assert.equal(level(res('watch', 'endpointslices', { apiGroup: 'discovery.k8s.io' })), 'Metadata');
    assert.equal(level(res('create', 'events')), 'None');
    assert.equal(level(res('get', 'secrets')), 'Metadata');
    assert.equal(level(res('update', 'configmaps')), 'Metadata');
    assert.equal(level(res('create', 'serviceaccounts', { subresource: 'token' })), 'Metadata');
    assert.equal(level(res('list', 'pods')), 'Metadata');
    assert.equal(level(res('create', 'deployments', { apiGroup: 'apps' })), 'RequestResponse');
    assert.equal(level(res('patch', 'pods', { subresource: 'status', user: { username: 'system:node:n1', groups: ['system:nodes'] } })), 'Request');
    assert.deepEqual(ev.evaluatePolicyRule(res('create', 'pods')).omitStages, ['RequestReceived']);
  });
});

describe('audit policy: rule matching', () => {
  const cases: [string, PolicyRule, AuditAttributes, boolean][] = [
    ['no conditions match everything', { level: 'Metadata' }, res('get', 'pods'), true],
    ['users: listed', { level: 'Metadata', users: ['alice'] }, res('get', 'pods'), true],
    ['users: not listed', { level: 'Metadata', users: ['bob'] }, res('get', 'pods'), false],
    ['users: no user (failed authentication)', { level: 'Metadata', users: ['alice'] }, res('get', 'pods', { user: undefined }), false],
    ['userGroups: one group in common', { level: 'Metadata', userGroups: ['ops', 'devs'] }, res('get', 'pods'), true],
    ['userGroups: none in common', { level: 'Metadata', userGroups: ['ops'] }, res('get', 'pods'), false],
    ['verbs: listed', { level: 'Metadata', verbs: ['get', 'list'] }, res('list', 'pods'), true],
    ['verbs: not listed', { level: 'Metadata', verbs: ['create'] }, res('list', 'pods'), false],
    ['resources: group and resource', { level: 'Metadata', resources: [{ group: 'apps', resources: ['deployments'] }] }, res('get', 'deployments', { apiGroup: 'apps' }), true],
    ['resources: "" is the core group only', { level: 'Metadata', resources: [{ group: '', resources: ['deployments'] }] }, res('get', 'deployments', { apiGroup: 'apps' }), false],
    ['resources: group without resources = all of it', { level: 'Metadata', resources: [{ group: 'apps' }] }, res('get', 'replicasets', { apiGroup: 'apps' }), true],
    ['resources: plain resource does not match a subresource', { level: 'Metadata', resources: [{ resources: ['pods'] }] }, res('get', 'pods', { subresource: 'log' }), false],
    ['resources: pods/log', { level: 'Metadata', resources: [{ resources: ['pods/log'] }] }, res('get', 'pods', { subresource: 'log' }), true],
    ['resources: pods/log is not pods/exec', { level: 'Metadata', resources: [{ resources: ['pods/log'] }] }, res('get', 'pods', { subresource: 'exec' }), false],
    ['resources: pods/* matches any subresource', { level: 'Metadata', resources: [{ resources: ['pods/*'] }] }, res('create', 'pods', { subresource: 'exec' }), true],
    // Kubernetes' checker compares only the resource part for `pods/*`, so pods itself matches too.
    ['resources: pods/* matches pods itself too', { level: 'Metadata', resources: [{ resources: ['pods/*'] }] }, res('get', 'pods'), true],
    ['resources: pods/* is not services/status', { level: 'Metadata', resources: [{ resources: ['pods/*'] }] }, res('get', 'services', { subresource: 'status' }), false],
    ['resources: */scale', { level: 'Metadata', resources: [{ group: 'apps', resources: ['*/scale'] }] }, res('update', 'deployments', { apiGroup: 'apps', subresource: 'scale' }), true],
    ['resources: */scale is not */status', { level: 'Metadata', resources: [{ group: 'apps', resources: ['*/scale'] }] }, res('update', 'deployments', { apiGroup: 'apps', subresource: 'status' }), false],
    ['resources: * matches resources and subresources', { level: 'Metadata', resources: [{ resources: ['*'] }] }, res('get', 'pods', { subresource: 'status' }), true],
    ['resourceNames: named', { level: 'Metadata', resources: [{ resources: ['configmaps'], resourceNames: ['leader'] }] }, res('update', 'configmaps', { name: 'leader' }), true],
    ['resourceNames: other name', { level: 'Metadata', resources: [{ resources: ['configmaps'], resourceNames: ['leader'] }] }, res('update', 'configmaps', { name: 'app' }), false],
    ['resourceNames: a list has no name', { level: 'Metadata', resources: [{ resources: ['configmaps'], resourceNames: ['leader'] }] }, res('list', 'configmaps'), false],
    ['namespaces: listed', { level: 'Metadata', namespaces: ['kube-system'] }, res('get', 'pods', { namespace: 'kube-system' }), true],
    ['namespaces: not listed', { level: 'Metadata', namespaces: ['kube-system'] }, res('get', 'pods'), false],
    ['namespaces: "" matches cluster-scoped', { level: 'Metadata', namespaces: [''] }, res('get', 'nodes', { namespace: '' }), true],
    ['namespaces: "" does not match non-resource', { level: 'Metadata', namespaces: [''] }, nonRes('get', '/healthz'), false],
    ['resources never match non-resource requests', { level: 'Metadata', resources: [{ group: '' }] }, nonRes('get', '/api'), false],
    ['nonResourceURLs: exact', { level: 'Metadata', nonResourceURLs: ['/version'] }, nonRes('get', '/version'), true],
    ['nonResourceURLs: exact is not a prefix', { level: 'Metadata', nonResourceURLs: ['/version'] }, nonRes('get', '/versions'), false],
    ['nonResourceURLs: trailing *', { level: 'Metadata', nonResourceURLs: ['/healthz*'] }, nonRes('get', '/healthz/etcd'), true],
    ['nonResourceURLs: trailing * on other path', { level: 'Metadata', nonResourceURLs: ['/healthz*'] }, nonRes('get', '/livez'), false],
    ['nonResourceURLs: *', { level: 'Metadata', nonResourceURLs: ['*'] }, nonRes('get', '/openapi/v2'), true],
    ['nonResourceURLs never match resource requests', { level: 'Metadata', nonResourceURLs: ['*'] }, res('get', 'pods'), false],
    ['all conditions must hold', { level: 'None', users: ['system:kube-proxy'], verbs: ['watch'], resources: [{ group: '', resources: ['endpoints', 'services'] }] }, res('watch', 'services', { user: proxy }), true],
    ['all conditions must hold (other verb)', { level: 'None', users: ['system:kube-proxy'], verbs: ['watch'], resources: [{ group: '', resources: ['endpoints', 'services'] }] }, res('list', 'services', { user: proxy }), false],
  ];
  for (const [name, rule, attrs, want] of cases) {
    test(name, () => assert.equal(ruleMatches(rule, attrs), want));
  }
});

describe('audit policy: evaluation', () => {
  test('first matching rule wins; no match is None with the policy omitStages', () => {
    const ev = new PolicyRuleEvaluator(
      policy(
        [
          { level: 'None', users: ['system:kube-proxy'] },
          { level: 'RequestResponse', resources: [{ group: '', resources: ['pods'] }], omitStages: ['ResponseStarted'] },
          { level: 'Metadata', resources: [{ group: '' }] },
        ],
        { omitStages: ['RequestReceived'] },
      ),
    );
    assert.equal(ev.evaluatePolicyRule(res('get', 'pods', { user: proxy })).level, 'None');
    const pods = ev.evaluatePolicyRule(res('get', 'pods'));
    assert.equal(pods.level, 'RequestResponse');
    assert.deepEqual([...pods.omitStages].sort(), ['RequestReceived', 'ResponseStarted']);
    assert.equal(ev.evaluatePolicyRule(res('get', 'configmaps')).level, 'Metadata');
    const none = ev.evaluatePolicyRule(res('get', 'deployments', { apiGroup: 'apps' }));
    assert.deepEqual(none, { level: 'None', omitStages: ['RequestReceived'], omitManagedFields: false });
  });

  test("omitManagedFields: a rule's own setting, else the policy's", () => {
    const ev = new PolicyRuleEvaluator(
      policy([{ level: 'Request', verbs: ['create'], omitManagedFields: false }, { level: 'Request' }], { omitManagedFields: true }),
    );
    assert.equal(ev.evaluatePolicyRule(res('create', 'pods')).omitManagedFields, false);
    assert.equal(ev.evaluatePolicyRule(res('update', 'pods')).omitManagedFields, true);
  });

  test('Secrets, TokenRequest and TokenReview are capped at Metadata even under RequestResponse for everything', () => {
    const ev = new PolicyRuleEvaluator(policy([{ level: 'RequestResponse' }]));
    const capped = [
      res('get', 'secrets', { name: 's' }),
      res('list', 'secrets'),
      res('create', 'secrets'),
      res('create', 'serviceaccounts', { subresource: 'token', name: 'default' }),
      res('create', 'tokenreviews', { apiGroup: 'authentication.k8s.io', namespace: '' }),
    ];
    for (const a of capped) assert.equal(ev.evaluatePolicyRule(a).level, 'Metadata', `${a.verb} ${a.resource}/${a.subresource}`);
    // Only those: the service account itself, other groups' "secrets", and configmaps keep the policy's level.
    for (const a of [res('get', 'serviceaccounts', { name: 'default' }), res('get', 'secrets', { apiGroup: 'example.com' }), res('get', 'configmaps')]) {
      assert.equal(ev.evaluatePolicyRule(a).level, 'RequestResponse');
    }
    // The cap only lowers: None and Metadata stay.
    const low = new PolicyRuleEvaluator(policy([{ level: 'None', resources: [{ group: '', resources: ['secrets'] }] }, { level: 'Request' }]));
    assert.equal(low.evaluatePolicyRule(res('get', 'secrets')).level, 'None');
    assert.equal(low.evaluatePolicyRule(res('create', 'serviceaccounts', { subresource: 'token' })).level, 'Metadata');
  });
});
