// Hollow nodes (like kubemark's hollow kubelet or kwok): N Node objects that look Ready, with
// capacity and renewed Leases, whose pods are marked Running — no containers, no Docker. They
// exist to load the scheduler and controllers at scale; every behaviour that matters also has
// a real-kubelet test. One shared pod informer serves all N nodes, and status writes go
// through one de-duplicating work queue with a few workers, so a burst of 5,000 bindings
// becomes a steady stream of writes instead of 5,000 at once.
import { metaMicroTime } from '../api/time.js';
import type { Lease } from 'kubernetes-types/coordination/v1';
import type { Node, NodeCondition, Pod, Taint } from 'kubernetes-types/core/v1';
import {
  SharedInformerFactory,
  WorkQueue,
  isAlreadyExists,
  isConflict,
  isNotFound,
  metaNamespaceKey,
  runWorkers,
  splitKey,
  ItemExponentialRateLimiter,
  type Logger,
  type RestClient,
} from '../client/index.js';
import { metaTime } from '../api/time.js';

export interface HollowNodesOptions {
  client: RestClient;
  count: number;
  /** Nodes are `<prefix><index>` (default `hollow-node-`). */
  namePrefix?: string;
  /** Capacity (= allocatable) of each node; defaults cpu 4, memory 16Gi, pods 110. */
  capacity?: { cpu?: string; memory?: string; pods?: string; 'ephemeral-storage'?: string };
  /** Extra labels on every node. */
  labels?: Readonly<Record<string, string>>;
  /** Spread nodes over this many `topology.kubernetes.io/zone` values (zone-0 …); 0 = no zone label. */
  zones?: number;
  taints?: readonly Taint[];
  /** The node Lease duration; leases are renewed every quarter of it, as the kubelet does (default 40 s). */
  leaseDurationSeconds?: number;
  /** Status writers working at once (default 8). */
  statusWorkers?: number;
  logger?: Logger;
  /** Delete the Node objects on stop() (default false: a restarted process adopts them). */
  deleteNodesOnStop?: boolean;
}

export interface HollowNodesHandle {
  readonly nodeNames: readonly string[];
  /** Pods this process has marked Running so far. */
  runningPods(): number;
  stop(): Promise<void>;
}

export const HOLLOW_NODE_LABEL = 'tskube.io/hollow-node';

const now = (): string => metaTime();

/** A node's InternalIP and its pods' IPs come from 100.64.0.0/10 (shared address space), so they never collide with real networks. */
function ipFromIndex(n: number): string {
  const base = (100 << 24) + (64 << 16) + n;
  return [base >>> 24, (base >>> 16) & 255, (base >>> 8) & 255, base & 255].join('.');
}

/** Node index i owns the /24 starting at 100.64.0.0 + (i+1)·256; node addresses sit in the last /16 of the range. */
export function hollowPodIP(nodeIndex: number, podSeq: number): string {
  return ipFromIndex((nodeIndex + 1) * 256 + (podSeq % 254) + 1);
}

export function hollowNodeIP(nodeIndex: number): string {
  return ipFromIndex((63 << 16) + nodeIndex);
}

export function hollowNodeObject(name: string, index: number, opts: Pick<HollowNodesOptions, 'capacity' | 'labels' | 'zones' | 'taints'>): Node {
  const t = now();
  const capacity = { cpu: '4', memory: '16Gi', pods: '110', 'ephemeral-storage': '100Gi', ...opts.capacity };
  const cond = (type: string, status: string, reason: string, message: string): NodeCondition => ({
    type,
    status,
    reason,
    message,
    lastHeartbeatTime: t,
    lastTransitionTime: t,
  });
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name,
      labels: {
        'kubernetes.io/hostname': name,
        'kubernetes.io/os': 'linux',
        'kubernetes.io/arch': 'amd64',
        [HOLLOW_NODE_LABEL]: 'true',
        ...(opts.zones ? { 'topology.kubernetes.io/zone': `zone-${index % opts.zones}` } : {}),
        ...opts.labels,
      },
    },
    spec: { ...(opts.taints?.length ? { taints: [...opts.taints] } : {}) },
    status: {
      capacity,
      allocatable: capacity,
      conditions: [
        cond('MemoryPressure', 'False', 'KubeletHasSufficientMemory', 'kubelet has sufficient memory available'),
        cond('DiskPressure', 'False', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure'),
        cond('PIDPressure', 'False', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available'),
        cond('Ready', 'True', 'KubeletReady', 'kubelet is posting ready status (hollow)'),
      ],
      addresses: [
        { type: 'InternalIP', address: hollowNodeIP(index) },
        { type: 'Hostname', address: name },
      ],
      daemonEndpoints: { kubeletEndpoint: { Port: 0 } },
      nodeInfo: {
        machineID: '',
        systemUUID: '',
        bootID: '',
        kernelVersion: 'hollow',
        osImage: 'tskube hollow node',
        containerRuntimeVersion: 'hollow://0.1.0',
        kubeletVersion: 'v1.32.0-tskube-hollow',
        kubeProxyVersion: '',
        operatingSystem: 'linux',
        architecture: 'amd64',
      },
    },
  };
}

/** The status the hollow kubelet reports for a pod it "runs". */
export function runningPodStatus(pod: Pod, hostIP: string, podIP: string): Record<string, unknown> {
  const t = now();
  const cond = (type: string) => ({ type, status: 'True', lastProbeTime: null, lastTransitionTime: t });
  return {
    phase: 'Running',
    hostIP,
    hostIPs: [{ ip: hostIP }],
    podIP,
    podIPs: [{ ip: podIP }],
    startTime: t,
    conditions: ['PodReadyToStartContainers', 'Initialized', 'Ready', 'ContainersReady', 'PodScheduled'].map(cond),
    containerStatuses: (pod.spec?.containers ?? []).map((c) => ({
      name: c.name,
      image: c.image ?? '',
      imageID: `hollow://${c.image ?? ''}`,
      containerID: `hollow://${pod.metadata?.uid ?? ''}/${c.name}`,
      ready: true,
      started: true,
      restartCount: 0,
      state: { running: { startedAt: t } },
    })),
  };
}

async function pool<T>(items: readonly T[], concurrency: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, items.length) }, async () => {
      while (next < items.length) await fn(items[next++] as T);
    }),
  );
}

export async function startHollowNodes(opts: HollowNodesOptions): Promise<HollowNodesHandle> {
  const { client } = opts;
  const log = opts.logger;
  const prefix = opts.namePrefix ?? 'hollow-node-';
  const names = Array.from({ length: opts.count }, (_, i) => `${prefix}${i}`);
  const indexOf = new Map(names.map((n, i) => [n, i]));
  const nodes = client.resource('nodes');
  const leases = client.resource('leases.coordination.k8s.io', 'kube-node-lease');
  const pods = client.resource('pods');
  const leaseSeconds = opts.leaseDurationSeconds ?? 40;

  // Register (or re-register) every node, then its Lease.
  await pool(names, 16, async (name) => {
    const node = hollowNodeObject(name, indexOf.get(name) as number, opts);
    try {
      await nodes.create(node);
    } catch (e) {
      if (!isAlreadyExists(e)) throw e;
      await nodes.patch(name, 'merge', { status: node.status }, { subresource: 'status' });
    }
  });
  const renewLease = async (name: string): Promise<void> => {
    const spec = { holderIdentity: name, leaseDurationSeconds: leaseSeconds, renewTime: metaMicroTime() };
    try {
      await leases.patch(name, 'merge', { spec });
    } catch (e) {
      if (!isNotFound(e)) throw e;
      const lease: Lease = { metadata: { name, namespace: 'kube-node-lease' }, spec };
      await leases.create(lease).catch((err: unknown) => {
        if (!isAlreadyExists(err) && !isConflict(err)) throw err;
      });
    }
  };
  await pool(names, 16, renewLease);

  // Renew a slice of the leases every second, so N nodes make N/(period) writes a second, evenly.
  const periodTicks = Math.max(1, Math.round(leaseSeconds / 4));
  let tick = 0;
  const leaseTimer = setInterval(() => {
    const slice = names.filter((_, i) => i % periodTicks === tick % periodTicks);
    tick++;
    void pool(slice, 8, (n) => renewLease(n).catch((e: unknown) => log?.warn({ node: n, err: e }, 'lease renewal failed')));
  }, 1000);
  leaseTimer.unref();

  // One informer for the pods bound to any node; a work queue of pod keys for status writes.
  const factory = new SharedInformerFactory(client, log ? { logger: log } : {});
  const informer = factory.informerFor('pods', { fieldSelector: 'spec.nodeName!=' });
  const queue = new WorkQueue<string>({ name: 'hollow-node', rateLimiter: new ItemExponentialRateLimiter(100, 10_000) });
  const podSeq = new Map<string, number>();
  let running = 0;
  let stopping = false;
  const ours = (p: Pod): boolean => indexOf.has(p.spec?.nodeName ?? '');
  const needsWork = (p: Pod): boolean =>
    ours(p) && (!!p.metadata?.deletionTimestamp || (p.status?.phase !== 'Running' && p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed'));
  informer.addEventHandler({
    onAdd: (p) => needsWork(p) && queue.add(metaNamespaceKey(p)),
    onUpdate: (_o, p) => needsWork(p) && queue.add(metaNamespaceKey(p)),
  });
  factory.start();
  await factory.waitForCacheSync();

  const workers = runWorkers(
    queue,
    opts.statusWorkers ?? 8,
    async (key) => {
      // On stop, queued work is dropped rather than drained: a stopped kubelet reports nothing.
      if (stopping) return;
      const pod = informer.lister.get(key);
      if (!pod || !needsWork(pod)) return;
      const { namespace, name } = splitKey(key);
      if (pod.metadata?.deletionTimestamp) {
        // Nothing to stop: finish the graceful deletion at once, as a kubelet does after its containers exit.
        await pods
          .inNamespace(namespace)
          .delete(name, { gracePeriodSeconds: 0, preconditions: { uid: pod.metadata.uid } })
          .catch((e: unknown) => {
            if (!isNotFound(e) && !isConflict(e)) throw e;
          });
        return;
      }
      const nodeName = pod.spec?.nodeName as string;
      const index = indexOf.get(nodeName) as number;
      const seq = podSeq.get(nodeName) ?? 0;
      podSeq.set(nodeName, seq + 1);
      try {
        await pods.inNamespace(namespace).patch(name, 'merge', { status: runningPodStatus(pod, hollowNodeIP(index), hollowPodIP(index, seq)) }, { subresource: 'status' });
        running++;
      } catch (e) {
        if (!isNotFound(e)) throw e;
      }
    },
    log ? { logger: log } : {},
  );

  return {
    nodeNames: names,
    runningPods: () => running,
    async stop() {
      stopping = true;
      clearInterval(leaseTimer);
      await queue.shutDownWithDrain();
      await workers;
      await factory.shutdown();
      if (opts.deleteNodesOnStop) {
        await pool(names, 16, async (n) => {
          await nodes.delete(n).catch((e: unknown) => {
            if (!isNotFound(e)) throw e;
          });
          await leases.delete(n).catch(() => undefined);
        });
      }
    },
  };
}
