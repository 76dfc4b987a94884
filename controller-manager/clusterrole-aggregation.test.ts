import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { pino } from 'pino';
import type { ClusterRole, PolicyRule } from 'kubernetes-types/rbac/v1';
import { RestClient, isAlreadyExists, isNotFound } from '../client/index.js';
import { startTestApiserver, type TestApiserver } from '../test/harness/apiserver.js';
import { waitFor } from '../test/harness/ports.js';
import { aggregatedRules } from './clusterrole-aggregation.js';
import { startControllerManager, type ControllerManagerHandle } from './manager.js';

const VIEW_LABEL = 'rbac.authorization.k8s.io/aggregate-to-view';
const rule = (resource: string, verbs = ['get']): PolicyRule => ({ apiGroups: ['example.com'], resources: [resource], verbs });
const role = (name: string, labels: Record<string, string>, rules: PolicyRule[], selectors?: Record<string, string>[]): ClusterRole => ({
  apiVersion: 'rbac.authorization.k8s.io/v1',
  kind: 'ClusterRole',
  metadata: { name, labels },
  rules,
  ...(selectors ? { aggregationRule: { clusterRoleSelectors: selectors.map((matchLabels) => ({ matchLabels })) } } : {}),
});

describe('aggregatedRules', () => {
  test('union over selectors in order, roles by name, each rule once, never the role itself', () => {
    const agg = role('agg', { a: 'true' }, [rule('stale')], [{ a: 'true' }, { b: 'true' }]);
    const all = [
      agg,
      role('z-first-selector', { a: 'true' }, [rule('zs'), rule('shared')]),
      role('a-first-selector', { a: 'true' }, [rule('as'), { ...rule('shared'), resourceNames: [] }]),
      role('both', { a: 'true', b: 'true' }, [rule('both')]),
      role('second', { b: 'true' }, [rule('second'), rule('as')]),
      role('unrelated', { c: 'true' }, [rule('no')]),
    ];
    assert.deepEqual(aggregatedRules(agg, all), [rule('as'), { ...rule('shared'), resourceNames: [] }, rule('both'), rule('zs'), rule('second')]);
    assert.deepEqual(aggregatedRules(role('none', {}, [], []), all), []);
  });

  test('an invalid selector is an error', () => {
    const bad: ClusterRole = { metadata: { name: 'bad' }, aggregationRule: { clusterRoleSelectors: [{ matchExpressions: [{ key: 'a', operator: 'Bogus' }] }] } };
    assert.throws(() => aggregatedRules(bad, []), /not a valid label selector operator/);
  });
});

describe('clusterrole-aggregation controller', () => {
  let api: TestApiserver;
  let client: RestClient;
  let cm: ControllerManagerHandle;
  const roles = () => client.resource('clusterroles.rbac.authorization.k8s.io');
  const rulesOf = async (name: string): Promise<PolicyRule[]> => (await roles().get(name)).rules ?? [];
  const has = (rules: PolicyRule[], r: PolicyRule) => rules.some((x) => JSON.stringify(x) === JSON.stringify(r));

  before(async () => {
    api = await startTestApiserver();
    client = new RestClient({ ...api.config, qps: 0 });
    cm = await startControllerManager({
      config: api.config,
      controllers: ['clusterrole-aggregation'],
      logger: pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }),
    });
  });

  after(async () => {
    await cm?.stop();
    await client?.close();
    await api?.stop();
  });

  test('view gathers the rules of roles labelled aggregate-to-view, and follows their changes and deletion', async () => {
    // `view` comes from the bootstrap policy once the apiserver reconciles it; create it if not.
    await roles()
      .create(role('view', {}, [], [{ [VIEW_LABEL]: 'true' }]))
      .catch((e: unknown) => {
        if (!isAlreadyExists(e)) throw e;
      });
    await roles().create(role('widget-viewer', { [VIEW_LABEL]: 'true' }, [rule('widgets', ['get', 'list'])]));
    await roles().create(role('gadget-viewer', { [VIEW_LABEL]: 'true' }, [rule('gadgets')]));
    await waitFor('view to aggregate both roles', async () => {
      const r = await rulesOf('view');
      return has(r, rule('widgets', ['get', 'list'])) && has(r, rule('gadgets'));
    });

    const widget = await roles().get('widget-viewer');
    await roles().update({ ...widget, rules: [rule('widgets', ['watch'])] });
    await waitFor('view to follow the change', async () => {
      const r = await rulesOf('view');
      return has(r, rule('widgets', ['watch'])) && !has(r, rule('widgets', ['get', 'list'])) && has(r, rule('gadgets'));
    });

    await roles().delete('gadget-viewer');
    await waitFor('view to drop the deleted role’s rules', async () => {
      const r = await rulesOf('view');
      return !has(r, rule('gadgets')) && has(r, rule('widgets', ['watch']));
    });

    // Unlabelling works like deleting.
    const w = await roles().get('widget-viewer');
    await roles().update({ ...w, metadata: { ...w.metadata, labels: {} } });
    await waitFor('view to drop the unlabelled role’s rules', async () => !has(await rulesOf('view'), rule('widgets', ['watch'])));
  });

  test('aggregation chains and an aggregated role created after its sources is filled at once', async () => {
    await roles().create(role('leaf', { 'example.com/to-mid': 'true' }, [rule('leaf')]));
    await roles().create(role('top', {}, [], [{ 'example.com/to-top': 'true' }]));
    await roles().create(role('mid', { 'example.com/to-top': 'true' }, [], [{ 'example.com/to-mid': 'true' }]));
    await waitFor('top to get leaf’s rule through mid', async () => has(await rulesOf('top'), rule('leaf')));
    assert.deepEqual(await rulesOf('mid'), [rule('leaf')]);

    // Writing rules into an aggregated role by hand is undone.
    const mid = await roles().get('mid');
    await roles().update({ ...mid, rules: [rule('sneaky', ['*'])] });
    await waitFor('mid to be re-derived', async () => JSON.stringify(await rulesOf('mid')) === JSON.stringify([rule('leaf')]));
    await waitFor('top to be re-derived', async () => JSON.stringify(await rulesOf('top')) === JSON.stringify([rule('leaf')]));

    await roles().delete('mid');
    await waitFor('top to lose leaf once mid is gone', async () => (await rulesOf('top')).length === 0);
    await roles().get('mid').then(
      () => assert.fail('mid should be gone'),
      (e: unknown) => assert.ok(isNotFound(e)),
    );
  });
});
