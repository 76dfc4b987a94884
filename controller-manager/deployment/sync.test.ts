// createNewReplicaSet on AlreadyExists: our own ReplicaSet from an earlier sync counts as created;
// a name the informer has not seen yet is retried, never taken as a hash collision (a bump there
// starts a second ReplicaSet for the same template — the chaos harness saw 7 after an apiserver kill).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Deployment, ReplicaSet } from 'kubernetes-types/apps/v1';
import { StatusError } from '../../api/status.js';
import { DeploymentSyncer, type DeploymentIO } from './sync.js';

function deployment(): Deployment {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'default', uid: 'd-uid', resourceVersion: '5', generation: 1 },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: 'web' } },
      template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'busybox:1.35' }] } },
    },
    status: {},
  };
}

function io(cached: (name: string) => ReplicaSet | undefined): DeploymentIO & { statusWrites: Deployment[] } {
  const statusWrites: Deployment[] = [];
  return {
    statusWrites,
    now: () => Date.now(),
    createReplicaSet: async (rs) => {
      throw new StatusError(409, 'AlreadyExists', `replicasets.apps "${rs.metadata?.name}" already exists`);
    },
    updateReplicaSet: async (rs) => rs,
    deleteReplicaSet: async () => undefined,
    updateDeploymentStatus: async (d) => {
      statusWrites.push(structuredClone(d));
      return d;
    },
    cachedReplicaSet: (_ns, name) => cached(name),
    event: () => undefined,
    requeueAfter: () => undefined,
  };
}

test('AlreadyExists for a ReplicaSet the informer has not seen yet: the sync fails and collisionCount stays', async () => {
  const fake = io(() => undefined);
  const d = deployment();
  await assert.rejects(new DeploymentSyncer(d, fake).allReplicaSets([], true), (e: unknown) => e instanceof StatusError && e.code === 409);
  assert.equal(d.status?.collisionCount, undefined);
  assert.deepEqual(fake.statusWrites.map((w) => w.status?.collisionCount), []);
});

test('AlreadyExists for someone else\'s ReplicaSet under our name bumps collisionCount', async () => {
  const fake = io((name) => ({ apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name, namespace: 'default', uid: 'other' }, spec: { selector: {}, template: {} } }));
  const d = deployment();
  await assert.rejects(new DeploymentSyncer(d, fake).allReplicaSets([], true));
  assert.equal(d.status?.collisionCount, 1);
});
