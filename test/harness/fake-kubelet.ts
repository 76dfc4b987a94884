// A stand-in for scheduler + kubelet in controller tests: binds every unscheduled pod to one
// of a few fake node names (round robin), marks bound pods Running and — when `ready` says so
// — Ready, and finishes graceful deletions at once. It is about testing controllers, so it
// does only what a controller can observe of a node.
import type { Pod } from 'kubernetes-types/core/v1';
import { RestClient, SharedInformerFactory, isConflict, isNotFound, type RestConfig, type SharedInformer } from '../../client/index.js';
import { pino } from 'pino';
import { metaTime } from '../../api/time.js';

export interface FakeKubeletOptions {
  /** Fake node names pods are bound to, round robin. Default `['node-a', 'node-b']`. */
  nodes?: string[];
  /** Whether a bound pod should report Ready now (asked again on every pod event and by `resync()`). Default: always. */
  ready?: (pod: Pod) => boolean;
  /** Only pods in this namespace. */
  namespace?: string;
}

export interface FakeKubelet {
  /** Re-evaluates `ready` for every pod (call after changing what it answers). */
  resync(): void;
  /** Resolves when nothing is in flight. */
  idle(): Promise<void>;
  stop(): Promise<void>;
  pods: SharedInformer<Pod>;
}

const now = (): string => metaTime();

export async function startFakeKubelet(config: RestConfig, opts: FakeKubeletOptions = {}): Promise<FakeKubelet> {
  const nodes = opts.nodes ?? ['node-a', 'node-b'];
  const ready = opts.ready ?? (() => true);
  const client = new RestClient({ ...config, qps: 0 });
  const factory = new SharedInformerFactory(client, { logger: pino({ level: 'silent' }), namespace: opts.namespace });
  const pods = factory.informerFor('pods');
  const inflight = new Map<string, Promise<void>>();
  const again = new Set<string>();
  let next = 0;
  let stopped = false;

  const handle = async (pod: Pod): Promise<void> => {
    const ns = pod.metadata?.namespace ?? '';
    const name = pod.metadata?.name ?? '';
    const res = client.resource('pods', ns);
    if (pod.metadata?.deletionTimestamp) {
      if (pod.spec?.nodeName) await res.delete(name, { gracePeriodSeconds: 0 });
      return;
    }
    if (!pod.spec?.nodeName) {
      const node = nodes[next++ % nodes.length];
      await res.subresource(name, 'binding', {
        method: 'POST',
        body: { apiVersion: 'v1', kind: 'Binding', metadata: { name }, target: { apiVersion: 'v1', kind: 'Node', name: node } },
      });
      return; // the update event brings it back bound
    }
    const wantReady = ready(pod);
    const isRunning = pod.status?.phase === 'Running';
    const cond = pod.status?.conditions?.find((c) => c.type === 'Ready');
    if (isRunning && (cond?.status === 'True') === wantReady) return;
    const status = structuredClone(pod.status ?? {});
    const t = now();
    status.phase = 'Running';
    status.startTime ??= t;
    status.podIP ??= `10.244.0.${1 + (Math.abs(hash(name)) % 250)}`;
    const others = (status.conditions ?? []).filter((c) => c.type !== 'Ready' && c.type !== 'ContainersReady');
    const readyCond = (type: string) => ({
      type,
      status: wantReady ? 'True' : 'False',
      lastTransitionTime: (cond?.status === 'True') === wantReady && cond?.lastTransitionTime ? cond.lastTransitionTime : t,
    });
    status.conditions = [...others, readyCond('Ready'), readyCond('ContainersReady')];
    status.containerStatuses = (pod.spec.containers ?? []).map((c) => ({
      name: c.name,
      image: c.image ?? '',
      imageID: '',
      ready: wantReady,
      restartCount: 0,
      started: true,
      state: { running: { startedAt: status.startTime } },
    }));
    await res.updateStatus({ ...pod, status } as Pod);
  };

  const enqueue = (pod: Pod): void => {
    if (stopped) return;
    const key = `${pod.metadata?.namespace}/${pod.metadata?.name}`;
    if (inflight.has(key)) {
      again.add(key);
      return;
    }
    const p = handle(pod)
      .catch((e: unknown) => {
        if (!isNotFound(e) && !isConflict(e) && !stopped) again.add(key);
      })
      .finally(() => {
        inflight.delete(key);
        if (again.delete(key)) {
          const cur = pods.lister.get(key);
          if (cur) enqueue(cur);
        }
      });
    inflight.set(key, p);
  };

  pods.addEventHandler({ onAdd: enqueue, onUpdate: (_o, n) => enqueue(n) });
  factory.start();
  await factory.waitForCacheSync();
  return {
    pods,
    resync: () => pods.lister.list().forEach(enqueue),
    async idle() {
      while (inflight.size > 0) await Promise.all([...inflight.values()]);
    },
    async stop() {
      stopped = true;
      await Promise.all([...inflight.values()]);
      await factory.shutdown();
      await client.close();
    },
  };
}

function hash(s: string): number {
  let h = 0;
  for (const c of s) h = (h * 31 + c.charCodeAt(0)) | 0;
  return h;
}
