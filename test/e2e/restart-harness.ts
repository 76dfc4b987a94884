// What "a restart loses nothing" checks, shared by the scripts/down+up test and the dockerd
// restart test: a workload (a Deployment behind a NodePort and a ClusterIP Service, ConfigMaps,
// a Secret) and a client watch held open across the restart; a snapshot of identities (uids,
// resourceVersions, ClusterIPs, NodePorts, pods) before, and the checks after.
import assert from 'node:assert/strict';
import type { ConfigMap } from 'kubernetes-types/core/v1';
import { Reflector, RestClient, listWatchFor, loadKubeconfig } from '../../client/index.js';
import { waitFor } from '../harness/ports.js';
import { httpGet } from './cluster-harness.js';

export const NS = 'restart-e2e';
const LABELS = { app: 'restart-web' };

export function adminClient(kubeconfig: string): RestClient {
  return new RestClient({ ...loadKubeconfig({ kubeconfig }, {}).config, timeoutMs: 15_000 });
}

/** Creates the namespace, the Deployment (2 httpd replicas), both Services, ConfigMaps and a Secret. */
export async function createWorkload(client: RestClient): Promise<void> {
  await client.resource('namespaces').create({ metadata: { name: NS } });
  await client.resource('deployments.apps', NS).create({
    metadata: { name: 'web' },
    spec: {
      replicas: 2,
      selector: { matchLabels: LABELS },
      template: {
        metadata: { labels: LABELS },
        spec: {
          terminationGracePeriodSeconds: 1,
          containers: [{
            name: 'httpd',
            image: 'busybox:1.35',
            imagePullPolicy: 'Never',
            command: ['sh', '-c', 'mkdir -p /www && echo "web $(hostname)" > /www/index.html && exec httpd -f -p 8080 -h /www'],
            ports: [{ name: 'http', containerPort: 8080 }],
            readinessProbe: { tcpSocket: { port: 8080 }, periodSeconds: 1 },
          }],
        },
      },
    },
  });
  const ports = [{ name: 'http', port: 80, targetPort: 'http' }];
  await client.resource('services', NS).create({ metadata: { name: 'web-np' }, spec: { type: 'NodePort', selector: LABELS, ports } });
  await client.resource('services', NS).create({ metadata: { name: 'web-cip' }, spec: { selector: LABELS, ports } });
  for (const name of ['cm-1', 'cm-2']) await client.resource('configmaps', NS).create({ metadata: { name }, data: { v: '1' } });
  await client.resource('secrets', NS).create({ metadata: { name: 's-1' }, stringData: { password: 'kept' } });
}

export interface Snapshot {
  /** kind/name → uid and resourceVersion. */
  objects: Map<string, { uid: string; rv: string }>;
  clusterIPs: Record<string, string>;
  nodePort: number;
  pods: string[];
}

/** Ready pods of the Deployment (not being deleted): name → pod IP. */
export async function readyPods(client: RestClient): Promise<Map<string, string>> {
  const list = await client.resource('pods', NS).list({ labelSelector: 'app=restart-web' });
  const ready = list.items.filter((p) => !p.metadata?.deletionTimestamp && (p.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True'));
  return new Map(ready.map((p) => [p.metadata!.name!, p.status?.podIP ?? '']));
}

/** The Deployment's pods' container ids (docker://…), by pod name. */
export async function containerIds(client: RestClient): Promise<Map<string, string[]>> {
  const list = await client.resource('pods', NS).list({ labelSelector: 'app=restart-web' });
  return new Map(list.items.map((p) => [p.metadata!.name!, (p.status?.containerStatuses ?? []).map((c) => c.containerID ?? '').sort()]));
}

/** The names answering on host:port within `tries` requests. */
async function answering(host: string, port: number, tries = 20): Promise<Set<string>> {
  const seen = new Set<string>();
  for (let i = 0; i < tries; i++) {
    const m = /^web (\S+)/.exec((await httpGet(host, port, '/', 2000).catch(() => '')).trim());
    if (m) seen.add(m[1]!);
  }
  return seen;
}

/** Waits until both replicas are Ready and both answer on the NodePort and the ClusterIP. */
export async function waitServing(client: RestClient, snap: Pick<Snapshot, 'clusterIPs' | 'nodePort'>, timeoutMs: number): Promise<Map<string, string>> {
  const pods = await waitFor('2 ready web pods', async () => {
    const p = await readyPods(client);
    return p.size === 2 ? p : undefined;
  }, timeoutMs, 500);
  const names = [...pods.keys()].sort();
  for (const [what, host, port] of [['NodePort', '127.0.0.1', snap.nodePort], ['ClusterIP', snap.clusterIPs['web-cip']!, 80]] as const) {
    await waitFor(`both replicas answer on the ${what} ${host}:${port}`, async () => {
      const seen = await answering(host, port);
      return names.every((n) => seen.has(n));
    }, timeoutMs, 500);
  }
  return pods;
}

export async function snapshot(client: RestClient): Promise<Snapshot> {
  const objects = new Map<string, { uid: string; rv: string }>();
  const put = (kind: string, o: { metadata?: { name?: string; uid?: string; resourceVersion?: string } }) =>
    objects.set(`${kind}/${o.metadata!.name!}`, { uid: o.metadata!.uid!, rv: o.metadata!.resourceVersion! });
  put('namespace', await client.resource('namespaces').get(NS));
  put('deployment', await client.resource('deployments.apps', NS).get('web'));
  for (const n of ['web-np', 'web-cip']) put('service', await client.resource('services', NS).get(n));
  for (const n of ['cm-1', 'cm-2']) put('configmap', await client.resource('configmaps', NS).get(n));
  put('secret', await client.resource('secrets', NS).get('s-1'));
  const np = await client.resource('services', NS).get('web-np');
  const cip = await client.resource('services', NS).get('web-cip');
  return {
    objects,
    clusterIPs: { 'web-np': np.spec!.clusterIP!, 'web-cip': cip.spec!.clusterIP! },
    nodePort: np.spec!.ports![0]!.nodePort!,
    pods: [...(await readyPods(client)).keys()].sort(),
  };
}

/**
 * Every object is back with its uid; the ones nothing writes keep their resourceVersion, the
 * Deployment's (status writes) only moved forward; ClusterIPs and the NodePort are unchanged.
 */
export function assertSameIdentities(before: Snapshot, after: Snapshot): void {
  for (const [key, b] of before.objects) {
    const a = after.objects.get(key);
    assert.ok(a, `${key} is back`);
    assert.equal(a.uid, b.uid, `${key} keeps its uid`);
    if (key.startsWith('deployment/') || key.startsWith('namespace/')) assert.ok(BigInt(a.rv) >= BigInt(b.rv), `${key} resourceVersion ${b.rv} → ${a.rv} never goes back`);
    else assert.equal(a.rv, b.rv, `${key} keeps its resourceVersion`);
  }
  assert.deepEqual(after.clusterIPs, before.clusterIPs);
  assert.equal(after.nodePort, before.nodePort);
}

/**
 * A client watch on the namespace's ConfigMaps (this project's client-go Reflector: LIST,
 * then WATCH from its resourceVersion, re-watch from the last one seen, relist on 410),
 * recording what it delivers.
 */
export class RecordingWatch {
  readonly store = new Map<string, string>();
  /** Per ConfigMap, every resourceVersion delivered, in order. */
  readonly seen = new Map<string, bigint[]>();
  relists = 0;
  private readonly reflector: Reflector<ConfigMap>;

  constructor(client: RestClient) {
    const record = (o: ConfigMap): void => {
      const name = o.metadata!.name!;
      const rvs = this.seen.get(name) ?? [];
      rvs.push(BigInt(o.metadata!.resourceVersion!));
      this.seen.set(name, rvs);
    };
    this.reflector = new Reflector<ConfigMap>(listWatchFor(client.resource('configmaps', NS)), {
      replace: (items) => {
        this.relists++;
        this.store.clear();
        for (const o of items) {
          record(o);
          this.store.set(o.metadata!.name!, o.data?.v ?? '');
        }
      },
      add: (o) => (record(o), this.store.set(o.metadata!.name!, o.data?.v ?? '')),
      update: (o) => (record(o), this.store.set(o.metadata!.name!, o.data?.v ?? '')),
      delete: (o) => (record(o), this.store.delete(o.metadata!.name!)),
    }, { name: 'configmaps', backoff: { maxMs: 2000 } });
    this.reflector.run();
  }

  get resourceVersion(): string {
    return this.reflector.lastSyncResourceVersion;
  }

  /** No object's resourceVersion ever went backwards for this watcher. */
  assertMonotonic(): void {
    for (const [name, rvs] of this.seen) {
      for (let i = 1; i < rvs.length; i++) assert.ok(rvs[i]! >= rvs[i - 1]!, `${name}: resourceVersion ${rvs[i - 1]} then ${rvs[i]}`);
    }
  }

  stop(): Promise<void> {
    return this.reflector.stop();
  }
}

/**
 * Writes after the restart (update cm-1, delete cm-2, create cm-3) and waits until the watcher
 * holds exactly the server's final state.
 */
export async function assertWatcherCaughtUp(client: RestClient, watch: RecordingWatch, timeoutMs: number): Promise<void> {
  const cms = client.resource('configmaps', NS);
  const cm1 = await cms.get('cm-1');
  await cms.update({ ...cm1, data: { v: '2' } });
  await cms.delete('cm-2');
  await cms.create({ metadata: { name: 'cm-3' }, data: { v: '3' } });
  const want = new Map((await cms.list()).items.map((o) => [o.metadata!.name!, o.data?.v ?? '']));
  assert.deepEqual(Object.fromEntries(want), { 'cm-1': '2', 'cm-3': '3', ...(want.has('kube-root-ca.crt') ? { 'kube-root-ca.crt': '' } : {}) });
  await waitFor('the watcher holds the final state', () => JSON.stringify([...watch.store].sort()) === JSON.stringify([...want].sort()), timeoutMs, 200);
  watch.assertMonotonic();
}
