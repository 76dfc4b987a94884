// The iptables mode as a pure function: service ports + node → the nat/filter chains
// kube-proxy's iptables proxier writes (pkg/proxy/iptables/proxier.go), and the
// iptables-restore text that moves the kernel from one rule set to the next, touching only
// the chains that changed.
import { createHash } from 'node:crypto';
import type { NodeInfo, ServicePort } from '../service-ports.js';

export const KUBE_SERVICES = 'KUBE-SERVICES';
export const KUBE_NODEPORTS = 'KUBE-NODEPORTS';
export const KUBE_POSTROUTING = 'KUBE-POSTROUTING';
export const KUBE_MARK_MASQ = 'KUBE-MARK-MASQ';
export const KUBE_FORWARD = 'KUBE-FORWARD';
export const KUBE_FIREWALL = 'KUBE-FIREWALL';
/** The mark bit that asks KUBE-POSTROUTING to masquerade (k8s --iptables-masquerade-bit 14). */
export const MASQ_MARK = '0x4000';

export type Table = 'filter' | 'nat';

/** Chain name → its rules (`-A CHAIN …` lines), per table. Map order is the write order. */
export interface RuleSet {
  filter: Map<string, string[]>;
  nat: Map<string, string[]>;
}

/** A rule that ties a built-in chain to one of ours (ensured with iptables -C / -I). */
export interface JumpRule {
  table: Table;
  chain: string;
  args: string[];
}

export const IPTABLES_JUMPS: readonly JumpRule[] = [
  { table: 'nat', chain: 'PREROUTING', args: ['-m', 'comment', '--comment', 'kubernetes service portals', '-j', KUBE_SERVICES] },
  { table: 'nat', chain: 'OUTPUT', args: ['-m', 'comment', '--comment', 'kubernetes service portals', '-j', KUBE_SERVICES] },
  { table: 'nat', chain: 'POSTROUTING', args: ['-m', 'comment', '--comment', 'kubernetes postrouting rules', '-j', KUBE_POSTROUTING] },
  { table: 'filter', chain: 'FORWARD', args: ['-m', 'comment', '--comment', 'kubernetes forwarding rules', '-j', KUBE_FORWARD] },
  { table: 'filter', chain: 'INPUT', args: ['-j', KUBE_FIREWALL] },
  { table: 'filter', chain: 'OUTPUT', args: ['-j', KUBE_FIREWALL] },
];

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** RFC 4648 base32 (what Go's base32.StdEncoding gives), enough of it for chain names. */
function base32(buf: Buffer): string {
  let bits = 0;
  let value = 0;
  let out = '';
  for (const b of buf) {
    value = (value << 8) | b;
    bits += 8;
    while (bits >= 5) {
      out += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += BASE32[(value << (5 - bits)) & 31];
  return out;
}

/** k8s portProtoHash: base32(sha256(name + protocol))[:16]. */
function hash16(s: string): string {
  return base32(createHash('sha256').update(s).digest()).slice(0, 16);
}

const proto = (sp: ServicePort): string => sp.protocol.toLowerCase();
export const serviceChain = (sp: ServicePort): string => `KUBE-SVC-${hash16(sp.name + proto(sp))}`;
export const externalChain = (sp: ServicePort): string => `KUBE-EXT-${hash16(sp.name + proto(sp))}`;
export const localChain = (sp: ServicePort): string => `KUBE-SVL-${hash16(sp.name + proto(sp))}`;
export const endpointChain = (sp: ServicePort, endpoint: string): string => `KUBE-SEP-${hash16(sp.name + proto(sp) + endpoint)}`;

/** Per-service chains (the ones a sync may create and delete). */
export function isServiceChain(chain: string): boolean {
  return /^KUBE-(SVC|SEP|EXT|SVL|FW)-/.test(chain);
}

/** `-m comment --comment x`, quoted only when it must be (as k8s writes it). */
function comment(text: string): string {
  return /^[\w./:-]+$/.test(text) ? `-m comment --comment ${text}` : `-m comment --comment "${text}"`;
}

/** k8s' probability text: 1/n with ten decimals. */
export function probability(n: number): string {
  return (1 / n).toFixed(10);
}

/** What one service port contributes: lines of the shared chains, and its own chains. */
interface Fragment {
  services: string[];
  nodePorts: string[];
  chains: [string, string[]][];
}

/**
 * iptablesRules with memory: a service port whose inputs did not change reuses its previous
 * fragment (the same arrays, so restoreText compares them by identity). With thousands of
 * services and one changed endpoint, a sync then costs what the change costs. The output is
 * exactly iptablesRules' output.
 */
export class IptablesRuleBuilder {
  private cache = new Map<string, Fragment>();

  build(ports: readonly ServicePort[], node: NodeInfo): RuleSet {
    const next = new Map<string, Fragment>();
    const nodeKey = JSON.stringify(node);
    const frags = ports.map((sp) => {
      const key = JSON.stringify(sp) + nodeKey;
      const f = this.cache.get(key) ?? servicePortRules(sp, node);
      next.set(key, f);
      return f;
    });
    this.cache = next;
    return assemble(frags);
  }
}

/** The whole nat + filter rule set for these service ports on this node. */
export function iptablesRules(ports: readonly ServicePort[], node: NodeInfo): RuleSet {
  return assemble(ports.map((sp) => servicePortRules(sp, node)));
}

function assemble(frags: readonly Fragment[]): RuleSet {
  const nat = new Map<string, string[]>();
  const filter = new Map<string, string[]>();
  const services: string[] = [];
  const nodePorts: string[] = [];
  nat.set(KUBE_SERVICES, services);
  nat.set(KUBE_NODEPORTS, nodePorts);
  nat.set(KUBE_POSTROUTING, [
    `-A ${KUBE_POSTROUTING} -m mark ! --mark ${MASQ_MARK}/${MASQ_MARK} -j RETURN`,
    // The mark is cleared so a re-traversal (e.g. IPsec) does not masquerade twice.
    `-A ${KUBE_POSTROUTING} -j MARK --xor-mark ${MASQ_MARK}`,
    `-A ${KUBE_POSTROUTING} ${comment('kubernetes service traffic requiring SNAT')} -j MASQUERADE --random-fully`,
  ]);
  nat.set(KUBE_MARK_MASQ, [`-A ${KUBE_MARK_MASQ} -j MARK --or-mark ${MASQ_MARK}`]);
  filter.set(KUBE_FORWARD, [
    `-A ${KUBE_FORWARD} ${comment('kubernetes forwarding rules')} -m mark --mark ${MASQ_MARK}/${MASQ_MARK} -j ACCEPT`,
    `-A ${KUBE_FORWARD} ${comment('kubernetes forwarding conntrack rule')} -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT`,
  ]);
  // route_localnet=1 (for NodePorts on 127.0.0.1) must not let the outside reach loopback.
  filter.set(KUBE_FIREWALL, [
    `-A ${KUBE_FIREWALL} ${comment('block incoming localnet connections')} -d 127.0.0.0/8 ! -s 127.0.0.0/8 -m conntrack ! --ctstate RELATED,ESTABLISHED,DNAT -j DROP`,
  ]);

  for (const f of frags) {
    services.push(...f.services);
    nodePorts.push(...f.nodePorts);
    for (const [chain, rules] of f.chains) nat.set(chain, rules);
  }
  services.push(`-A ${KUBE_SERVICES} ${comment('kubernetes service nodeports; NOTE: this must be the last rule in this chain')} -m addrtype --dst-type LOCAL -j ${KUBE_NODEPORTS}`);
  return { filter, nat };
}

function servicePortRules(sp: ServicePort, node: NodeInfo): Fragment {
  const services: string[] = [];
  const nodePorts: string[] = [];
  const nat = new Map<string, string[]>();
  const frag = (): Fragment => ({ services, nodePorts, chains: [...nat] });
  // No endpoints: no rules. The service-range guard rejects the ClusterIP; a NodePort
  // without rules reaches no listener and is refused.
  if (sp.endpoints.length === 0) return frag();
  const p = proto(sp);
  const svcChain = serviceChain(sp);
  const extChain = externalChain(sp);
  const match = `-m ${p} -p ${p}`;
  const hasExternal = sp.nodePort > 0 || sp.externalIPs.length > 0 || sp.isLoadBalancer;

  services.push(`-A ${KUBE_SERVICES} ${comment(`${sp.name} cluster IP`)} ${match} -d ${sp.clusterIP}/32 --dport ${sp.port} -j ${svcChain}`);
  for (const ip of sp.externalIPs) {
    services.push(`-A ${KUBE_SERVICES} ${comment(`${sp.name} external IP`)} ${match} -d ${ip}/32 --dport ${sp.port} -j ${extChain}`);
  }
  if (sp.isLoadBalancer) {
    // No cloud: the service port answers on the balancer's ingress IPs (the node
    // addresses the service controller publishes) and on this host's own addresses.
    for (const ip of uniq([...sp.loadBalancerIPs, ...node.nodeIPs])) {
      services.push(`-A ${KUBE_SERVICES} ${comment(`${sp.name} loadbalancer IP`)} ${match} -d ${ip}/32 --dport ${sp.port} -j ${extChain}`);
    }
  }
  if (sp.nodePort > 0) nodePorts.push(`-A ${KUBE_NODEPORTS} ${comment(sp.name)} ${match} --dport ${sp.nodePort} -j ${extChain}`);

  // KUBE-SVC: masquerade what comes from outside the pod network, then pick an endpoint.
  const svcRules = [`-A ${svcChain} ${comment(`${sp.name} cluster IP`)} ${match} -d ${sp.clusterIP}/32 --dport ${sp.port} ! -s ${node.clusterCIDR} -j ${KUBE_MARK_MASQ}`];
  svcRules.push(...balance(svcChain, sp, sp.endpoints));
  nat.set(svcChain, svcRules);

  if (hasExternal) {
    const ext: string[] = [];
    if (!sp.externalLocal) {
      ext.push(`-A ${extChain} ${comment(`masquerade traffic for ${sp.name} external destinations`)} -j ${KUBE_MARK_MASQ}`);
      ext.push(`-A ${extChain} -j ${svcChain}`);
    } else {
      // externalTrafficPolicy Local: pods and the host itself may use any endpoint; the
      // outside only this node's (source IP kept), and is dropped if there are none.
      const svl = localChain(sp);
      ext.push(`-A ${extChain} ${comment(`pod traffic for ${sp.name} external destinations`)} -s ${node.clusterCIDR} -j ${svcChain}`);
      ext.push(`-A ${extChain} ${comment(`masquerade LOCAL traffic for ${sp.name} external destinations`)} -m addrtype --src-type LOCAL -j ${KUBE_MARK_MASQ}`);
      ext.push(`-A ${extChain} ${comment(`route LOCAL traffic for ${sp.name} external destinations`)} -m addrtype --src-type LOCAL -j ${svcChain}`);
      ext.push(`-A ${extChain} -j ${svl}`);
      const local = sp.endpoints.filter((e) => e.nodeName === node.nodeName);
      nat.set(svl, local.length ? balance(svl, sp, local) : [`-A ${svl} ${comment(`${sp.name} has no local endpoints`)} -j DROP`]);
    }
    nat.set(extChain, ext);
  }

  for (const ep of sp.endpoints) {
    const endpoint = `${ep.ip}:${ep.port}`;
    const sep = endpointChain(sp, endpoint);
    const affinity = sp.affinitySeconds > 0 ? ` -m recent --name ${sep} --mask 255.255.255.255 --rsource --set` : '';
    nat.set(sep, [
      // Hairpin: a pod reaching itself through the Service must see the reply from the VIP.
      `-A ${sep} ${comment(sp.name)} -s ${ep.ip}/32 -j ${KUBE_MARK_MASQ}`,
      `-A ${sep} ${comment(sp.name)}${affinity} ${match} -j DNAT --to-destination ${endpoint}`,
    ]);
  }
  return frag();
}

/** Endpoint choice in `chain`: sticky ClientIP first, then 1/n, 1/(n-1), … random picks. */
function balance(chain: string, sp: ServicePort, endpoints: ServicePort['endpoints']): string[] {
  const rules: string[] = [];
  const n = endpoints.length;
  if (sp.affinitySeconds > 0) {
    for (const ep of endpoints) {
      const endpoint = `${ep.ip}:${ep.port}`;
      const sep = endpointChain(sp, endpoint);
      rules.push(`-A ${chain} ${comment(`${sp.name} -> ${endpoint}`)} -m recent --name ${sep} --mask 255.255.255.255 --rsource --rcheck --seconds ${sp.affinitySeconds} --reap -j ${sep}`);
    }
  }
  endpoints.forEach((ep, i) => {
    const endpoint = `${ep.ip}:${ep.port}`;
    const stat = i < n - 1 ? ` -m statistic --mode random --probability ${probability(n - i)}` : '';
    rules.push(`-A ${chain} ${comment(`${sp.name} -> ${endpoint}`)}${stat} -j ${endpointChain(sp, endpoint)}`);
  });
  return rules;
}

function uniq(xs: string[]): string[] {
  return [...new Set(xs)];
}

export function countRules(rules: RuleSet): number {
  let n = 0;
  for (const t of [rules.filter, rules.nat]) for (const r of t.values()) n += r.length;
  return n;
}

/**
 * iptables-restore --noflush input that turns `prev` into `next`: changed and new chains are
 * declared (which flushes them) and rewritten, vanished ones flushed and deleted; the rest
 * is left alone. Without `prev` every chain is written. `stale` names chains found in the
 * kernel that nothing wants any more (from an earlier run). Returns '' when nothing changed.
 */
export function restoreText(prev: RuleSet | undefined, next: RuleSet, stale: Partial<Record<Table, Iterable<string>>> = {}): string {
  const out: string[] = [];
  for (const table of ['filter', 'nat'] as const) {
    const before = prev?.[table];
    const after = next[table];
    const write: string[] = [];
    for (const [chain, rules] of after) if (!before || !sameRules(before.get(chain), rules)) write.push(chain);
    const remove = new Set<string>();
    if (before) for (const chain of before.keys()) if (!after.has(chain)) remove.add(chain);
    for (const chain of stale[table] ?? []) if (!after.has(chain)) remove.add(chain);
    if (write.length === 0 && remove.size === 0) continue;
    out.push(`*${table}`);
    for (const chain of [...write, ...remove]) out.push(`:${chain} - [0:0]`);
    for (const chain of write) out.push(...after.get(chain)!);
    for (const chain of remove) out.push(`-X ${chain}`);
    out.push('COMMIT');
  }
  return out.length ? out.join('\n') + '\n' : '';
}

function sameRules(a: string[] | undefined, b: string[]): boolean {
  return a === b || (!!a && a.length === b.length && a.every((r, i) => r === b[i]));
}
