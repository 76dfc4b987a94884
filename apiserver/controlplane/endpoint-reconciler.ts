// The `kubernetes` Service's endpoints (k8s' pkg/controlplane/reconcilers, the `lease` type,
// --endpoint-reconciler-type=lease): every apiserver refreshes its lease in etcd
// (master-leases.ts) and then rewrites Endpoints default/kubernetes and its EndpointSlices to
// list every apiserver holding a live lease, so pods reach the API at
// https://kubernetes.default.svc through kube-proxy. Checked at start and every interval
// (someone may edit or delete them); an apiserver that dies drops out when its lease expires;
// a clean stop removes its lease and rewrites the endpoints at once.
//
// Where we differ from upstream, and why: upstream assumes every apiserver listens on the same
// port, so it writes one subset and one slice. tskube's one-box HA topology runs its apiservers
// on one IP with different ports (6441, 6442). When the live apiservers share a port the shape
// is exactly upstream's; otherwise the Endpoints get one subset per port and there is one
// EndpointSlice per port (`kubernetes` for the lowest, `kubernetes-<port>` for the others), all
// labelled kubernetes.io/service-name=kubernetes: a slice has a single port list for all its
// endpoints, and kube-proxy merges every slice of a Service (by port name, `https`).
import type { Logger } from 'pino';
import { MANAGED_BY_LABEL, SERVICE_NAME_LABEL } from '../../api/discovery.js';
import { compareIPs } from '../../api/net.js';
import { StatusError } from '../../api/status.js';
import type { KObject } from '../../api/types.js';
import type { ResourceStore } from '../registry/store.js';
import type { Master, MasterLeases } from './master-leases.js';

export const NAME = 'kubernetes';
const NS = 'default';

/** The masters grouped by port (ascending), each port's IPs sorted. */
function byPort(masters: readonly Master[]): [number, string[]][] {
  const ports = new Map<number, Set<string>>();
  for (const m of masters) {
    const ips = ports.get(m.port) ?? new Set<string>();
    ips.add(m.ip);
    ports.set(m.port, ips);
  }
  return [...ports].sort(([a], [b]) => a - b).map(([port, ips]) => [port, [...ips].sort(compareIPs)]);
}

const httpsPort = (port: number) => ({ name: 'https', port, protocol: 'TCP' });

export function desiredEndpoints(masters: readonly Master[]): KObject {
  return {
    apiVersion: 'v1',
    kind: 'Endpoints',
    // Not mirrored: the apiserver writes the slices itself (as upstream).
    metadata: { name: NAME, namespace: NS, labels: { 'endpointslice.kubernetes.io/skip-mirror': 'true' } },
    subsets: byPort(masters).map(([port, ips]) => ({ addresses: ips.map((ip) => ({ ip })), ports: [httpsPort(port)] })),
  };
}

/** One slice per port: `kubernetes` for the lowest port (the only one in upstream's shape), `kubernetes-<port>` for others. */
export function desiredSlices(masters: readonly Master[]): KObject[] {
  return byPort(masters).map(([port, ips], i) => ({
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name: i === 0 ? NAME : `${NAME}-${port}`, namespace: NS, labels: { [SERVICE_NAME_LABEL]: NAME } },
    addressType: ips[0]!.includes(':') ? 'IPv6' : 'IPv4',
    endpoints: ips.map((ip) => ({ addresses: [ip], conditions: { ready: true } })),
    ports: [httpsPort(port)],
  }));
}

/** Slices this reconciler owns: the kubernetes Service's, not made by the EndpointSlice controller. */
function ownSlice(o: KObject): boolean {
  const labels = o.metadata?.labels ?? {};
  const name = o.metadata?.name ?? '';
  return labels[SERVICE_NAME_LABEL] === NAME && !labels[MANAGED_BY_LABEL] && (name === NAME || /^kubernetes-\d+$/.test(name));
}

export interface EndpointReconcilerOptions {
  endpoints: ResourceStore;
  slices: ResourceStore;
  leases: MasterLeases;
  /** This apiserver: --advertise-address and its secure port. */
  self: Master;
  log: Logger;
  /** Between reconciles (upstream's 10 s); the lease TTL must be longer. */
  intervalMs?: number;
}

export class EndpointReconciler {
  private timer?: NodeJS.Timeout;
  private stopped = false;
  /** Reconciles never overlap (upstream's reconcilingLock). */
  private running: Promise<void> = Promise.resolve();

  constructor(private readonly o: EndpointReconcilerOptions) {}

  start(): void {
    void this.reconcile();
    this.timer = setInterval(() => void this.reconcile(), this.o.intervalMs ?? 10_000);
    this.timer.unref();
  }

  /** Stops reconciling; with `removeSelf` (a clean stop) our lease goes and the endpoints are rewritten without us. */
  async stop(removeSelf: boolean): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.running;
    if (!removeSelf) return;
    try {
      await this.o.leases.remove(this.o.self);
      await this.doReconcile();
    } catch (e) {
      this.o.log.warn({ err: e }, 'could not remove the apiserver from the kubernetes endpoints');
    }
  }

  /** Refreshes our lease, then makes the endpoints list every live apiserver. */
  reconcile(): Promise<void> {
    this.running = this.running.then(async () => {
      if (this.stopped) return;
      try {
        // Refreshed first, whatever happens below, so others list us (as upstream).
        await this.o.leases.update(this.o.self);
        await this.doReconcile();
      } catch (e) {
        this.o.log.warn({ err: e }, 'could not reconcile the kubernetes service endpoints');
      }
    });
    return this.running;
  }

  private async doReconcile(): Promise<void> {
    const masters = await this.o.leases.list();
    // Upstream's guard: no lease at all is a broken state, not a reason to publish nothing
    // (it is also what the last apiserver sees when it stops: its address stays).
    if (masters.length === 0) throw new Error('no apiserver leases were listed in storage, refusing to erase all endpoints for the kubernetes service');
    const changed = await this.ensure(this.o.endpoints, desiredEndpoints(masters), ['subsets']);
    const slices = desiredSlices(masters);
    for (const s of slices) await this.ensure(this.o.slices, s, ['addressType', 'endpoints', 'ports']);
    const wanted = new Set(slices.map((s) => s.metadata?.name));
    for (const e of this.o.slices.cache.list(`${NS}/`)) {
      const name = e.obj.metadata?.name ?? '';
      if (!ownSlice(e.obj) || wanted.has(name)) continue;
      await this.o.slices.delete(NS, name, {}).catch((err: unknown) => {
        if (!(err instanceof StatusError && err.code === 404)) throw err;
      });
    }
    if (changed) this.o.log.info({ apiservers: masters.map((m) => `${m.ip}:${m.port}`) }, 'reset the kubernetes service endpoints');
  }

  /** Creates or updates `want`'s fields; true when something was written. */
  private async ensure(store: ResourceStore, want: KObject, fields: string[]): Promise<boolean> {
    const name = want.metadata!.name!;
    const cur = store.cache.get(`${NS}/${name}`)?.obj;
    const same = (o: KObject) => fields.every((f) => JSON.stringify(o[f]) === JSON.stringify(want[f]));
    if (cur && same(cur)) return false;
    if (!cur) {
      try {
        await store.create(NS, want);
        return true;
      } catch (e) {
        if (!(e instanceof StatusError && e.code === 409)) throw e;
      }
    }
    await store.guaranteedUpdate(NS, name, (obj) => {
      for (const f of fields) obj[f] = want[f];
      obj.metadata = { ...obj.metadata, labels: { ...obj.metadata?.labels, ...want.metadata?.labels } };
      return obj;
    });
    return true;
  }
}
