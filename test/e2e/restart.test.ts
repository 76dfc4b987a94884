// A restart that loses nothing: on a scripts/up cluster (random ports, its own state dir), a
// Deployment behind a NodePort and a ClusterIP Service, ConfigMaps and a Secret, and a client
// watch open throughout; scripts/down (no --purge: etcd's data stays) then scripts/up. Every
// object is back with its uid and resourceVersion, ClusterIPs and the NodePort are unchanged,
// the Deployment's pods run again (scripts/down removed their containers, so the kubelets
// recreate them for the same pod objects), the Service answers on the same NodePort, and the
// watcher — which saw the apiserver go away — resumes from its resourceVersion (or relists on
// 410) and ends with the server's final state.
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { RestClient } from '../../client/index.js';
import { lockHostNetwork } from '../harness/host-lock.js';
import { freePort, waitFor } from '../harness/ports.js';
import { ROOT, hostLeftovers, runScript, scriptsUpEnv } from './cluster-harness.js';
import { RecordingWatch, adminClient, assertSameIdentities, assertWatcherCaughtUp, createWorkload, snapshot, waitServing, type Snapshot } from './restart-harness.js';

let release: (() => Promise<void>) | undefined;
let env: NodeJS.ProcessEnv;
let state: string;
let up = false;
let client: RestClient | undefined;
let watch: RecordingWatch | undefined;

before(async () => {
  release = await lockHostNetwork();
  state = mkdtempSync(join(tmpdir(), 'tskube-restart-'));
  env = await scriptsUpEnv(state, await freePort());
});

after(async () => {
  await watch?.stop();
  await client?.close();
  if (up && process.env.TSKUBE_TEST_KEEP !== '1') await runScript(join(ROOT, 'scripts/down'), ['--purge'], env, 120_000).catch(() => undefined);
  await release?.();
});

test('scripts/down then scripts/up brings back every object, address and port; pods run again; watchers resume', async (t) => {
  up = true;
  await runScript(join(ROOT, 'scripts/up'), [], env, 240_000);
  client = adminClient(join(state, 'kubeconfig'));
  await createWorkload(client);
  const podsBefore = await waitServing(client, await snapshot(client), 120_000);
  const snap: Snapshot = await snapshot(client);
  watch = new RecordingWatch(client);
  await waitFor('the watcher listed', () => watch!.relists > 0, 20_000, 100);
  const rvBefore = watch.resourceVersion;

  await runScript(join(ROOT, 'scripts/down'), [], env, 120_000);
  // Down means down: no pod container survives, the apiserver does not answer.
  assert.deepEqual((await hostLeftovers(env.TSKUBE_CLUSTER_ID)).containers, []);
  await assert.rejects(client.resource('namespaces').get('default'));

  await runScript(join(ROOT, 'scripts/up'), [], env, 240_000);
  const podsAfter = await waitServing(client, snap, 180_000);
  assertSameIdentities(snap, await snapshot(client));
  // The same pod objects run again (their containers recreated by the kubelets), or the
  // ReplicaSet replaced them: either way 2 ready pods of the same Deployment.
  const kept = [...podsAfter.keys()].filter((n) => podsBefore.has(n));
  t.diagnostic(`pods before ${[...podsBefore.keys()].join(',')}; after ${[...podsAfter.keys()].join(',')} (${kept.length} kept their name)`);

  await assertWatcherCaughtUp(client, watch, 60_000);
  t.diagnostic(`watcher: resourceVersion ${rvBefore} → ${watch.resourceVersion}, ${watch.relists - 1} relist(s) after the first list`);
  assert.ok(BigInt(watch.resourceVersion) > BigInt(rvBefore));
});

