import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { pino } from 'pino';
import type { ClusterRole, ClusterRoleBinding } from 'kubernetes-types/rbac/v1';
import { errors } from '../../../api/status.js';
import { bootstrapPolicy, type BootstrapPolicy } from './bootstrap-policy.js';
import { AUTOUPDATE_ANNOTATION, clusterRole, clusterRoleBinding, group, rule, user } from './policy-builders.js';
import { reconcileBootstrapPolicy, type Binding, type RbacKind, type ReconcileApi, type RuleOwner } from './reconcile.js';

const log = pino({ level: 'silent' });
type Obj = RuleOwner | Binding;

/** The apiserver's storage semantics that matter here: resourceVersion CAS, uid preconditions, AlreadyExists. */
class MemoryApi implements ReconcileApi {
  readonly objects = new Map<string, Obj>();
  readonly writes: string[] = [];
  private rv = 0;
  /** Fail the next update of this key with a Conflict, after a concurrent writer changed it. */
  conflictOnce = new Set<string>();

  private key(kind: string, ns: string, name: string): string {
    return `${kind}/${ns}/${name}`;
  }
  private keyOf(o: Obj): string {
    return this.key(o.kind ?? '', o.metadata?.namespace ?? '', o.metadata?.name ?? '');
  }
  put(o: Obj): Obj {
    const stored = structuredClone(o);
    stored.metadata = { ...stored.metadata, resourceVersion: String(++this.rv), uid: stored.metadata?.uid ?? `uid-${this.rv}` };
    this.objects.set(this.keyOf(stored), stored);
    return structuredClone(stored);
  }
  async get(kind: RbacKind, ns: string, name: string): Promise<Obj | undefined> {
    const o = this.objects.get(this.key(kind, ns, name));
    return o && structuredClone(o);
  }
  async create(o: Obj): Promise<Obj> {
    const gr = { group: 'rbac.authorization.k8s.io', resource: `${(o.kind ?? '').toLowerCase()}s` };
    if (this.objects.has(this.keyOf(o))) throw errors.alreadyExists(gr, o.metadata?.name ?? '');
    this.writes.push(`create ${this.keyOf(o)}`);
    return this.put(o);
  }
  async update(o: Obj): Promise<Obj> {
    const k = this.keyOf(o);
    const gr = { group: 'rbac.authorization.k8s.io', resource: `${(o.kind ?? '').toLowerCase()}s` };
    const cur = this.objects.get(k);
    if (!cur) throw errors.notFound(gr, o.metadata?.name ?? '');
    if (this.conflictOnce.delete(k)) {
      this.put(cur); // someone else wrote meanwhile
      throw errors.staleResourceVersion(gr, o.metadata?.name ?? '');
    }
    if (cur.metadata?.resourceVersion !== o.metadata?.resourceVersion) throw errors.staleResourceVersion(gr, o.metadata?.name ?? '');
    this.writes.push(`update ${k}`);
    return this.put(o);
  }
  async delete(kind: RbacKind, ns: string, name: string, uid: string): Promise<void> {
    const k = this.key(kind, ns, name);
    const cur = this.objects.get(k);
    if (!cur) throw errors.notFound({ group: 'rbac.authorization.k8s.io', resource: 'x' }, name);
    if (cur.metadata?.uid !== uid) throw errors.conflict({ group: 'rbac.authorization.k8s.io', resource: 'x' }, name, 'uid precondition');
    this.writes.push(`delete ${k}`);
    this.objects.delete(k);
  }
}

const small = (): BootstrapPolicy => ({
  clusterRoles: [
    clusterRole('reader', [rule(['get', 'list'], [''], ['pods'])]),
    clusterRole('agg', [], { aggregateFrom: 'example.com/aggregate' }),
  ],
  clusterRoleBindings: [clusterRoleBinding('reader', [group('readers')])],
  roles: [],
  roleBindings: [],
});

describe('reconcileBootstrapPolicy', () => {
  test('creates what is missing, then a second run changes nothing', async () => {
    const api = new MemoryApi();
    const first = await reconcileBootstrapPolicy(api, log);
    assert.ok(first.every((r) => r.operation === 'create'));
    const policy = bootstrapPolicy();
    assert.equal(api.objects.size, policy.clusterRoles.length + policy.clusterRoleBindings.length + policy.roles.length + policy.roleBindings.length);
    const admin = (await api.get('ClusterRole', '', 'admin')) as ClusterRole;
    assert.deepEqual(admin.aggregationRule, { clusterRoleSelectors: [{ matchLabels: { 'rbac.authorization.k8s.io/aggregate-to-admin': 'true' } }] });
    assert.equal(admin.metadata?.annotations?.[AUTOUPDATE_ANNOTATION], 'true');
    assert.equal(admin.metadata?.labels?.['kubernetes.io/bootstrapping'], 'rbac-defaults');
    assert.ok(await api.get('Role', 'kube-system', 'system:tskube-dns'));

    const writes = api.writes.length;
    const second = await reconcileBootstrapPolicy(api, log);
    assert.ok(second.every((r) => r.operation === 'none'), JSON.stringify(second.filter((r) => r.operation !== 'none')));
    assert.equal(api.writes.length, writes);
  });

  test('autoupdate "true": missing rules, subjects, labels and selectors are added; users’ additions kept', async () => {
    const api = new MemoryApi();
    api.put({
      ...clusterRole('reader', [rule(['get'], [''], ['pods']), rule(['get'], [''], ['configmaps'])]),
      metadata: { name: 'reader', labels: { mine: 'x' }, annotations: { [AUTOUPDATE_ANNOTATION]: 'true' } },
    });
    api.put({ ...clusterRole('agg', [rule(['get'], [''], ['secrets'])]), aggregationRule: { clusterRoleSelectors: [{ matchLabels: { other: 'true' } }] } });
    api.put(clusterRoleBinding('reader', [user('someone')]));
    const results = await reconcileBootstrapPolicy(api, log, small());
    assert.deepEqual(results.map((r) => [r.name, r.operation]), [['reader', 'update'], ['agg', 'update'], ['reader', 'update']]);

    const reader = (await api.get('ClusterRole', '', 'reader')) as ClusterRole;
    assert.deepEqual(reader.rules, [rule(['get'], [''], ['pods']), rule(['get'], [''], ['configmaps']), { apiGroups: [''], resources: ['pods'], verbs: ['list'] }]);
    assert.deepEqual(reader.metadata?.labels, { mine: 'x', 'kubernetes.io/bootstrapping': 'rbac-defaults' });
    const agg = (await api.get('ClusterRole', '', 'agg')) as ClusterRole;
    assert.deepEqual(agg.aggregationRule?.clusterRoleSelectors, [{ matchLabels: { other: 'true' } }, { matchLabels: { 'example.com/aggregate': 'true' } }]);
    assert.deepEqual(agg.rules, [rule(['get'], [''], ['secrets'])], 'aggregated rules are the controller’s business');
    const binding = (await api.get('ClusterRoleBinding', '', 'reader')) as ClusterRoleBinding;
    assert.deepEqual(binding.subjects, [user('someone'), group('readers')]);
  });

  test('autoupdate "false" is left alone', async () => {
    const api = new MemoryApi();
    const mine = { ...clusterRole('reader', [rule(['get'], [''], ['pods'])]), metadata: { name: 'reader', annotations: { [AUTOUPDATE_ANNOTATION]: 'false' } } };
    api.put(mine);
    const b = clusterRoleBinding('reader', []);
    api.put({ ...b, metadata: { ...b.metadata, annotations: { [AUTOUPDATE_ANNOTATION]: 'false' } } });
    const results = await reconcileBootstrapPolicy(api, log, small());
    assert.deepEqual(results.map((r) => [r.name, r.operation, r.protected]), [['reader', 'update', true], ['agg', 'create', false], ['reader', 'update', true]]);
    assert.deepEqual(((await api.get('ClusterRole', '', 'reader')) as ClusterRole).rules, [rule(['get'], [''], ['pods'])]);
    assert.deepEqual(((await api.get('ClusterRoleBinding', '', 'reader')) as ClusterRoleBinding).subjects, []);
    assert.deepEqual(api.writes, ['create ClusterRole//agg']);
  });

  test('a binding whose roleRef differs is recreated', async () => {
    const api = new MemoryApi();
    api.put(clusterRoleBinding('other-role', [group('readers')], 'reader'));
    await reconcileBootstrapPolicy(api, log, small());
    const binding = (await api.get('ClusterRoleBinding', '', 'reader')) as ClusterRoleBinding;
    assert.equal(binding.roleRef.name, 'reader');
    assert.ok(api.writes.includes('delete ClusterRoleBinding//reader'));
  });

  test('a conflict with a concurrent writer is retried on a fresh read', async () => {
    const api = new MemoryApi();
    api.put(clusterRole('reader', [rule(['get'], [''], ['pods'])]));
    api.conflictOnce.add('ClusterRole//reader');
    await reconcileBootstrapPolicy(api, log, small());
    assert.deepEqual(((await api.get('ClusterRole', '', 'reader')) as ClusterRole).rules?.map((r) => r.verbs), [['get'], ['list']]);
  });

  test('other errors propagate', async () => {
    const api = new MemoryApi();
    api.create = async () => {
      throw errors.internal('etcd is down');
    };
    await assert.rejects(reconcileBootstrapPolicy(api, log, small()), /etcd is down/);
  });
});
