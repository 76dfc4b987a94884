// npm run bench:storage — dynamic provisioning through the local-path provisioner next to its
// physical limit, both measured in this run on this Docker:
//   limit:       what provisioning a local-path volume physically takes — a busybox container
//                with the root bind-mounted running `mkdir`, created, started, waited for and
//                removed straight on the Engine API — for N volumes all at once (the provisioner
//                does not serialize helper pods: its workers only start them); a volume's latency
//                is from the batch start to its container having exited. Also the apiserver's
//                bare PVC create round trip, and the same helpers each behind a pause sandbox on
//                the pod network (what a pod is made of).
//   provisioner: N PVCs of an Immediate local-path class POSTed at once; a claim's latency is
//                from its POST to the watch showing it Bound (PV controller → provisioner →
//                helper pod on a real kubelet → PV → binding).
// WFFC pod → Running: N pods POSTed at once, each with its own claim on the default
//                WaitForFirstConsumer `local-path` class, next to the same pods without a
//                volume (the limit: what scheduling and starting a pod costs anyway).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import type { StorageClass } from 'kubernetes-types/storage/v1';
import type { PersistentVolumeClaim, Pod } from 'kubernetes-types/core/v1';
import { RestClient } from '../client/index.js';
import { startScheduler } from '../scheduler/scheduler.js';
import { DockerClient } from '../kubelet/runtime/docker/client.js';
import { DEFAULT_POD_INFRA_IMAGE } from '../kubelet/runtime/docker/runtime.js';
import { startKubeletEnv, type KubeletEnv } from '../test/e2e/kubelet-harness.js';
import { waitFor } from '../test/harness/ports.js';
import { startControllerManager } from '../controller-manager/manager.js';

const CLAIMS = Number(process.env.BENCH_PVCS ?? 20);
/** Helper containers in flight at once in the limit: all of them, as helper pods are. */
const CONCURRENCY = CLAIMS;
const BUSYBOX = 'busybox:1.35';
const NODE = 'bench-storage';

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] ?? NaN;
}
const ms = (x: number): string => `${x.toFixed(0)} ms`;

/**
 * The physical limit: one helper container per volume, straight on the Engine API; with
 * `network`, each first gets a pause sandbox on the pod network, as a pod does.
 */
async function rawHelpers(docker: DockerClient, root: string, network?: string): Promise<number[]> {
  const latencies: number[] = [];
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < CLAIMS) {
        const i = next++;
        const tag = `${process.pid}-${network ? 'pod' : 'ctr'}-${i}`;
        let sandbox: { Id: string } | undefined;
        if (network) {
          sandbox = await docker.request<{ Id: string }>('POST', '/containers/create', {
            query: { name: `tskube-bench-storage-sandbox-${tag}` },
            body: { Image: DEFAULT_POD_INFRA_IMAGE, HostConfig: { Init: true, NetworkMode: network } },
          });
          await docker.request('POST', `/containers/${sandbox?.Id}/start`);
        }
        const c = await docker.request<{ Id: string }>('POST', '/containers/create', {
          query: { name: `tskube-bench-storage-raw-${tag}` },
          body: {
            Image: BUSYBOX,
            Cmd: ['/bin/sh', '-c', 'mkdir -m 0777 -p "$VOL_DIR"'],
            Env: [`VOL_DIR=${root}/raw-${tag}`],
            HostConfig: { Binds: [`${root}:${root}`], ...(sandbox ? { NetworkMode: `container:${sandbox.Id}` } : {}) },
          },
        });
        await docker.request('POST', `/containers/${c?.Id}/start`);
        await docker.request('POST', `/containers/${c?.Id}/wait`, { slow: true });
        latencies.push(performance.now() - t0);
        await docker.request('DELETE', `/containers/${c?.Id}`, { query: { force: true } });
        if (sandbox) await docker.request('DELETE', `/containers/${sandbox.Id}`, { query: { force: true } });
      }
    }),
  );
  return latencies;
}

/** Bare PVC create round trips (no controller involved), one at a time. */
async function createRoundTrips(env: KubeletEnv): Promise<number[]> {
  const pvcs = env.client.resource('persistentvolumeclaims', 'default');
  const out: number[] = [];
  for (let i = 0; i < CLAIMS; i++) {
    const t = performance.now();
    await pvcs.create({ metadata: { name: `rt-${i}` }, spec: { accessModes: ['ReadWriteOnce'], storageClassName: '', resources: { requests: { storage: '1Gi' } } } });
    out.push(performance.now() - t);
  }
  return out;
}

/** Claims POSTed at once; each one's time to Bound. */
async function provisionToBound(env: KubeletEnv): Promise<number[]> {
  const pvcs = env.client.resource('persistentvolumeclaims', 'default');
  const started = new Map<string, number>();
  const done = new Map<string, number>();
  const watch = await pvcs.watch({});
  const watching = (async () => {
    for await (const ev of watch) {
      const c = ev.object as PersistentVolumeClaim;
      const name = c.metadata?.name ?? '';
      if (c.status?.phase === 'Bound' && started.has(name) && !done.has(name)) done.set(name, performance.now() - started.get(name)!);
    }
  })().catch(() => undefined);
  await Promise.all(
    Array.from({ length: CLAIMS }, async (_, i) => {
      const name = `bench-${i}`;
      started.set(name, performance.now());
      await pvcs.create({ metadata: { name }, spec: { accessModes: ['ReadWriteOnce'], storageClassName: 'bench-immediate', resources: { requests: { storage: '1Gi' } } } });
    }),
  );
  await waitFor('all claims Bound', () => done.size === CLAIMS, 300_000, 100);
  watch.close();
  await watching;
  return [...done.values()];
}

/**
 * `n` pods POSTed at once, each (when `withClaim`) with its own claim on the default
 * WaitForFirstConsumer `local-path` class POSTed just before it; each pod's time from its POST
 * to phase Running. With claims that is scheduler (VolumeBinding selects the node) →
 * provisioner (helper pod) → PV controller (binds) → scheduler binds → kubelet mounts and runs;
 * without, the same pods with no volume: the limit.
 */
async function podsToRunning(env: KubeletEnv, tag: string, withClaim: boolean): Promise<number[]> {
  const pods = env.client.resource<Pod>('pods', 'default');
  const pvcs = env.client.resource('persistentvolumeclaims', 'default');
  const started = new Map<string, number>();
  const done = new Map<string, number>();
  const watch = await pods.watch({ labelSelector: `bench=${tag}` });
  const watching = (async () => {
    for await (const ev of watch) {
      const p = ev.object as Pod;
      const name = p.metadata?.name ?? '';
      if (p.status?.phase === 'Running' && started.has(name) && !done.has(name)) done.set(name, performance.now() - started.get(name)!);
    }
  })().catch(() => undefined);
  await Promise.all(
    Array.from({ length: CLAIMS }, async (_, i) => {
      const name = `${tag}-${i}`;
      started.set(name, performance.now());
      if (withClaim) await pvcs.create({ metadata: { name }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } });
      await pods.create({
        metadata: { name, labels: { bench: tag } },
        spec: {
          terminationGracePeriodSeconds: 0,
          containers: [{ name: 'c', image: BUSYBOX, command: ['sleep', '3600'], ...(withClaim ? { volumeMounts: [{ name: 'data', mountPath: '/data' }] } : {}) }],
          ...(withClaim ? { volumes: [{ name: 'data', persistentVolumeClaim: { claimName: name } }] } : {}),
        },
      });
    }),
  );
  await waitFor(`all ${tag} pods Running`, () => done.size === CLAIMS, 300_000, 100);
  watch.close();
  await watching;
  await Promise.all(Array.from({ length: CLAIMS }, (_, i) => pods.delete(`${tag}-${i}`, { gracePeriodSeconds: 0 })));
  return [...done.values()];
}

async function main(): Promise<void> {
  const env = await startKubeletEnv();
  const root = await mkdtemp(join(tmpdir(), 'tskube-bench-local-path-'));
  const docker = new DockerClient({});
  try {
    await env.startKubelet(NODE);
    const cm = await startControllerManager({
      config: await env.api.configFor('system:kube-controller-manager'),
      controllers: ['persistentvolume-binder', 'local-path-provisioner', 'persistentvolumeclaim-protection', 'serviceaccount'],
      options: { 'local-path-root': root },
      logger: pino({ level: 'silent' }),
    });
    await waitFor('node Ready', async () => (await env.client.resource('nodes').list()).items.some((n) => n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')), 30_000);
    await waitFor('kube-system/default service account', async () => (await env.client.resource('serviceaccounts', 'kube-system').list()).items.some((s) => s.metadata?.name === 'default'), 30_000);
    await env.client.resource('storageclasses.storage.k8s.io').create({ metadata: { name: 'bench-immediate' }, provisioner: 'tskube.io/local-path', volumeBindingMode: 'Immediate', reclaimPolicy: 'Delete' } as StorageClass);

    const raw = await rawHelpers(docker, root);
    const rtt = await createRoundTrips(env);
    const bound = await provisionToBound(env);
    // After the kubelet made the pod network with its first pod.
    const rawPods = await rawHelpers(docker, root, env.network.name);
    const scheduler = await startScheduler({ client: new RestClient({ ...(await env.api.configFor('system:kube-scheduler')), qps: 0 }), logger: pino({ level: 'silent' }) });
    const plainPods = await podsToRunning(env, 'plain', false);
    const wffc = await podsToRunning(env, 'wffc', true);
    await scheduler.stop();
    await cm.stop();

    const row = (what: string, xs: number[]): string => `${what.padEnd(48)} p50 ${ms(pct(xs, 50)).padStart(8)}   p99 ${ms(pct(xs, 99)).padStart(8)}`;
    console.log(`bench:storage — ${CLAIMS} PVCs, Immediate local-path class, 1 node, POSTed at once`);
    console.log(row('limit: helper container on Docker (all at once)', raw));
    console.log(row('limit: pause sandbox + helper (all at once)', rawPods));
    console.log(row('limit: apiserver PVC create round trip', rtt));
    console.log(row('provisioner: PVC create → Bound', bound));
    const ratio = (what: string, limit: number[]): string => `${what.padEnd(48)} p50 ${(pct(bound, 50) / pct(limit, 50)).toFixed(2).padStart(6)}x   p99 ${(pct(bound, 99) / pct(limit, 99)).toFixed(2).padStart(6)}x`;
    console.log(ratio('ratio Bound / helper container', raw));
    console.log(ratio('ratio Bound / sandbox + helper', rawPods));
    console.log(`${CLAIMS} pods POSTed at once on the same node, each with its own WaitForFirstConsumer local-path claim`);
    console.log(row('limit: the same pods without a volume → Running', plainPods));
    console.log(row('WFFC pod → Running', wffc));
    console.log(`${'ratio WFFC / no volume'.padEnd(48)} p50 ${(pct(wffc, 50) / pct(plainPods, 50)).toFixed(2).padStart(6)}x   p99 ${(pct(wffc, 99) / pct(plainPods, 99)).toFixed(2).padStart(6)}x`);
  } finally {
    await docker.close();
    await env.stop();
    await rm(root, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
