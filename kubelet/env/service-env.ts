// Service environment variables (kubelet getServiceEnvVarMap + pkg/kubelet/envvars): every
// container sees the `kubernetes` Service of the `default` namespace, and — with
// spec.enableServiceLinks (default true) — each Service of its own namespace, Docker-links
// style: WEB_SERVICE_HOST, WEB_SERVICE_PORT, WEB_SERVICE_PORT_<NAME>, WEB_PORT=tcp://ip:port,
// WEB_PORT_80_TCP(_PROTO|_PORT|_ADDR). Services without a cluster IP (headless) give none.
// They are read once, when a container starts, like Kubernetes. Pure.
import type { Pod, Service } from 'kubernetes-types/core/v1';
import type { EnvVar } from './env.js';

/** Where the master Service lives, and its name (kubelet's masterServiceNamespace). */
const MASTER_NAMESPACE = 'default';
const MASTER_SERVICES = new Set(['kubernetes']);

function hasClusterIP(s: Service): boolean {
  const ip = s.spec?.clusterIP;
  return !!ip && ip !== 'None';
}

/** `my-svc` → `MY_SVC`. */
export function envVariableName(name: string): string {
  return name.toUpperCase().replace(/-/g, '_');
}

/** The Services whose variables a pod gets: its namespace's (if linked) and the master's. */
export function servicesForPod(pod: Pod, services: readonly Service[]): Service[] {
  const ns = pod.metadata?.namespace ?? 'default';
  const links = pod.spec?.enableServiceLinks ?? true;
  const byName = new Map<string, Service>();
  for (const s of services) {
    if (!hasClusterIP(s)) continue;
    const name = s.metadata?.name ?? '';
    if (s.metadata?.namespace === MASTER_NAMESPACE && MASTER_SERVICES.has(name)) {
      if (!byName.has(name)) byName.set(name, s);
    } else if (s.metadata?.namespace === ns && links) {
      byName.set(name, s);
    }
  }
  return [...byName.values()].sort((a, b) => (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? ''));
}

/** envvars.FromServices: the variables of each Service, in order. */
export function serviceEnvVars(services: readonly Service[]): EnvVar[] {
  const out: EnvVar[] = [];
  for (const s of services) {
    if (!hasClusterIP(s)) continue;
    const ip = s.spec!.clusterIP!;
    const prefix = envVariableName(s.metadata?.name ?? '');
    const ports = s.spec?.ports ?? [];
    out.push({ key: `${prefix}_SERVICE_HOST`, value: ip });
    if (ports[0]) out.push({ key: `${prefix}_SERVICE_PORT`, value: String(ports[0].port) });
    for (const p of ports) if (p.name) out.push({ key: `${prefix}_SERVICE_PORT_${envVariableName(p.name)}`, value: String(p.port) });
    const host = ip.includes(':') ? `[${ip}]` : ip;
    ports.forEach((p, i) => {
      const proto = (p.protocol ?? 'TCP').toLowerCase();
      const url = `${proto}://${host}:${p.port}`;
      if (i === 0) out.push({ key: `${prefix}_PORT`, value: url });
      const base = `${prefix}_PORT_${p.port}_${proto.toUpperCase()}`;
      out.push({ key: base, value: url }, { key: `${base}_PROTO`, value: proto }, { key: `${base}_PORT`, value: String(p.port) }, { key: `${base}_ADDR`, value: ip });
    });
  }
  return out;
}
