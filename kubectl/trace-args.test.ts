// kc trace's argument: <kind>/<name> or <kind> <name>, kinds by any name kubectl accepts.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseTarget } from './commands/trace.js';

test('kc trace targets: kind/name or kind name; short names; untraceable kinds say which are', () => {
  assert.deepEqual(parseTarget('deploy/web', undefined, 'ns'), { kind: 'Deployment', namespace: 'ns', name: 'web' });
  assert.deepEqual(parseTarget('svc', 'frontend', 'default'), { kind: 'Service', namespace: 'default', name: 'frontend' });
  assert.deepEqual(parseTarget('replicationcontrollers.v1/backend', undefined, 'default').kind, 'ReplicationController');
  assert.deepEqual(parseTarget('deployments.apps/web', undefined, 'default').kind, 'Deployment');
  assert.throws(() => parseTarget('deploy', undefined, 'default'), /as <kind>\/<name>/);
  assert.throws(() => parseTarget('cm/x', undefined, 'default'), /kc trace does not support ConfigMap/);
  assert.throws(() => parseTarget('bogus/x', undefined, 'default'), /the server doesn't have a resource type "bogus"/);
});
