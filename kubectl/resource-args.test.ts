import assert from 'node:assert/strict';
import { test } from 'node:test';
import { kindPrefix, parseResourceArgs, resolveType } from './resource-args.js';

test('types by plural, singular, short name, kind, group-qualified and versioned', () => {
  for (const t of ['pods', 'pod', 'po', 'Pod']) assert.equal(resolveType(t).resource, 'pods');
  assert.equal(resolveType('deploy').resource, 'deployments');
  assert.equal(resolveType('deployments.apps').group, 'apps');
  assert.equal(resolveType('deployments.v1.apps').resource, 'deployments');
  assert.throws(() => resolveType('foo'), /^Error: the server doesn't have a resource type "foo"$/);
});

test('TYPE NAME…, TYPE/NAME…, a,b and all', () => {
  const one = parseResourceArgs(['po', 'a']);
  assert.deepEqual([one.requests.length, one.requests[0]!.names, one.singleItem, one.multipleTypes], [1, ['a'], true, false]);
  const slash = parseResourceArgs(['pod/a', 'pod/b', 'svc/c']);
  assert.deepEqual(slash.requests.map((r) => [r.info.resource, r.names]), [['pods', ['a', 'b']], ['services', ['c']]]);
  assert.equal(slash.multipleTypes, true);
  const multi = parseResourceArgs(['pods,svc']);
  assert.deepEqual(multi.requests.map((r) => r.info.resource), ['pods', 'services']);
  assert.equal(multi.singleItem, false);
  const all = parseResourceArgs(['all']);
  assert.ok(all.multipleTypes && all.requests.some((r) => r.info.resource === 'deployments'));
  assert.ok(!all.requests.some((r) => r.info.resource === 'configmaps'));
});

test('kubectl argument errors', () => {
  assert.throws(() => parseResourceArgs([]), /You must specify the type of resource to get/);
  assert.throws(() => parseResourceArgs(['pods', 'pod/x']), /there is no need to specify a resource type as a separate argument/);
});

test('kind prefixes', () => {
  assert.equal(kindPrefix(resolveType('deploy')), 'deployment.apps');
  assert.equal(kindPrefix(resolveType('cm')), 'configmap');
});
