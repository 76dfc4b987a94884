// Sets up a pod's volumes on the host under --root-dir (pods/<uid>/volumes/<plugin>/<name>,
// the real kubelet's layout) and tears them down: emptyDir (a directory, or tmpfs for
// medium Memory), hostPath, configMap/secret/downwardAPI/projected (written by the atomic
// writer; secrets on tmpfs so they never touch the disk), and persistentVolumeClaim bound to a
// hostPath or local PV. Containers get bind mounts of these directories.
import { execFile } from 'node:child_process';
import { chmod, mkdir, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { PersistentVolume, PersistentVolumeClaim, Pod, Volume } from 'kubernetes-types/core/v1';
import { parseBytes } from '../../api/quantity.js';
import { writeAtomically } from './atomic-writer.js';
import { checkClaim, resolvePersistentVolume } from './persistent-volume.js';
import { isSecretVolume, volumePayload, VolumeSetupError, type ServiceAccountTokenSource, type VolumeObjects } from './sources.js';

const run = promisify(execFile);

export interface VolumeManagerOptions {
  rootDir: string;
  getPVC(namespace: string, name: string): Promise<PersistentVolumeClaim | undefined>;
  getPV(name: string): Promise<PersistentVolume | undefined>;
  /** This node's name and labels, for the node affinity of local PVs. */
  nodeName?: string;
  nodeLabels?(): Promise<Readonly<Record<string, string>>>;
  /** Tokens for projected serviceAccountToken sources (the token manager). */
  serviceAccountToken?: ServiceAccountTokenSource;
}

export interface MountedVolume {
  hostPath: string;
  /** configMap/secret/downwardAPI/projected are always read-only in containers, as in k8s. */
  readOnly: boolean;
  /** A single file (hostPath type File…): subPath does not apply. */
  isFile?: boolean;
}

const PLUGIN_DIR: Record<string, string> = {
  emptyDir: 'kubernetes.io~empty-dir',
  configMap: 'kubernetes.io~configmap',
  secret: 'kubernetes.io~secret',
  downwardAPI: 'kubernetes.io~downward-api',
  projected: 'kubernetes.io~projected',
};

async function isMountPoint(path: string): Promise<boolean> {
  const mounts = await readFile('/proc/self/mounts', 'utf8').catch(() => '');
  return mounts.split('\n').some((l) => l.split(' ')[1] === path);
}

async function mountsUnder(prefix: string): Promise<string[]> {
  const mounts = await readFile('/proc/self/mounts', 'utf8').catch(() => '');
  return mounts
    .split('\n')
    .map((l) => l.split(' ')[1]?.replace(/\\040/g, ' '))
    .filter((p): p is string => !!p && p.startsWith(prefix + '/'))
    .sort((a, b) => b.length - a.length);
}

async function pathType(p: string): Promise<'dir' | 'file' | 'socket' | 'char' | 'block' | null> {
  try {
    const s = await stat(p);
    if (s.isDirectory()) return 'dir';
    if (s.isSocket()) return 'socket';
    if (s.isCharacterDevice()) return 'char';
    if (s.isBlockDevice()) return 'block';
    return 'file';
  } catch {
    return null;
  }
}

export class VolumeManager {
  /** Warned once when tmpfs cannot be mounted (not root): secrets then go on disk. */
  private tmpfsUnavailable = false;
  /** PVC → host path, once resolved (a bound claim does not move). */
  private readonly claims = new Map<string, string>();
  /** tmpfs mounts made (so a refresh does not read /proc/self/mounts each time). */
  private readonly mounted = new Set<string>();

  constructor(private readonly opts: VolumeManagerOptions) {}

  podDir(uid: string): string {
    return join(this.opts.rootDir, 'pods', uid);
  }

  /** Sets up (or refreshes) every volume of the pod; throws VolumeSetupError when one cannot be yet. */
  async setup(pod: Pod, objs: VolumeObjects): Promise<Map<string, MountedVolume>> {
    const uid = pod.metadata?.uid ?? '';
    const out = new Map<string, MountedVolume>();
    for (const v of pod.spec?.volumes ?? []) out.set(v.name, await this.setupOne(pod, uid, v, objs));
    return out;
  }

  /** Writes a pod-level file (etc-hosts, resolv.conf) and returns its host path. */
  async writePodFile(uid: string, name: string, content: string): Promise<string> {
    const dir = this.podDir(uid);
    await mkdir(dir, { recursive: true });
    const path = join(dir, name);
    const current = await readFile(path, 'utf8').catch(() => null);
    if (current !== content) await writeFile(path, content, { mode: 0o644 });
    return path;
  }

  /** Unmounts and removes everything the pod had on the host. */
  async teardown(uid: string): Promise<void> {
    const dir = this.podDir(uid);
    for (const m of await mountsUnder(dir)) {
      await run('umount', [m]).catch(() => run('umount', ['-l', m]).catch(() => undefined));
      this.mounted.delete(m);
    }
    await rm(dir, { recursive: true, force: true });
    for (const k of this.claims.keys()) if (k.startsWith(`${uid}/`)) this.claims.delete(k);
  }

  /** Pod directories on disk whose uid is not in `active` (pods gone while we were away). */
  async orphanedPodUids(active: Set<string>): Promise<string[]> {
    const names = await readdir(join(this.opts.rootDir, 'pods')).catch(() => [] as string[]);
    return names.filter((n) => !active.has(n));
  }

  private async setupOne(pod: Pod, uid: string, v: Volume, objs: VolumeObjects): Promise<MountedVolume> {
    const podDir = this.podDir(uid);
    if (v.emptyDir) {
      const dir = join(podDir, 'volumes', PLUGIN_DIR.emptyDir, v.name);
      await mkdir(dir, { recursive: true });
      if (v.emptyDir.medium === 'Memory') {
        const size = v.emptyDir.sizeLimit !== undefined ? parseBytes(String(v.emptyDir.sizeLimit)) : undefined;
        await this.mountTmpfs(dir, 0o777, size);
      }
      // World-writable as k8s makes it, so containers running as any user can share it.
      await chmod(dir, 0o777);
      return { hostPath: dir, readOnly: false };
    }
    if (v.hostPath) return this.hostPath(v.hostPath.path, v.hostPath.type ?? '');
    if (v.persistentVolumeClaim) {
      const key = `${uid}/${v.name}`;
      let path = this.claims.get(key);
      if (!path) {
        path = await this.claimPath(pod.metadata?.namespace ?? 'default', v.persistentVolumeClaim.claimName);
        this.claims.set(key, path);
      }
      return { hostPath: path, readOnly: v.persistentVolumeClaim.readOnly ?? false };
    }
    const type = v.configMap ? 'configMap' : v.secret ? 'secret' : v.downwardAPI ? 'downwardAPI' : v.projected ? 'projected' : '';
    if (!type) throw new VolumeSetupError(`volume ${v.name}: unsupported volume type`);
    const dir = join(podDir, 'volumes', PLUGIN_DIR[type], v.name);
    await mkdir(dir, { recursive: true });
    if (isSecretVolume(v)) await this.mountTmpfs(dir, 0o755);
    const payload = await volumePayload(pod, v, objs, this.opts.serviceAccountToken);
    if (payload) await writeAtomically(dir, payload);
    return { hostPath: dir, readOnly: true };
  }

  private async hostPath(path: string, type: string): Promise<MountedVolume> {
    const have = await pathType(path);
    const fail = (what: string): never => {
      throw new VolumeSetupError(`hostPath type check failed: ${path} is not a ${what}`);
    };
    switch (type) {
      case 'DirectoryOrCreate':
        if (!have) await mkdir(path, { recursive: true, mode: 0o755 });
        else if (have !== 'dir') fail('directory');
        break;
      case 'Directory':
        if (have !== 'dir') fail('directory');
        break;
      case 'FileOrCreate':
        if (!have) await writeFile(path, '', { mode: 0o644 });
        else if (have !== 'file') fail('file');
        break;
      case 'File':
        if (have !== 'file') fail('file');
        break;
      case 'Socket':
        if (have !== 'socket') fail('socket');
        break;
      case 'CharDevice':
        if (have !== 'char') fail('character device');
        break;
      case 'BlockDevice':
        if (have !== 'block') fail('block device');
        break;
      default:
        break;
    }
    const now = await pathType(path);
    return { hostPath: path, readOnly: false, isFile: now !== null && now !== 'dir' };
  }

  /** The host directory of a Bound claim's PV (persistent-volume.ts decides; here the lookups and the directory). */
  private async claimPath(namespace: string, claimName: string): Promise<string> {
    const { pvc, pvName } = checkClaim(await this.opts.getPVC(namespace, claimName), namespace, claimName);
    const nodeName = this.opts.nodeName ?? '';
    const labels = (await this.opts.nodeLabels?.()) ?? { 'kubernetes.io/hostname': nodeName };
    const r = resolvePersistentVolume(pvc, await this.opts.getPV(pvName), pvName, nodeName, labels);
    if (r.mustExist) {
      if ((await pathType(r.hostPath)) !== 'dir') throw new VolumeSetupError(`path "${r.hostPath}" does not exist`);
    } else await mkdir(r.hostPath, { recursive: true });
    return r.hostPath;
  }

  private async mountTmpfs(dir: string, mode: number, sizeBytes?: number): Promise<void> {
    if (this.tmpfsUnavailable || this.mounted.has(dir)) return;
    if (await isMountPoint(dir)) {
      this.mounted.add(dir);
      return;
    }
    const opts = [`mode=${mode.toString(8)}`, ...(sizeBytes ? [`size=${sizeBytes}`] : [])].join(',');
    try {
      await run('mount', ['-t', 'tmpfs', '-o', opts, 'tmpfs', dir]);
      this.mounted.add(dir);
    } catch {
      this.tmpfsUnavailable = true;
    }
  }
}

/** The host path a volumeMount binds: the volume's directory, or a subPath inside it (created if missing). */
export async function mountSource(vol: MountedVolume, subPath: string | undefined): Promise<string> {
  if (!subPath) return vol.hostPath;
  const parts = subPath.split('/');
  if (subPath.startsWith('/') || parts.includes('..')) throw new VolumeSetupError(`invalid subPath ${JSON.stringify(subPath)}`);
  const p = join(vol.hostPath, subPath);
  // k8s creates a missing subPath as a directory; an existing file is bound as a file.
  if ((await pathType(p)) === null) {
    if (vol.readOnly) throw new VolumeSetupError(`subPath ${subPath} does not exist in a read-only volume`);
    await mkdir(p, { recursive: true, mode: 0o777 });
  }
  return p;
}
