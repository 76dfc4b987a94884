// The node graph following the apiserver's own watch caches, over real etcd: objects are
// written through the API, and the graph is polled (with a deadline) until it follows.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { pino } from 'pino';
import { startTestApiserver, type TestApiserver } from '../../../test/harness/apiserver.js';
import { http } from '../../../test/harness/http.js';
import { waitFor } from '../../../test/harness/ports.js';
import { NodeGraph } from './graph.js';
import { GraphPopulator, type NodeGraphCaches } from './populate.js';

let api: TestApiserver;
let req: ReturnType<typeof http>;
let caches: NodeGraphCaches;

before(async () => {
  api = await startTestApiserver();
  req = http(api);
  caches = {
    pods: api.server.store('', 'pods').cache,
    persistentVolumeClaims: api.server.store('', 'persistentvolumeclaims').cache,
    persistentVolumes: api.server.store('', 'persistentvolumes').cache,
  };
});
after(async () => {
  await api?.stop();
});

async function create(path: string, body: unknown): Promise<void> {
  const r = await req('POST', path, body);
  assert.equal(r.status, 201, JSON.stringify(r.body));
}

function pod(name: string, nodeName: string | undefined, volumes: unknown[]): unknown {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name },
    spec: { ...(nodeName ? { nodeName } : {}), containers: [{ name: 'c', image: 'busybox' }], volumes },
  };
}

const secretVolume = (secretName: string) => ({ name: secretName, secret: { secretName } });
const claimVolume = (claimName: string) => ({ name: claimName, persistentVolumeClaim: { claimName } });
const PODS = '/api/v1/namespaces/default/pods';

describe('GraphPopulator', () => {
  test('lists what exists, then follows pods, PVCs and PVs as they are written; stop() unsubscribes', async () => {
    await create(PODS, pod('early', 'n1', [secretVolume('early-secret')]));
    const graph = new NodeGraph();
    const watchersBefore = caches.pods.watcherCount;
    const populator = new GraphPopulator(graph, caches, pino({ level: 'silent' }));
    try {
      await populator.synced;
      await waitFor('the pod created before the populator', () => graph.hasPathFrom('secret', 'n1', 'default', 'early-secret'));

      // A pod created afterwards, with a claim whose PV (bound by claimRef) has a secret.
      await create(PODS, pod('late', 'n2', [secretVolume('late-secret'), { name: 'cm', configMap: { name: 'late-cm' } }, claimVolume('data')]));
      await waitFor('the new pod', () => graph.hasPathFrom('configmap', 'n2', 'default', 'late-cm') && graph.hasPathFrom('pvc', 'n2', 'default', 'data'));
      assert.ok(!graph.hasPathFrom('secret', 'n1', 'default', 'late-secret'), "n1 does not see n2's pod");
      await create('/api/v1/persistentvolumes', {
        apiVersion: 'v1',
        kind: 'PersistentVolume',
        metadata: { name: 'pv-data' },
        spec: {
          capacity: { storage: '1Gi' },
          accessModes: ['ReadWriteOnce'],
          claimRef: { namespace: 'default', name: 'data' },
          csi: { driver: 'example.com/csi', volumeHandle: 'h', nodePublishSecretRef: { namespace: 'storage', name: 'csi-creds' } },
        },
      });
      await waitFor('the PV bound to the claim', () => graph.hasPathFrom('pv', 'n2', '', 'pv-data') && graph.hasPathFrom('secret', 'n2', 'storage', 'csi-creds'));

      // A hand-bound claim (spec.volumeName, no claimRef): created, then deleted.
      await create('/api/v1/persistentvolumes', {
        apiVersion: 'v1',
        kind: 'PersistentVolume',
        metadata: { name: 'pv-hand' },
        spec: { capacity: { storage: '1Gi' }, accessModes: ['ReadWriteOnce'], hostPath: { path: '/tmp/pv-hand' } },
      });
      await create(PODS, pod('claimer', 'n1', [claimVolume('hand')]));
      await create('/api/v1/namespaces/default/persistentvolumeclaims', {
        apiVersion: 'v1',
        kind: 'PersistentVolumeClaim',
        metadata: { name: 'hand' },
        spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } }, volumeName: 'pv-hand' },
      });
      await waitFor('the hand-bound PV', () => graph.hasPathFrom('pv', 'n1', '', 'pv-hand'));
      assert.equal((await req('DELETE', '/api/v1/namespaces/default/persistentvolumeclaims/hand')).status, 200);
      // StorageObjectInUseProtection's finalizer keeps the claim (Terminating, still in the graph) until the pvc-protection controller's part is done.
      assert.ok(graph.hasPathFrom('pv', 'n1', '', 'pv-hand'), 'a Terminating claim still leads to its PV');
      const patched = await req('PATCH', '/api/v1/namespaces/default/persistentvolumeclaims/hand', { metadata: { finalizers: null } }, { 'content-type': 'application/merge-patch+json' });
      assert.equal(patched.status, 200, JSON.stringify(patched.body));
      await waitFor('the PV to go with its claim', () => !graph.hasPathFrom('pv', 'n1', '', 'pv-hand'));

      // An unscheduled pod gives nothing until it is bound.
      await create(PODS, pod('pending', undefined, [secretVolume('pending-secret')]));
      await create(`${PODS}/pending/binding`, { apiVersion: 'v1', kind: 'Binding', metadata: { name: 'pending' }, target: { kind: 'Node', name: 'n3' } });
      await waitFor('the bound pod', () => graph.hasPathFrom('secret', 'n3', 'default', 'pending-secret'));

      // A deleted pod takes its objects with it.
      assert.equal((await req('DELETE', `${PODS}/late?gracePeriodSeconds=0`)).status, 200);
      await waitFor('the deleted pod to leave the graph', () => !graph.hasPathFrom('secret', 'n2', 'default', 'late-secret'));
      assert.ok(!graph.hasPathFrom('pv', 'n2', '', 'pv-data'));
      assert.ok(graph.hasPathFrom('secret', 'n1', 'default', 'early-secret'), 'the other pods stay');
    } finally {
      populator.stop();
    }
    assert.equal(caches.pods.watcherCount, watchersBefore, 'stop() unsubscribes from the caches');
  });

  test('after a watch cache resets (etcd history lost), the graph relists and follows again', async () => {
    const graph = new NodeGraph();
    const populator = new GraphPopulator(graph, caches, pino({ level: 'silent' }));
    try {
      await populator.synced;
      await create(PODS, pod('before-reset', 'n4', [secretVolume('before')]));
      await waitFor('the pod', () => graph.hasPathFrom('secret', 'n4', 'default', 'before'));
      // What the cache does when its etcd watch fails: drop its watchers, relist from etcd.
      (caches.pods as unknown as { reset(): void }).reset();
      assert.equal((await req('DELETE', `${PODS}/before-reset?gracePeriodSeconds=0`)).status, 200);
      await create(PODS, pod('after-reset', 'n4', [secretVolume('after')]));
      await waitFor('the graph to follow the relisted cache', () => graph.hasPathFrom('secret', 'n4', 'default', 'after') && !graph.hasPathFrom('secret', 'n4', 'default', 'before'));
    } finally {
      populator.stop();
    }
  });
});
