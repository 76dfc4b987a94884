import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { PriorityClass } from 'kubernetes-types/scheduling/v1';
import { findResource } from '../../api/resources.js';
import { StatusError } from '../../api/status.js';
import type { KObject } from '../../api/types.js';
import { systemPriorityClasses } from '../../api/scheduling/priority.js';
import { PriorityAdmission } from './priority.js';

const PODS = findResource('', 'pods')!;
const CLASSES = findResource('scheduling.k8s.io', 'priorityclasses')!;

function cls(name: string, value: number, extra: Partial<PriorityClass> = {}): PriorityClass {
  return { apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', metadata: { name }, value, preemptionPolicy: 'PreemptLowerPriority', ...extra };
}

function pod(spec: Record<string, unknown> = {}): KObject {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'x', namespace: 'default' }, spec: { containers: [{ name: 'c', image: 'i' }], ...spec } };
}

function spec(p: KObject): Record<string, unknown> {
  return p.spec as Record<string, unknown>;
}

function plugin(classes: PriorityClass[]): PriorityAdmission {
  return new PriorityAdmission(async () => [...systemPriorityClasses(), ...classes]);
}

async function refused(p: Promise<unknown>): Promise<StatusError> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof StatusError, String(e));
    return e;
  }
  assert.fail('admitted');
}

const attrs = { dryRun: false };

describe('Priority admission: pods', () => {
  test('a class name resolves into priority and preemptionPolicy', async () => {
    const p = pod({ priorityClassName: 'high' });
    await plugin([cls('high', 1000, { preemptionPolicy: 'Never' })]).admit('CREATE', PODS, p, undefined, attrs);
    assert.equal(spec(p)['priority'], 1000);
    assert.equal(spec(p)['preemptionPolicy'], 'Never');
  });

  test('no class: the global default (its name recorded), else 0', async () => {
    const p = pod();
    await plugin([cls('dflt', 7, { globalDefault: true })]).admit('CREATE', PODS, p, undefined, attrs);
    assert.deepEqual([spec(p)['priority'], spec(p)['priorityClassName']], [7, 'dflt']);
    const q = pod();
    await plugin([]).admit('CREATE', PODS, q, undefined, attrs);
    assert.deepEqual([spec(q)['priority'], spec(q)['priorityClassName'], spec(q)['preemptionPolicy']], [0, undefined, 'PreemptLowerPriority']);
  });

  test('system classes resolve in any namespace (upstream dropped the kube-system limit)', async () => {
    const p = pod({ priorityClassName: 'system-node-critical' });
    await plugin([]).admit('CREATE', PODS, p, undefined, attrs);
    assert.equal(spec(p)['priority'], 2000001000);
  });

  test('an unknown class is 403 Forbidden with Kubernetes message', async () => {
    const e = await refused(Promise.resolve(plugin([]).admit('CREATE', PODS, pod({ priorityClassName: 'nope' }), undefined, attrs)));
    assert.equal(e.code, 403);
    assert.equal(e.status.message, 'pods "x" is forbidden: no PriorityClass with name nope was found');
  });

  test('a priority other than the class computes is 403; the same one is fine', async () => {
    const e = await refused(Promise.resolve(plugin([cls('high', 1000)]).admit('CREATE', PODS, pod({ priorityClassName: 'high', priority: 5 }), undefined, attrs)));
    assert.equal(e.code, 403);
    assert.match(e.status.message ?? '', /the integer value of priority \(5\) must not be provided in pod spec; priority admission controller computed 1000 from the given PriorityClass name/);
    const same = pod({ priorityClassName: 'high', priority: 1000 });
    await plugin([cls('high', 1000)]).admit('CREATE', PODS, same, undefined, attrs);
    assert.equal(spec(same)['priority'], 1000);
  });

  test('subresources pass untouched', async () => {
    const binding = pod({ priorityClassName: 'nope' });
    await plugin([]).admit('CREATE', PODS, binding, undefined, { dryRun: false, subresource: 'binding' });
    assert.equal(spec(binding)['priority'], undefined);
  });
});

describe('Priority admission: PriorityClasses', () => {
  test('only one globalDefault', async () => {
    const existing = cls('dflt', 1, { globalDefault: true });
    const e = await refused(Promise.resolve(plugin([existing]).admit('CREATE', CLASSES, cls('other', 2, { globalDefault: true }) as unknown as KObject, undefined, attrs)));
    assert.equal(e.code, 403);
    assert.equal(e.status.message, 'priorityclasses.scheduling.k8s.io "other" is forbidden: PriorityClass dflt is already marked as default. Only one default can exist');
    // The default itself may be updated.
    await plugin([existing]).admit('UPDATE', CLASSES, cls('dflt', 1, { globalDefault: true, description: 'd' }) as unknown as KObject, existing as unknown as KObject, attrs);
  });

  test('system classes cannot be deleted', async () => {
    const sys = systemPriorityClasses()[0] as unknown as KObject;
    const e = await refused(Promise.resolve(plugin([]).admit('DELETE', CLASSES, sys, sys, attrs)));
    assert.equal(e.status.message, 'priorityclasses.scheduling.k8s.io "system-node-critical" is forbidden: this is a system priority class and cannot be deleted');
    await plugin([]).admit('DELETE', CLASSES, cls('mine', 1) as unknown as KObject, undefined, attrs);
  });
});
