// npm run bench:preemption — the time from a high-priority pod's create to its binding when
// every node is full (the scheduler must preempt: a failed cycle, DefaultPreemption picks a
// victim, deletes it, nominates the node, and the pod binds once the victim is gone), next to
// its limit measured in the same run: create → bind of the same pod when a node has room (one
// ordinary scheduling cycle). The ratio is the price of preemption.
// A real apiserver + etcd and the real scheduler; hollow nodes stand in for kubelets (as
// Kubernetes' kubemark does), so a victim's graceful deletion is completed at once and the
// figure is the control plane's. BENCH_ROUNDS samples (default 20) of each, one at a time.
import { pino } from 'pino';
import type { Pod } from 'kubernetes-types/core/v1';
import { RestClient } from '../client/index.js';
import { startHollowNodes } from '../kubelet/hollow-node.js';
import { startScheduler } from '../scheduler/scheduler.js';
import { startTestApiserver } from '../test/harness/apiserver.js';
import { waitFor } from '../test/harness/ports.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 20);
const NODES = 4;
const NS = 'bench';
const logger = pino({ level: 'warn' });

const pod = (name: string, priorityClassName: string): Pod => ({
  metadata: { name, namespace: NS },
  spec: { priorityClassName, containers: [{ name: 'c', image: 'busybox:1.35', resources: { requests: { cpu: '800m' } } }] },
});

function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!;
}

async function main(): Promise<void> {
  const api = await startTestApiserver();
  const client = new RestClient({ ...api.config, qps: 0 });
  const scheduler = await startScheduler({ client, logger });
  const hollow = await startHollowNodes({ client, count: NODES, namePrefix: 'bench-', capacity: { cpu: '1' }, deleteNodesOnStop: true, logger });
  try {
    await waitFor('the scheduler sees the nodes', () => scheduler.nodeNames().length === NODES, 20_000);
    await client.resource('namespaces').create({ metadata: { name: NS } });
    const classes = client.resource('priorityclasses.scheduling.k8s.io');
    await classes.create({ apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', metadata: { name: 'low' }, value: 10 });
    await classes.create({ apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', metadata: { name: 'high' }, value: 1000 });
    const pods = client.resource('pods', NS);
    const gone = (name: string) => waitFor(`${name} gone`, async () => !(await pods.list()).items.some((p) => p.metadata?.name === name), 30_000, 5);
    /** Create → the pod's nodeName is set, in ms (polled every 5 ms: a bound on the error). */
    const bindMs = async (p: Pod): Promise<number> => {
      const t0 = performance.now();
      await pods.create(p);
      await waitFor(`${p.metadata?.name} bound`, async () => (await pods.get(p.metadata!.name!)).spec?.nodeName, 60_000, 5);
      return performance.now() - t0;
    };

    // The limit: a node has room, so one scheduling cycle binds the pod.
    const plain: number[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      plain.push(await bindMs(pod(`plain-${i}`, 'high')));
      await pods.delete(`plain-${i}`, { gracePeriodSeconds: 0 });
      await gone(`plain-${i}`);
    }

    // Fill every node with a low-priority pod; each round a high one must preempt one of them,
    // then a low pod refills the freed node for the next round.
    let low = 0;
    const fill = async (): Promise<void> => {
      await bindMs(pod(`low-${low++}`, 'low'));
    };
    for (let i = 0; i < NODES; i++) await fill();
    const preempt: number[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      preempt.push(await bindMs(pod(`high-${i}`, 'high')));
      await pods.delete(`high-${i}`, { gracePeriodSeconds: 0 });
      await gone(`high-${i}`);
      await fill();
    }

    const line = (label: string, xs: number[]) => `${label}: p50 ${percentile(xs, 50).toFixed(0)} ms, p99 ${percentile(xs, 99).toFixed(0)} ms`;
    console.log(`preemption on ${NODES} full hollow nodes, ${ROUNDS} rounds`);
    console.log(line('  limit, create → bind with room     ', plain));
    console.log(line('  create → bind by preemption        ', preempt));
    console.log(`  ratio (p50 preemption / p50 plain): ${(percentile(preempt, 50) / percentile(plain, 50)).toFixed(1)}`);
    // After its failed cycle the preemptor waits out the queue's backoff before it is retried
    // on the freed node, as upstream's (--pod-initial-backoff-seconds, default 1).
    console.log('  (most of it is the 1 s initial backoff after the failed cycle, as in Kubernetes)');
  } finally {
    await hollow.stop();
    await scheduler.stop();
    await client.close();
    await api.stop();
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
