// The soak's workload: in one namespace, pods (busybox sleeping) and Services selecting them
// are created and deleted in a loop at a bounded rate, never more than `maxAlive` of each
// (the oldest goes when a new one comes). The Events the churn causes are deleted every
// `eventSweepSeconds`: their TTL (1 h, --event-ttl) is longer than a soak, so left alone they
// would be the growth measured, not a leak. Errors are counted, not fatal: the cluster under
// test may be slow; the figures say how often.
import type { RestClient } from '../../client/index.js';
import { isAlreadyExists, isNotFound, sleep } from '../../client/index.js';

export interface ChurnOptions {
  namespace: string;
  /** Pod and Service creations per second (each). */
  ratePerSecond: number;
  maxAlive: number;
  eventSweepSeconds: number;
  signal: AbortSignal;
}

export interface ChurnCounts {
  podsCreated: number;
  podsDeleted: number;
  servicesCreated: number;
  servicesDeleted: number;
  eventsSwept: number;
  errors: number;
  lastError?: string;
}

export async function ensureNamespace(client: RestClient, namespace: string): Promise<void> {
  await client.resource('namespaces').create({ metadata: { name: namespace } }).catch((e: unknown) => {
    if (!isAlreadyExists(e)) throw e;
  });
}

/** Runs until the signal aborts; returns what it did. */
export async function churn(client: RestClient, o: ChurnOptions): Promise<ChurnCounts> {
  const counts: ChurnCounts = { podsCreated: 0, podsDeleted: 0, servicesCreated: 0, servicesDeleted: 0, eventsSwept: 0, errors: 0 };
  const events = client.resource('events', o.namespace);
  let swept = Date.now();
  const pods = client.resource('pods', o.namespace);
  const services = client.resource('services', o.namespace);
  const alivePods: string[] = [];
  const aliveServices: string[] = [];
  const fail = (e: unknown): void => {
    counts.errors++;
    counts.lastError = e instanceof Error ? e.message : String(e);
  };
  const gone = (e: unknown): void => {
    if (!isNotFound(e)) fail(e);
  };
  let i = 0;
  while (!o.signal.aborted) {
    const t0 = Date.now();
    const name = `churn-${Date.now().toString(36)}-${i++}`;
    const labels = { app: 'soak', slot: String(i % o.maxAlive) };
    try {
      await pods.create({
        metadata: { name, labels },
        spec: {
          terminationGracePeriodSeconds: 0,
          containers: [{ name: 'sleep', image: 'busybox:1.35', imagePullPolicy: 'Never', command: ['sleep', '3600'] }],
        },
      });
      alivePods.push(name);
      counts.podsCreated++;
    } catch (e) {
      fail(e);
    }
    try {
      await services.create({ metadata: { name, labels }, spec: { selector: labels, ports: [{ port: 80, targetPort: 8080 }] } });
      aliveServices.push(name);
      counts.servicesCreated++;
    } catch (e) {
      fail(e);
    }
    while (alivePods.length > o.maxAlive) {
      await pods.delete(alivePods.shift()!).then(() => counts.podsDeleted++, gone);
    }
    while (aliveServices.length > o.maxAlive) {
      await services.delete(aliveServices.shift()!).then(() => counts.servicesDeleted++, gone);
    }
    if (Date.now() - swept >= o.eventSweepSeconds * 1000) {
      swept = Date.now();
      await events.deleteCollection().then((r) => (counts.eventsSwept += 'items' in r ? r.items.length : 0), fail);
    }
    await sleep(Math.max(0, 1000 / o.ratePerSecond - (Date.now() - t0)), o.signal).catch(() => undefined);
  }
  return counts;
}
