// A StatefulSet through the real scheduler onto hollow nodes: pods db-0, db-1, db-2 created in
// order with their PVCs, removed from the top when scaled down, rolled from the highest ordinal
// with a new template; `kubectl rollout status statefulset` follows.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { StatefulSet } from 'kubernetes-types/apps/v1';
import type { Pod } from 'kubernetes-types/core/v1';
import type { RestClient } from '../../client/index.js';
import { kubectlFor } from '../harness/kubectl.js';
import { waitFor } from '../harness/ports.js';
import { startHollowCluster, type HollowCluster } from './hollow-harness.js';
import { bindClaimsAsTheyCome } from '../harness/volumes.js';

let cluster: HollowCluster;
let client: RestClient;
const sets = () => client.resource<StatefulSet>('statefulsets.apps', 'default');
const live = async (): Promise<Pod[]> => (await client.resource('pods', 'default').list({ labelSelector: 'app=db' })).items.filter((p) => !p.metadata?.deletionTimestamp);
const names = (ps: Pod[]) => ps.map((p) => p.metadata?.name ?? '').sort();
/** Pod ADDED/DELETED events in order, as a watch sees them. */
const events: string[] = [];
let closeWatch = (): void => undefined;
let binder: { stop(): void } | undefined;

before(async () => {
  cluster = await startHollowCluster({ nodes: 2, namePrefix: 'stsn-', controllers: ['statefulset'] });
  client = cluster.client;
  // The scheduler's VolumeBinding waits for the claims to be Bound; no PV controller runs here.
  binder = bindClaimsAsTheyCome(client, 'default', '/tmp/tskube-sts-test');
  const w = await client.resource('pods', 'default').watch({ labelSelector: 'app=db' });
  closeWatch = () => w.close();
  void (async () => {
    for await (const ev of w) if (ev.type === 'ADDED' || ev.type === 'DELETED') events.push(`${ev.type} ${ev.object.metadata?.name ?? ''}`);
  })().catch(() => undefined);
});

after(async () => {
  closeWatch();
  binder?.stop();
  await cluster?.stop();
});

test('ordered creation with stable names, hostnames and claims; kubectl rollout status', async () => {
  await client.resource('services', 'default').create({ metadata: { name: 'db' }, spec: { clusterIP: 'None', selector: { app: 'db' }, ports: [{ port: 5432 }] } });
  await sets().create({
    metadata: { name: 'db' },
    spec: {
      replicas: 3,
      serviceName: 'db',
      selector: { matchLabels: { app: 'db' } },
      template: { metadata: { labels: { app: 'db' } }, spec: { containers: [{ name: 'pg', image: 'busybox:1.35', command: ['sleep', '3600'] }] } },
      volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } }],
    },
  });
  const k = kubectlFor(cluster.api.config);
  const r = await k.run(['rollout', 'status', 'statefulset/db', '--timeout=30s'], undefined, 40_000);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /partitioned roll out complete|statefulset rolling update complete 3 pods/);
  assert.deepEqual(events.filter((e) => e.startsWith('ADDED')), ['ADDED db-0', 'ADDED db-1', 'ADDED db-2']);
  const ps = await live();
  assert.deepEqual(names(ps), ['db-0', 'db-1', 'db-2']);
  const p1 = ps.find((p) => p.metadata?.name === 'db-1')!;
  assert.deepEqual([p1.spec?.hostname, p1.spec?.subdomain, p1.metadata?.labels?.['statefulset.kubernetes.io/pod-name']], ['db-1', 'db', 'db-1']);
  assert.equal(p1.spec?.volumes?.find((v) => v.name === 'data')?.persistentVolumeClaim?.claimName, 'data-db-1');
  const claims = (await client.resource('persistentvolumeclaims', 'default').list()).items.map((c) => c.metadata?.name).sort();
  assert.deepEqual(claims, ['data-db-0', 'data-db-1', 'data-db-2']);
});

test('scale down removes the highest ordinals first and keeps their claims', async () => {
  events.length = 0;
  await sets().patch('db', 'merge', { spec: { replicas: 1 } });
  await waitFor('one left', async () => names(await live()).join() === 'db-0' && (await sets().get('db')).status?.replicas === 1, 20_000);
  await waitFor('both deletions seen', () => events.filter((e) => e.startsWith('DELETED')).length === 2);
  assert.deepEqual(events.filter((e) => e.startsWith('DELETED')), ['DELETED db-2', 'DELETED db-1']);
  assert.equal((await client.resource('persistentvolumeclaims', 'default').list()).items.length, 3);
});

test('a new template rolls from the highest ordinal down', async () => {
  await sets().patch('db', 'merge', { spec: { replicas: 3 } });
  const k = kubectlFor(cluster.api.config);
  assert.equal((await k.run(['rollout', 'status', 'statefulset/db', '--timeout=30s'], undefined, 40_000)).code, 0);
  events.length = 0;
  await sets().patch('db', 'strategic', { spec: { template: { metadata: { annotations: { rev: '2' } } } } });
  const r = await k.run(['rollout', 'status', 'statefulset/db', '--timeout=30s'], undefined, 40_000);
  assert.equal(r.code, 0, r.stderr);
  const st = (await sets().get('db')).status;
  assert.equal(st?.currentRevision, st?.updateRevision);
  assert.deepEqual([st?.updatedReplicas, st?.readyReplicas], [3, 3]);
  assert.ok((await live()).every((p) => p.metadata?.annotations?.rev === '2'));
  assert.deepEqual(events.filter((e) => e.startsWith('DELETED')), ['DELETED db-2', 'DELETED db-1', 'DELETED db-0']);
});
