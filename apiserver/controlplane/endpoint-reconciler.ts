// The `kubernetes` Service's endpoints (k8s' pkg/controlplane/reconcilers): the apiserver keeps
// Endpoints default/kubernetes and EndpointSlice default/kubernetes pointing at its
// --advertise-address and secure port, so pods reach the API at https://kubernetes.default.svc
// through kube-proxy like any Service. Checked at start and then periodically (someone may
// edit or delete them); on a clean shutdown the address is removed, as Kubernetes does.
import type { Logger } from 'pino';
import { StatusError } from '../../api/status.js';
import type { KObject } from '../../api/types.js';
import type { ResourceStore } from '../registry/store.js';

export interface EndpointReconcilerOptions {
  endpoints: ResourceStore;
  slices: ResourceStore;
  address: string;
  port: number;
  log: Logger;
  intervalMs?: number;
}

const NAME = 'kubernetes';
const NS = 'default';

export function desiredEndpoints(address: string, port: number): KObject {
  return {
    apiVersion: 'v1',
    kind: 'Endpoints',
    metadata: { name: NAME, namespace: NS, labels: { 'endpointslice.kubernetes.io/skip-mirror': 'true' } },
    subsets: [{ addresses: [{ ip: address }], ports: [{ name: 'https', port, protocol: 'TCP' }] }],
  };
}

export function desiredSlice(address: string, port: number): KObject {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name: NAME, namespace: NS, labels: { 'kubernetes.io/service-name': NAME } },
    addressType: address.includes(':') ? 'IPv6' : 'IPv4',
    endpoints: [{ addresses: [address], conditions: { ready: true } }],
    ports: [{ name: 'https', port, protocol: 'TCP' }],
  };
}

export class EndpointReconciler {
  private timer?: NodeJS.Timeout;

  constructor(private readonly o: EndpointReconcilerOptions) {}

  start(): void {
    void this.reconcile();
    this.timer = setInterval(() => void this.reconcile(), this.o.intervalMs ?? 10_000);
    this.timer.unref();
  }

  async stop(removeAddress: boolean): Promise<void> {
    clearInterval(this.timer);
    if (!removeAddress) return;
    await Promise.all([this.clear(this.o.endpoints), this.clear(this.o.slices)]).catch((e: unknown) => this.o.log.warn({ err: e }, 'could not remove the apiserver from the kubernetes endpoints'));
  }

  async reconcile(): Promise<void> {
    try {
      await this.ensure(this.o.endpoints, desiredEndpoints(this.o.address, this.o.port), ['subsets']);
      await this.ensure(this.o.slices, desiredSlice(this.o.address, this.o.port), ['addressType', 'endpoints', 'ports']);
    } catch (e) {
      this.o.log.warn({ err: e }, 'could not reconcile the kubernetes service endpoints');
    }
  }

  private async ensure(store: ResourceStore, want: KObject, fields: string[]): Promise<void> {
    const cur = store.cache.get(`${NS}/${NAME}`)?.obj;
    const same = (o: KObject) => fields.every((f) => JSON.stringify(o[f]) === JSON.stringify(want[f]));
    if (cur && same(cur)) return;
    if (!cur) {
      try {
        await store.create(NS, want);
        this.o.log.info({ [want.kind as string]: `${NS}/${NAME}`, address: `${this.o.address}:${this.o.port}` }, 'created the kubernetes service endpoints');
        return;
      } catch (e) {
        if (!(e instanceof StatusError && e.code === 409)) throw e;
      }
    }
    await store.guaranteedUpdate(NS, NAME, (obj) => {
      for (const f of fields) obj[f] = want[f];
      obj.metadata = { ...obj.metadata, labels: { ...obj.metadata?.labels, ...want.metadata?.labels } };
      return obj;
    });
  }

  private async clear(store: ResourceStore): Promise<void> {
    const cur = store.cache.get(`${NS}/${NAME}`)?.obj;
    if (!cur) return;
    await store.delete(NS, NAME, {}).catch((e: unknown) => {
      if (!(e instanceof StatusError && e.code === 404)) throw e;
    });
  }
}
