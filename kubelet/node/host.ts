// Facts about the host the kubelet reports in its Node: CPUs, memory from /proc/meminfo, the
// filesystem holding --root-dir, PIDs, kernel/OS identity, and the address pods can reach it
// on. Read fresh for each status update (cheap: a few small /proc files and one statfs).
import { readFile, statfs, mkdir } from 'node:fs/promises';
import { cpus, hostname, release } from 'node:os';
import { hostIPv4 } from '../../client/host-ip.js';

export interface HostFacts {
  hostname: string;
  cpus: number;
  memTotalBytes: number;
  memAvailableBytes: number;
  fsTotalBytes: number;
  fsAvailableBytes: number;
  pidMax: number;
  pids: number;
  kernelVersion: string;
  osImage: string;
  architecture: string;
  machineID: string;
  systemUUID: string;
  bootID: string;
}

async function text(path: string): Promise<string> {
  return (await readFile(path, 'utf8').catch(() => '')).trim();
}

/** `/proc/meminfo` values are in kB. */
export function parseMeminfo(s: string): { total: number; available: number } {
  const field = (name: string): number => {
    const m = new RegExp(`^${name}:\\s+(\\d+)\\s*kB`, 'm').exec(s);
    return m ? Number(m[1]) * 1024 : 0;
  };
  const total = field('MemTotal');
  const available = field('MemAvailable') || field('MemFree');
  return { total, available };
}

/** Go's GOARCH names, as nodeInfo.architecture and the kubernetes.io/arch label use them. */
export function goArch(arch: string = process.arch): string {
  return ({ x64: 'amd64', ia32: '386', arm64: 'arm64', arm: 'arm', ppc64: 'ppc64le', s390x: 's390x' } as Record<string, string>)[arch] ?? arch;
}

export async function readHostFacts(rootDir: string): Promise<HostFacts> {
  await mkdir(rootDir, { recursive: true });
  const [meminfo, fs, pidMax, loadavg, osRelease, machineID, productUUID, bootID] = await Promise.all([
    text('/proc/meminfo'),
    statfs(rootDir),
    text('/proc/sys/kernel/pid_max'),
    text('/proc/loadavg'),
    text('/etc/os-release'),
    text('/etc/machine-id'),
    text('/sys/class/dmi/id/product_uuid'),
    text('/proc/sys/kernel/random/boot_id'),
  ]);
  const mem = parseMeminfo(meminfo);
  // loadavg's 4th field is running/total scheduling entities (threads): the PIDs in use.
  const pids = Number(loadavg.split(' ')[3]?.split('/')[1] ?? 0);
  const pretty = /^PRETTY_NAME="?([^"\n]*)"?/m.exec(osRelease)?.[1] ?? 'Linux';
  return {
    hostname: hostname(),
    cpus: cpus().length || 1,
    memTotalBytes: mem.total,
    memAvailableBytes: mem.available,
    fsTotalBytes: fs.blocks * fs.bsize,
    fsAvailableBytes: fs.bavail * fs.bsize,
    pidMax: Number(pidMax) || 32768,
    pids,
    kernelVersion: release(),
    osImage: pretty,
    architecture: goArch(),
    machineID,
    systemUUID: productUUID || machineID,
    bootID,
  };
}

/**
 * The node's InternalIP: the host's first IPv4 address of a physical-looking interface. Pods
 * reach it through their bridge gateway; several kubelets on one host share it.
 */
export const defaultNodeIP = hostIPv4;
