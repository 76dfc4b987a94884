// leader_election_master_status on real kube-scheduler and kube-controller-manager processes,
// two of each leader-elected against one apiserver: 1 on the leader, 0 on the standby; after
// kill -9 of the leader (no lease release) the standby takes the lease over once it expires and
// its gauge flips to 1.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Lease } from 'kubernetes-types/coordination/v1';
import { Agent, fetch } from 'undici';
import { RestClient } from '../../client/index.js';
import { startTestApiserver, type TestApiserver } from '../harness/apiserver.js';
import { waitFor } from '../harness/ports.js';
import { startControlPlaneProcess, type DaemonProcess } from '../harness/processes.js';

const LEASE_MS = 4000;
const RETRY_MS = 500;
const LE_ARGS = ['--leader-elect-lease-duration', `${LEASE_MS}ms`, '--leader-elect-renew-deadline', '3s', '--leader-elect-retry-period', `${RETRY_MS}ms`];

let api: TestApiserver;
let client: RestClient;
let scrape: Agent;
const procs: DaemonProcess[] = [];

before(async () => {
  api = await startTestApiserver();
  client = new RestClient({ ...api.config, qps: 0 });
  // The daemons serve a self-signed certificate; /metrics wants an authorized caller (the admin).
  scrape = new Agent({ connect: { rejectUnauthorized: false, cert: api.config.cert, key: api.config.key } });
});

after(async () => {
  for (const p of procs) await p.kill();
  await scrape?.close();
  await client?.close();
  await api?.stop();
});

/** The gauge's value for `lease` on `p`'s /metrics (undefined while the series is absent). */
async function masterStatus(p: DaemonProcess, lease: string): Promise<number | undefined> {
  const res = await fetch(`https://127.0.0.1:${p.port}/metrics`, { dispatcher: scrape }).catch(() => undefined);
  if (!res?.ok) return undefined;
  const m = new RegExp(`^leader_election_master_status\\{name="${lease}"\\} (\\d+)$`, 'm').exec(await res.text());
  return m ? Number(m[1]) : undefined;
}

const pairs: { daemon: 'scheduler' | 'controller-manager'; lease: string; args: string[] }[] = [
  { daemon: 'scheduler', lease: 'kube-scheduler', args: [] },
  { daemon: 'controller-manager', lease: 'kube-controller-manager', args: ['--controllers', 'replicaset,deployment'] },
];

for (const { daemon, lease, args } of pairs) {
  test(`${daemon}: leader 1, standby 0; kill -9 of the leader flips it to the standby within the lease`, async (t) => {
    const two = [
      await startControlPlaneProcess(daemon, { config: api.config, args: [...LE_ARGS, ...args] }),
      await startControlPlaneProcess(daemon, { config: api.config, args: [...LE_ARGS, ...args] }),
    ];
    procs.push(...two);
    const [leader, standby] = await waitFor(`one ${lease} leader, one standby`, async () => {
      const v = await Promise.all(two.map((p) => masterStatus(p, lease)));
      if (v[0] === 1 && v[1] === 0) return [two[0]!, two[1]!];
      if (v[0] === 0 && v[1] === 1) return [two[1]!, two[0]!];
      return undefined;
    }, 30_000, 200);
    const held = await client.resource<Lease>('leases.coordination.k8s.io', 'kube-system').get(lease);
    assert.ok(held.spec?.holderIdentity, 'the Lease names its holder');

    await leader.kill('SIGKILL');
    const killedAt = Date.now();
    await waitFor('the standby leads', async () => (await masterStatus(standby, lease)) === 1, 20_000, 100);
    const tookMs = Date.now() - killedAt;
    t.diagnostic(`${lease}: standby leading ${tookMs} ms after kill -9 (lease ${LEASE_MS} ms)`);
    // It waits out the dead leader's lease (on its own clock), then one retry period at most.
    assert.ok(tookMs <= LEASE_MS + 2 * RETRY_MS + 1000, `took ${tookMs} ms`);
    const after = await client.resource<Lease>('leases.coordination.k8s.io', 'kube-system').get(lease);
    assert.notEqual(after.spec?.holderIdentity, held.spec?.holderIdentity);
    assert.equal((after.spec?.leaseTransitions ?? 0), (held.spec?.leaseTransitions ?? 0) + 1);
    await standby.kill('SIGTERM');
  });
}
