// The chaos harness's short form on the HA topology: scripts/up --ha on random ports, then
// one round of every fault but the dockerd restart (it would break the other Docker tests
// running beside this one; the restart tests cover it in a *.disruptive.test.ts) while a
// rolling Deployment, a NodePort client, ConfigMap writers and watchers run. Every invariant
// must hold after every fault and at the end. TSKUBE_CHAOS_SEED=<n> repeats a plan.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { runChaos } from '../chaos/chaos.js';
import { FAULTS } from '../chaos/plan.js';
import { formatReport } from '../chaos/report.js';
import { startCluster, type StartedCluster } from '../chaos/start-cluster.js';
import { lockHostNetwork } from '../harness/host-lock.js';

let release: (() => Promise<void>) | undefined;
let cluster: StartedCluster | undefined;

before(async () => {
  release = await lockHostNetwork();
  cluster = await startCluster('ha', (m) => console.log(m));
});

after(async () => {
  if (process.env.TSKUBE_TEST_KEEP === '1') console.log(`kept the cluster in ${cluster?.state} (TSKUBE_TEST_KEEP=1)`);
  else await cluster?.stop();
  await release?.();
});

test('one round of every fault on the HA topology: nothing acked is lost, one leader at a time, the Deployment converges', async () => {
  const seed = Number(process.env.TSKUBE_CHAOS_SEED ?? Math.floor(Math.random() * 2 ** 31));
  const faults = FAULTS.filter((f) => f !== 'dockerd-restart');
  const report = await runChaos({
    state: cluster!.state,
    env: cluster!.env,
    seed,
    rounds: 1,
    faults,
    durationMs: 10 * 60_000,
    writers: 3,
    rollEveryMs: 10_000,
    convergeDeadlineMs: 120_000,
    clientTimeoutMs: 5000,
    keep: false,
    log: (m) => console.log(m),
  });
  console.log(formatReport(report));
  assert.equal(report.mode, 'ha');
  assert.deepEqual(report.plan.notApplicable, [], 'every fault applies to the HA topology');
  assert.deepEqual(report.steps.map((s) => s.fault).sort(), [...faults].sort());
  for (const s of report.steps) {
    assert.equal(s.error, undefined, `${s.fault}: ${s.error}`);
    assert.deepEqual(s.invariants.filter((x) => !x.held).map((x) => `${x.name}: ${x.detail.join('; ')}`), [], `invariants after ${s.fault} (${s.detail})`);
    assert.ok(s.readyMs !== undefined && s.leaderMs !== undefined && s.convergedMs !== undefined, `${s.fault} recovered`);
  }
  assert.deepEqual(report.final.filter((x) => !x.held).map((x) => `${x.name}: ${x.detail.join('; ')}`), [], 'final invariants');
  assert.ok(report.totals.writesAcked > 0 && report.totals.serviceRequests > 0 && report.totals.revisions > 0);
  assert.ok(report.ok);
});
