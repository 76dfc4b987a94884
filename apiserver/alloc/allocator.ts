// Service ClusterIP and NodePort allocation as an admission plugin (k8s does it in the Service
// REST storage's BeginCreate/BeginUpdate hooks). Allocations are reserved in etcd while the
// write is admitted; the registry's finisher keeps them when the write is stored and undoes
// them when it is not. Released items go only once the write that dropped them is stored.
// A crash between reserving and storing leaves an orphan that AllocationRepair frees.
import type { Etcd3 } from 'etcd3';
import type { Logger } from 'pino';
import type { ResourceInfo } from '../../api/resources.js';
import { errors } from '../../api/status.js';
import type { KObject } from '../../api/types.js';
import { field, Path, type FieldError } from '../../api/validation/field.js';
import type { AdmissionFinisher, AdmissionPlugin, Operation } from '../admission/interfaces.js';
import { AllocatedError, EtcdAllocator, NotInRangeError, RangeFullError, type AllocationOwner } from './etcd.js';
import {
  clusterIPs,
  healthCheckNodePort,
  heldItems,
  isFinalDelete,
  isHeadless,
  needsClusterIP,
  needsHealthCheckNodePort,
  needsNodePort,
  portsOf,
  specOf,
  type Spec,
} from './plan.js';
import { NodePortRange, ServiceIPRange } from './range.js';

export interface ServiceAllocatorOptions {
  /** `--service-cluster-ip-range`, default 10.96.0.0/12. */
  serviceClusterIPRange: string;
  /** `--service-node-port-range`, default 30000-32767. */
  serviceNodePortRange: string;
}

export const DEFAULT_SERVICE_ALLOCATOR_OPTIONS: ServiceAllocatorOptions = {
  serviceClusterIPRange: '10.96.0.0/12',
  serviceNodePortRange: '30000-32767',
};

const SERVICES = { group: '', resource: 'services' };

/** One reservation made during admission: undone if the write fails. */
interface Reserved {
  alloc: EtcdAllocator;
  item: string;
}

export class ServiceAllocator implements AdmissionPlugin {
  readonly ipRange: ServiceIPRange;
  readonly ips: EtcdAllocator;
  readonly ports: EtcdAllocator;

  constructor(
    etcd: Etcd3,
    etcdPrefix: string,
    options: ServiceAllocatorOptions,
    private readonly log: Logger,
  ) {
    this.ipRange = new ServiceIPRange(options.serviceClusterIPRange);
    this.ips = new EtcdAllocator(etcd, `${etcdPrefix}/ipallocations/`, this.ipRange, 'IP');
    this.ports = new EtcdAllocator(etcd, `${etcdPrefix}/nodeportallocations/`, new NodePortRange(options.serviceNodePortRange), 'port');
  }

  async admit(op: Operation, info: ResourceInfo, obj: KObject, old: KObject | undefined): Promise<AdmissionFinisher | void> {
    if (info.kind !== 'Service' || info.group !== '') return;
    if (op === 'DELETE') return (committed) => (committed ? this.releaseAll(old ?? obj) : undefined);
    if (op === 'UPDATE' && old && isFinalDelete(obj)) return (committed) => (committed ? this.releaseAll(old) : undefined);
    const owner = ownerOf(obj);
    const reserved: Reserved[] = [];
    const toRelease: Reserved[] = [];
    try {
      await this.admitClusterIPs(obj, old, owner, reserved, toRelease);
      await this.admitNodePorts(obj, old, owner, reserved, toRelease);
    } catch (e) {
      await this.undo(reserved, owner.uid);
      throw e;
    }
    return async (committed) => {
      if (committed) await this.undo(toRelease, owner.uid);
      else await this.undo(reserved, owner.uid);
    };
  }

  private async admitClusterIPs(obj: KObject, old: KObject | undefined, owner: AllocationOwner, reserved: Reserved[], toRelease: Reserved[]): Promise<void> {
    const spec = specOf(obj);
    const oldSpec = specOf(old);
    const oldIPs = old && needsClusterIP(oldSpec) ? clusterIPs(oldSpec) : [];
    if (!needsClusterIP(spec)) {
      // Switching to ExternalName gives the IPs back once stored.
      for (const ip of oldIPs) toRelease.push({ alloc: this.ips, item: ip });
      return;
    }
    if (isHeadless(spec)) return;
    const want = clusterIPs(spec);
    // Unchanged IPs on update (validation made them immutable) are already ours.
    if (oldIPs.length > 0 && want.length > 0 && want.every((ip, i) => ip === oldIPs[i])) return;
    this.checkFamilies(obj, spec);
    if (want.length === 0) {
      const ip = await this.ips.allocateNext(owner).catch((e: unknown) => {
        // k8s answers 500 here; a client's request must never cause a 5xx in tskube → 422.
        throw e instanceof RangeFullError ? invalid(obj, [field.forbidden(Path.root('spec', 'clusterIPs'), `failed to allocate a serviceIP: ${e.message}`)]) : e;
      });
      reserved.push({ alloc: this.ips, item: ip });
      spec.clusterIP = ip;
      spec.clusterIPs = [ip];
      return;
    }
    for (const ip of want) {
      try {
        await this.ips.allocate(ip, owner);
      } catch (e) {
        if (e instanceof AllocatedError || e instanceof NotInRangeError) {
          throw invalid(obj, [field.invalid(Path.root('spec', 'clusterIPs'), want, `failed to allocate IP ${ip}: ${e.message}`)]);
        }
        throw e;
      }
      reserved.push({ alloc: this.ips, item: ip });
    }
  }

  /** This cluster is single-stack IPv4 (one --service-cluster-ip-range). */
  private checkFamilies(obj: KObject, spec: Spec): void {
    const causes: FieldError[] = [];
    if (spec.ipFamilyPolicy === 'RequireDualStack') {
      causes.push(field.invalid(Path.root('spec', 'ipFamilyPolicy'), 'RequireDualStack', 'this cluster is not configured for dual-stack services'));
    }
    const families = Array.isArray(spec.ipFamilies) ? spec.ipFamilies : [];
    families.forEach((f, i) => {
      if (f !== 'IPv4') causes.push(field.invalid(Path.root('spec', 'ipFamilies').index(i), f, 'not configured on this cluster'));
    });
    if (causes.length) throw invalid(obj, causes);
  }

  private async admitNodePorts(obj: KObject, old: KObject | undefined, owner: AllocationOwner, reserved: Reserved[], toRelease: Reserved[]): Promise<void> {
    const spec = specOf(obj);
    const oldHeld = new Set(old ? heldItems(old).ports.map(Number) : []);
    const keep = new Set<number>();
    const claim = async (port: number, path: Path): Promise<void> => {
      if (keep.has(port)) return;
      keep.add(port);
      if (oldHeld.has(port)) return;
      try {
        await this.ports.allocate(String(port), owner);
      } catch (e) {
        if (e instanceof AllocatedError || e instanceof NotInRangeError) throw invalid(obj, [field.invalid(path, port, e.message)]);
        throw e;
      }
      reserved.push({ alloc: this.ports, item: String(port) });
    };
    const next = async (): Promise<number> => {
      const item = await this.ports.allocateNext(owner).catch((e: unknown) => {
        throw e instanceof RangeFullError ? invalid(obj, [field.forbidden(Path.root('spec', 'ports'), `failed to allocate a nodePort: ${e.message}`)]) : e;
      });
      reserved.push({ alloc: this.ports, item });
      keep.add(Number(item));
      return Number(item);
    };
    const ports = portsOf(spec);
    // Asked-for ports first, so a dynamic pick can never take one a later port asks for.
    for (const [i, p] of ports.entries()) {
      if (typeof p.nodePort === 'number' && p.nodePort > 0) await claim(p.nodePort, Path.root('spec', 'ports').index(i).child('nodePort'));
    }
    if (needsNodePort(spec)) {
      for (const p of ports) if (!(typeof p.nodePort === 'number' && p.nodePort > 0)) p.nodePort = await next();
    }
    if (needsHealthCheckNodePort(spec)) {
      const hc = healthCheckNodePort(spec);
      if (hc !== undefined) await claim(hc, Path.root('spec', 'healthCheckNodePort'));
      else spec.healthCheckNodePort = await next();
    } else if (healthCheckNodePort(spec) !== undefined && healthCheckNodePort(spec) === healthCheckNodePort(specOf(old))) {
      // k8s dropTypeDependentFields: a kept value the new type does not use is cleared.
      delete spec.healthCheckNodePort;
    } else if (healthCheckNodePort(spec) !== undefined) {
      await claim(healthCheckNodePort(spec)!, Path.root('spec', 'healthCheckNodePort'));
    }
    for (const port of oldHeld) if (!keep.has(port)) toRelease.push({ alloc: this.ports, item: String(port) });
  }

  /** Gives back everything `svc` holds (it is gone). */
  private async releaseAll(svc: KObject): Promise<void> {
    const uid = svc.metadata?.uid ?? '';
    const { ips, ports } = heldItems(svc);
    await this.undo([...ips.map((item) => ({ alloc: this.ips, item })), ...ports.map((item) => ({ alloc: this.ports, item }))], uid);
  }

  /** Releases reservations; failures are logged and left to the repair loop. */
  private async undo(items: Reserved[], uid: string): Promise<void> {
    for (const { alloc, item } of items) {
      try {
        await alloc.release(item, uid);
      } catch (e) {
        this.log.warn({ item, err: e }, 'could not release a service allocation; the repair loop will');
      }
    }
  }
}

function ownerOf(obj: KObject): AllocationOwner {
  const m = obj.metadata ?? {};
  return { namespace: m.namespace ?? '', name: m.name ?? '', uid: m.uid ?? '' };
}

function invalid(obj: KObject, causes: FieldError[]) {
  return errors.invalid('Service', SERVICES, obj.metadata?.name ?? '', causes);
}
