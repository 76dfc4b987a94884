// dockerd restarted under running kubelets (issue 13: "the same holds when dockerd is
// restarted"): on a scripts/up cluster with a Deployment behind a NodePort and a ClusterIP
// Service, dockerd is stopped (SIGTERM: it stops every container, live-restore is off) and
// started again 10 s later the way scripts/ensure-deps starts it. The kubelets ride it out — same
// processes, the runtime's absence reported, the PLEG relisting — and bring the pods back
// (new sandboxes, so new pod IPs); endpoints follow, both Services answer again on the same
// ClusterIP and NodePort, and no object is lost. Disruptive: run alone after every other test
// (scripts/run-tests.mjs), and dockerd is always started again in a finally.
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { RestClient } from '../../client/index.js';
import { dockerdCommand, dockerdPid, ensureDockerd, restartDockerd, type DockerdCommand } from '../harness/dockerd.js';
import { alive, lockHostNetwork } from '../harness/host-lock.js';
import { freePort, waitFor } from '../harness/ports.js';
import { ROOT, runScript, scriptsUpEnv } from './cluster-harness.js';
import { adminClient, assertSameIdentities, containerIds, createWorkload, snapshot, waitServing } from './restart-harness.js';

let release: (() => Promise<void>) | undefined;
let env: NodeJS.ProcessEnv;
let state: string;
let up = false;
let client: RestClient | undefined;
let dockerd: DockerdCommand | undefined;

before(async () => {
  release = await lockHostNetwork();
  state = mkdtempSync(join(tmpdir(), 'tskube-dockerd-'));
  env = await scriptsUpEnv(state, await freePort());
});

after(async () => {
  await ensureDockerd(dockerd);
  await client?.close();
  if (up && process.env.TSKUBE_TEST_KEEP !== '1') await runScript(join(ROOT, 'scripts/down'), ['--purge'], env, 120_000).catch(() => undefined);
  await release?.();
});

test('dockerd restarted under running kubelets: same kubelets, pods Running again, Services answer, nothing lost', async (t) => {
  up = true;
  await runScript(join(ROOT, 'scripts/up'), [], env, 240_000);
  client = adminClient(join(state, 'kubeconfig'));
  await createWorkload(client);
  const podsBefore = await waitServing(client, await snapshot(client), 120_000);
  const snap = await snapshot(client);
  const idsBefore = await containerIds(client);
  const kubelets = await Promise.all(['kubelet-node-1', 'kubelet-node-2'].map(async (n) => Number(await readFile(join(state, 'pids', n), 'utf8'))));

  const pid = dockerdPid();
  assert.ok(pid, 'dockerd runs');
  dockerd = dockerdCommand(pid);
  const t0 = Date.now();
  try {
    const { downMs } = await restartDockerd(10_000);
    t.diagnostic(`dockerd (${dockerd.argv.join(' ')}) down for ${downMs} ms`);
  } finally {
    await ensureDockerd(dockerd);
  }

  const podsAfter = await waitServing(client, snap, 90_000);
  t.diagnostic(`pods Ready and both Services answering ${Date.now() - t0} ms after the SIGTERM; pod IPs ${[...podsBefore.values()].join(',')} → ${[...podsAfter.values()].join(',')}`);
  // The disruption was real: dockerd stopped every container, so each pod's container is a
  // new one (the kubelet made a new sandbox and started the container again).
  await waitFor('every pod reports a new container', async () => {
    const ids = await containerIds(client!);
    return [...ids].every(([name, now]) => now.length > 0 && now.every((id) => id && !(idsBefore.get(name) ?? []).includes(id)));
  }, 30_000, 500);
  for (const [i, p] of kubelets.entries()) assert.ok(alive(p), `kubelet-node-${i + 1} (pid ${p}) survived`);
  assertSameIdentities(snap, await snapshot(client));
  await waitFor('both nodes Ready', async () => {
    const nodes = (await client!.resource('nodes').list()).items;
    return nodes.length === 2 && nodes.every((n) => (n.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True'));
  }, 30_000, 500);
});
