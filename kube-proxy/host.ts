// Facts about and small settings of the host kube-proxy runs on: its addresses, whether
// iptables can be used, route_localnet (NodePorts on 127.0.0.1) and hairpin mode on the pod
// bridge's ports (a pod reaching itself through its Service).
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { networkInterfaces } from 'node:os';
import { cidrContains, tryParseCidr } from '../api/net.js';
import type { CommandRunner } from './exec.js';

/** Whether `ip` lies in `cidr`; false on anything that does not parse. */
export function inCidr(ip: string, cidr: string): boolean {
  const range = tryParseCidr(cidr);
  return range !== undefined && cidrContains(range, ip);
}


/**
 * The host's own IPv4 addresses that the outside would use: not loopback, not Docker's or the
 * pod network's bridges, not the service-range bridge.
 */
export function hostAddresses(clusterCIDR: string): string[] {
  const out: string[] = [];
  for (const [name, addrs] of Object.entries(networkInterfaces())) {
    if (name === 'docker0' || name.startsWith('br-') || name.startsWith('veth') || name === 'kube-svc0') continue;
    for (const a of addrs ?? []) if (a.family === 'IPv4' && !a.internal && !inCidr(a.address, clusterCIDR)) out.push(a.address);
  }
  return out.sort();
}

/** The bridge that holds the gateway address of the pod network (Docker's `br-…` for tskube-pods). */
export function podBridge(clusterCIDR: string): string | undefined {
  for (const [name, addrs] of Object.entries(networkInterfaces())) {
    if ((addrs ?? []).some((a) => a.family === 'IPv4' && inCidr(a.address, clusterCIDR))) return name;
  }
  return undefined;
}

/** iptables works here: the binary exists and we may read the nat table (root/NET_ADMIN). */
export async function iptablesUsable(run: CommandRunner): Promise<boolean> {
  return (await run('iptables', ['-w', '5', '-t', 'nat', '-S', 'POSTROUTING', '1'])).code === 0;
}

/** net.ipv4.conf.all.route_localnet=1: DNAT of 127.0.0.1 traffic to pods (plus masquerade). */
export async function enableRouteLocalnet(): Promise<void> {
  const path = '/proc/sys/net/ipv4/conf/all/route_localnet';
  if ((await readFile(path, 'utf8')).trim() !== '1') await writeFile(path, '1');
}

/** Sets hairpin_mode=1 on every port of `bridge`. Returns how many ports it changed. */
export async function ensureHairpin(bridge: string): Promise<number> {
  const dir = `/sys/class/net/${bridge}/brif`;
  let ports: string[];
  try {
    ports = await readdir(dir);
  } catch {
    return 0;
  }
  let changed = 0;
  for (const port of ports) {
    const file = `${dir}/${port}/hairpin_mode`;
    try {
      if ((await readFile(file, 'utf8')).trim() !== '1') {
        await writeFile(file, '1');
        changed++;
      }
    } catch {
      // The veth went away with its pod meanwhile.
    }
  }
  return changed;
}
