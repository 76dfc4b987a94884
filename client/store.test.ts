import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from 'kubernetes-types/core/v1';
import {
  Store,
  NAMESPACE_INDEX,
  NODE_NAME_INDEX,
  OWNER_UID_INDEX,
  namespaceIndexFunc,
  nodeNameIndexFunc,
  ownerUidIndexFunc,
  splitKey,
} from './store.js';

function pod(ns: string, name: string, node?: string, owner?: string): Pod {
  return {
    metadata: { namespace: ns, name, ...(owner ? { ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'rs', uid: owner }] } : {}) },
    spec: { containers: [{ name: 'c' }], ...(node ? { nodeName: node } : {}) },
  };
}

function newStore(): Store<Pod> {
  return new Store<Pod>({ [NAMESPACE_INDEX]: namespaceIndexFunc, [NODE_NAME_INDEX]: nodeNameIndexFunc, [OWNER_UID_INDEX]: ownerUidIndexFunc });
}

describe('Store', () => {
  test('keys objects namespace/name and cluster-scoped ones by name', () => {
    const s = newStore();
    s.upsert(pod('default', 'a'));
    s.upsert({ metadata: { name: 'node-pod' } });
    assert.deepEqual(s.listKeys().sort(), ['default/a', 'node-pod']);
    assert.equal(s.getByName('default', 'a')?.metadata?.name, 'a');
    assert.equal(s.getByName('', 'node-pod')?.metadata?.name, 'node-pod');
    assert.deepEqual(splitKey('default/a'), { namespace: 'default', name: 'a' });
    assert.deepEqual(splitKey('n1'), { namespace: '', name: 'n1' });
  });

  test('indexes follow updates and deletes', () => {
    const s = newStore();
    s.upsert(pod('ns1', 'a', 'node1', 'rs-uid'));
    s.upsert(pod('ns1', 'b', 'node2'));
    s.upsert(pod('ns2', 'c'));
    assert.deepEqual(s.indexKeys(NODE_NAME_INDEX, 'node1'), ['ns1/a']);
    assert.deepEqual(s.byIndex(NAMESPACE_INDEX, 'ns1').map((p) => p.metadata?.name).sort(), ['a', 'b']);
    assert.deepEqual(s.indexKeys(OWNER_UID_INDEX, 'rs-uid'), ['ns1/a']);

    const old = s.upsert(pod('ns1', 'a', 'node2'));
    assert.equal(old?.spec?.nodeName, 'node1');
    assert.deepEqual(s.indexKeys(NODE_NAME_INDEX, 'node1'), []);
    assert.deepEqual(s.indexKeys(NODE_NAME_INDEX, 'node2').sort(), ['ns1/a', 'ns1/b']);
    assert.deepEqual(s.indexKeys(OWNER_UID_INDEX, 'rs-uid'), []);

    s.deleteKey('ns1/b');
    assert.deepEqual(s.indexKeys(NODE_NAME_INDEX, 'node2'), ['ns1/a']);
    assert.equal(s.size(), 2);
    assert.throws(() => s.byIndex('nope', 'x'), /does not exist/);
  });

  test('stored objects are deep-frozen', () => {
    const s = newStore();
    s.upsert(pod('ns', 'a'));
    const p = s.get('ns/a') as Pod;
    assert.throws(() => {
      (p.metadata as { name?: string }).name = 'changed';
    }, TypeError);
    assert.throws(() => {
      p.spec?.containers.push({ name: 'x' });
    }, TypeError);
    const copy = structuredClone(p);
    copy.metadata!.labels = { changed: 'yes' };
    assert.equal(s.get('ns/a')?.metadata?.labels, undefined);
  });

  test('replace swaps the content; indexers added later index existing objects', () => {
    const s = new Store<Pod>();
    s.upsert(pod('ns', 'old'));
    s.replace([pod('ns', 'a', 'n1'), pod('ns', 'b', 'n1')]);
    assert.deepEqual(s.listKeys().sort(), ['ns/a', 'ns/b']);
    s.addIndexers({ [NODE_NAME_INDEX]: nodeNameIndexFunc });
    assert.deepEqual(s.indexKeys(NODE_NAME_INDEX, 'n1').sort(), ['ns/a', 'ns/b']);
    assert.throws(() => s.addIndexers({ [NODE_NAME_INDEX]: nodeNameIndexFunc }), /already exists/);
  });
});
