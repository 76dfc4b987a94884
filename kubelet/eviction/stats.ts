// The eviction signals and per-pod usage, read from the host (what upstream reads from
// cAdvisor's summary): memory from /proc/meminfo, nodefs from statfs of the kubelet's root dir,
// imagefs from statfs of Docker's data root (the Docker info API names it), PIDs from /proc;
// per pod, memory working sets from the runtime's container stats, writable-layer sizes and log
// files from Docker, and local volumes by walking their directories. The signals are cheap and
// read every pass; pod usage only when pods must be ranked.
import { lstat, readdir, readFile, stat, statfs } from 'node:fs/promises';
import { join } from 'node:path';
import type { Pod } from 'kubernetes-types/core/v1';
import type { DockerClient } from '../runtime/docker/client.js';
import { LABEL_CONTAINER_NAME, LABEL_POD_UID, type Runtime } from '../runtime/runtime.js';
import { ownedBy, ownerFilters } from '../runtime/docker/scope.js';
import type { SignalObservations } from './helpers.js';
import type { ContainerUsage, PodUsage } from './rank.js';

/**
 * memory.available as upstream defines it: capacity − the node's working set, the working set
 * being usage − inactive_file. On the root cgroup (cgroup v2 has no memory.current there) runc
 * and cAdvisor take usage from /proc/meminfo as MemTotal − MemFree, so the signal is
 * MemFree + Inactive(file) out of MemTotal. Not MemAvailable: that also counts reclaimable
 * slab and active page cache, which the kubelet does not. Values in /proc/meminfo are kB. Pure.
 */
export function memoryObservation(meminfo: string): { available: number; capacity: number } | undefined {
  const kb = (key: string): number | undefined => {
    const m = new RegExp(`^${key.replace(/[()]/g, '\\$&')}:\\s+(\\d+)\\s*kB`, 'm').exec(meminfo);
    return m ? Number(m[1]) * 1024 : undefined;
  };
  const total = kb('MemTotal');
  const free = kb('MemFree');
  if (total === undefined || free === undefined) return undefined;
  const workingSet = Math.max(0, total - free - (kb('Inactive(file)') ?? 0));
  return { available: total - workingSet, capacity: total };
}

/** pid.available: pid_max − the tasks in use (the 4th field of /proc/loadavg is running/total). Pure. */
export function pidObservation(pidMax: string, loadavg: string): { available: number; capacity: number } | undefined {
  const max = Number(pidMax.trim());
  const used = Number(loadavg.split(' ')[3]?.split('/')[1]);
  if (!Number.isFinite(max) || max <= 0 || !Number.isFinite(used)) return undefined;
  return { available: max - used, capacity: max };
}

async function fsObservations(path: string): Promise<{ bytes: { available: number; capacity: number }; inodes: { available: number; capacity: number } }> {
  const s = await statfs(path);
  return { bytes: { available: s.bavail * s.bsize, capacity: s.blocks * s.bsize }, inodes: { available: s.ffree, capacity: s.files } };
}

/** Bytes a directory tree takes on disk (as du: allocated blocks), not following symlinks or crossing into other mounts. */
export async function diskUsage(path: string): Promise<number> {
  let root;
  try {
    root = await lstat(path);
  } catch {
    return 0;
  }
  let total = root.blocks * 512;
  if (!root.isDirectory()) return total;
  for (const name of await readdir(path).catch(() => [] as string[])) {
    const child = join(path, name);
    const s = await lstat(child).catch(() => undefined);
    if (!s || s.dev !== root.dev) continue;
    total += s.isDirectory() ? await diskUsage(child) : s.blocks * 512;
  }
  return total;
}

/** Volume plugin directories of the local ephemeral volumes upstream counts (IsLocalEphemeralVolume). */
function localVolumeDirs(pod: Pod): { name: string; plugin: string }[] {
  const out: { name: string; plugin: string }[] = [];
  for (const v of pod.spec?.volumes ?? []) {
    if (v.emptyDir && (v.emptyDir.medium ?? '') === '') out.push({ name: v.name, plugin: 'kubernetes.io~empty-dir' });
    else if (v.configMap) out.push({ name: v.name, plugin: 'kubernetes.io~configmap' });
  }
  return out;
}

interface DockerContainerSummary {
  Id: string;
  Labels?: Record<string, string>;
  SizeRw?: number;
}

export interface EvictionStatsOptions {
  nodeName: string;
  /** The kubelet's --runtime-cluster-id ('' = none): with nodeName, which containers are ours. */
  clusterId?: string;
  rootDir: string;
  runtime: Runtime;
  /** Docker's API, for its data root and containers' writable layers and logs; without it there is no imagefs signal. */
  docker?: DockerClient;
}

export class EvictionStats {
  private dockerRoot: string | undefined;
  private dedicated: boolean | undefined;

  constructor(private readonly o: EvictionStatsOptions) {}

  /** Whether Docker's data root is on another filesystem than the kubelet's root dir (HasDedicatedImageFs). */
  async hasDedicatedImageFs(): Promise<boolean> {
    if (this.dedicated === undefined) {
      // Docker's data root may not be visible here (a kubelet in a container): then one filesystem.
      const root = await this.imageFsPath().catch(() => undefined);
      const dev = async (p: string): Promise<number | undefined> => (await stat(p).catch(() => undefined))?.dev;
      const [imageDev, rootDev] = root ? await Promise.all([dev(root), dev(this.o.rootDir)]) : [undefined, undefined];
      this.dedicated = imageDev !== undefined && rootDev !== undefined && imageDev !== rootDev;
    }
    return this.dedicated;
  }

  private async imageFsPath(): Promise<string | undefined> {
    if (this.dockerRoot === undefined && this.o.docker) {
      const info = await this.o.docker.request<{ DockerRootDir?: string }>('GET', '/info');
      this.dockerRoot = info?.DockerRootDir ?? '';
    }
    return this.dockerRoot || undefined;
  }

  /** makeSignalObservations. */
  async observe(): Promise<SignalObservations> {
    const [meminfo, pidMax, loadavg, nodefs] = await Promise.all([
      readFile('/proc/meminfo', 'utf8').catch(() => ''),
      readFile('/proc/sys/kernel/pid_max', 'utf8').catch(() => ''),
      readFile('/proc/loadavg', 'utf8').catch(() => ''),
      fsObservations(this.o.rootDir),
    ]);
    const out: SignalObservations = { 'nodefs.available': nodefs.bytes, 'nodefs.inodesFree': nodefs.inodes };
    const memory = memoryObservation(meminfo);
    if (memory) out['memory.available'] = memory;
    const pid = pidObservation(pidMax, loadavg);
    if (pid) out['pid.available'] = pid;
    const imageRoot = await this.imageFsPath().catch(() => undefined);
    const imagefs = imageRoot ? await fsObservations(imageRoot).catch(() => undefined) : undefined;
    if (imagefs) {
      out['imagefs.available'] = imagefs.bytes;
      out['imagefs.inodesFree'] = imagefs.inodes;
    }
    return out;
  }

  /** Per-pod usage for ranking: memory always, disk (layers, logs, volumes) when `withDisk`. */
  async podUsage(pods: readonly Pod[], withDisk: boolean): Promise<Map<string, PodUsage>> {
    const out = new Map<string, PodUsage>();
    const usage = (uid: string): PodUsage => {
      let u = out.get(uid);
      if (!u) out.set(uid, (u = { memoryWorkingSetBytes: 0, containers: [], volumeBytes: {} }));
      return u;
    };
    const container = (u: PodUsage, name: string): ContainerUsage => {
      let c = u.containers.find((x) => x.name === name);
      if (!c) u.containers.push((c = { name }));
      return c;
    };
    const uids = new Set(pods.map((p) => p.metadata?.uid ?? ''));
    for (const s of await this.o.runtime.listContainerStats()) {
      const uid = s.labels[LABEL_POD_UID];
      const name = s.labels[LABEL_CONTAINER_NAME];
      if (!uid || !name || !uids.has(uid)) continue;
      const u = usage(uid);
      u.memoryWorkingSetBytes += s.memoryWorkingSetBytes;
      container(u, name).memoryWorkingSetBytes = s.memoryWorkingSetBytes;
    }
    if (!withDisk) return out;
    if (this.o.docker) await this.containerDiskUsage(uids, usage, container);
    for (const pod of pods) {
      const uid = pod.metadata?.uid ?? '';
      for (const v of localVolumeDirs(pod)) {
        usage(uid).volumeBytes[v.name] = await diskUsage(join(this.o.rootDir, 'pods', uid, 'volumes', v.plugin, v.name));
      }
    }
    return out;
  }

  /** Writable layers (SizeRw) and log files of this node's app containers. */
  private async containerDiskUsage(uids: Set<string>, usage: (uid: string) => PodUsage, container: (u: PodUsage, name: string) => ContainerUsage): Promise<void> {
    const docker = this.o.docker!;
    const list =
      (await docker.request<DockerContainerSummary[]>('GET', '/containers/json', {
        query: { all: true, size: true, filters: JSON.stringify({ label: ownerFilters(this.o) }) },
        slow: true,
      })) ?? [];
    for (const c of list) {
      if (!ownedBy(c.Labels, this.o)) continue;
      const uid = c.Labels?.[LABEL_POD_UID];
      const name = c.Labels?.[LABEL_CONTAINER_NAME];
      if (!uid || !name || !uids.has(uid)) continue;
      const inspect = await docker.request<{ LogPath?: string }>('GET', `/containers/${c.Id}/json`).catch(() => undefined);
      const logs = inspect?.LogPath ? await stat(inspect.LogPath).then((s) => s.size).catch(() => 0) : 0;
      const cu = container(usage(uid), name);
      cu.rootfsBytes = (cu.rootfsBytes ?? 0) + (c.SizeRw ?? 0);
      cu.logsBytes = (cu.logsBytes ?? 0) + logs;
    }
  }
}
