// Hollow nodes (like kubemark's hollow kubelet or kwok): N Node objects that look Ready, with
// capacity and renewed Leases, whose pods are marked Running — no containers, no Docker. They
// exist to load the scheduler and controllers at scale; every behaviour that matters also has
// a real-kubelet test. One shared pod informer serves all N nodes, and status writes go
// through one de-duplicating work queue with a few workers, so a burst of 5,000 bindings
// becomes a steady stream of writes instead of 5,000 at once.
import { cidrAddress, parseCidr } from '../api/net.js';
import { metaMicroTime, metaTime } from '../api/time.js';
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
  type SharedInformer,
  type RestClient,
} from '../client/index.js';

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
const HOLLOW_RANGE = parseCidr('100.64.0.0/10');

function ipFromIndex(n: number): string {
  return cidrAddress(HOLLOW_RANGE, n);
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
  const hollow = new HollowNodes(opts);
  await hollow.start();
  return hollow;
}

class HollowNodes implements HollowNodesHandle {
  readonly nodeNames: readonly string[];
  private readonly log: Logger | undefined;
  private readonly indexOf: Map<string, number>;
  private readonly nodes;
  private readonly leases;
  private readonly pods;
  private readonly leaseSeconds: number;
  // One informer for the pods bound to any node; a work queue of pod keys for status writes.
  private readonly factory: SharedInformerFactory;
  private readonly informer: SharedInformer<Pod>;
  private readonly queue = new WorkQueue<string>({ name: 'hollow-node', rateLimiter: new ItemExponentialRateLimiter(100, 10_000) });
  /** Per node: how many pods it has given an IP. */
  private readonly podSeq = new Map<string, number>();
  private running = 0;
  private stopping = false;
  private leaseTimer: NodeJS.Timeout | undefined;
  private workers: Promise<void> | undefined;

  constructor(private readonly opts: HollowNodesOptions) {
    const { client } = opts;
    this.log = opts.logger;
    const prefix = opts.namePrefix ?? 'hollow-node-';
    this.nodeNames = Array.from({ length: opts.count }, (_, i) => `${prefix}${i}`);
    this.indexOf = new Map(this.nodeNames.map((n, i) => [n, i]));
    this.nodes = client.resource('nodes');
    this.leases = client.resource('leases.coordination.k8s.io', 'kube-node-lease');
    this.pods = client.resource('pods');
    this.leaseSeconds = opts.leaseDurationSeconds ?? 40;
    this.factory = new SharedInformerFactory(client, this.log ? { logger: this.log } : {});
    this.informer = this.factory.informerFor('pods', { fieldSelector: 'spec.nodeName!=' });
  }

  runningPods(): number {
    return this.running;
  }

  async start(): Promise<void> {
    await this.registerNodes();
    await pool(this.nodeNames, 16, (n) => this.renewLease(n));
    this.startLeaseRenewal();
    this.informer.addEventHandler({
      onAdd: (p) => this.needsWork(p) && this.queue.add(metaNamespaceKey(p)),
      onUpdate: (_o, p) => this.needsWork(p) && this.queue.add(metaNamespaceKey(p)),
    });
    this.factory.start();
    await this.factory.waitForCacheSync();
    this.workers = runWorkers(this.queue, this.opts.statusWorkers ?? 8, (key) => this.syncPod(key), this.log ? { logger: this.log } : {});
  }

  async stop(): Promise<void> {
    this.stopping = true;
    clearInterval(this.leaseTimer);
    await this.queue.shutDownWithDrain();
    await this.workers;
    await this.factory.shutdown();
    if (this.opts.deleteNodesOnStop) {
      await pool(this.nodeNames, 16, async (n) => {
        await this.nodes.delete(n).catch((e: unknown) => {
          if (!isNotFound(e)) throw e;
        });
        await this.leases.delete(n).catch(() => undefined);
      });
    }
  }

  /** Register (or re-register) every node. */
  private async registerNodes(): Promise<void> {
    await pool(this.nodeNames, 16, async (name) => {
      const node = hollowNodeObject(name, this.indexOf.get(name) as number, this.opts);
      try {
        await this.nodes.create(node);
      } catch (e) {
        if (!isAlreadyExists(e)) throw e;
        await this.nodes.patch(name, 'merge', { status: node.status }, { subresource: 'status' });
      }
    });
  }

  private async renewLease(name: string): Promise<void> {
    const spec = { holderIdentity: name, leaseDurationSeconds: this.leaseSeconds, renewTime: metaMicroTime() };
    try {
      await this.leases.patch(name, 'merge', { spec });
    } catch (e) {
      if (!isNotFound(e)) throw e;
      const lease: Lease = { metadata: { name, namespace: 'kube-node-lease' }, spec };
      await this.leases.create(lease).catch((err: unknown) => {
        if (!isAlreadyExists(err) && !isConflict(err)) throw err;
      });
    }
  }

  /** Renew a slice of the leases every second, so N nodes make N/(period) writes a second, evenly. */
  private startLeaseRenewal(): void {
    const periodTicks = Math.max(1, Math.round(this.leaseSeconds / 4));
    let tick = 0;
    this.leaseTimer = setInterval(() => {
      const slice = this.nodeNames.filter((_, i) => i % periodTicks === tick % periodTicks);
      tick++;
      void pool(slice, 8, (n) => this.renewLease(n).catch((e: unknown) => this.log?.warn({ node: n, err: e }, 'lease renewal failed')));
    }, 1000);
    this.leaseTimer.unref();
  }

  private needsWork(p: Pod): boolean {
    if (!this.indexOf.has(p.spec?.nodeName ?? '')) return false;
    return !!p.metadata?.deletionTimestamp || (p.status?.phase !== 'Running' && p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed');
  }

  private async syncPod(key: string): Promise<void> {
    // On stop, queued work is dropped rather than drained: a stopped kubelet reports nothing.
    if (this.stopping) return;
    const pod = this.informer.lister.get(key);
    if (!pod || !this.needsWork(pod)) return;
    const { namespace, name } = splitKey(key);
    if (pod.metadata?.deletionTimestamp) {
      // Nothing to stop: finish the graceful deletion at once, as a kubelet does after its containers exit.
      await this.pods
        .inNamespace(namespace)
        .delete(name, { gracePeriodSeconds: 0, preconditions: { uid: pod.metadata.uid } })
        .catch((e: unknown) => {
          if (!isNotFound(e) && !isConflict(e)) throw e;
        });
      return;
    }
    const nodeName = pod.spec?.nodeName as string;
    const index = this.indexOf.get(nodeName) as number;
    const seq = this.podSeq.get(nodeName) ?? 0;
    this.podSeq.set(nodeName, seq + 1);
    try {
      await this.pods.inNamespace(namespace).patch(name, 'merge', { status: runningPodStatus(pod, hollowNodeIP(index), hollowPodIP(index, seq)) }, { subresource: 'status' });
      this.running++;
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
  }
}
