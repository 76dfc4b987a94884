// Where a local-path volume lives and the one safety rule its deletion obeys. k3s'
// local-path-provisioner names a volume's directory `<root>/<pvName>_<namespace>_<pvcName>`;
// deletion runs `rm -rf` as root on a node, so a PV's path (which anyone allowed to write PVs
// could have set) must be checked to lie strictly inside the configured root first.
import { isAbsolute, join, relative, resolve, sep } from 'node:path';

/** k3s' naming: one directory per volume, directly under the root. */
export function volumePath(root: string, pvName: string, namespace: string, pvcName: string): string {
  return join(root, `${pvName}_${namespace}_${pvcName}`);
}

/**
 * Why `path` must not be deleted under `root`, or undefined when it may: it must be a clean
 * absolute path (no `.`/`..` segments, no NUL, nothing that normalizes to something else) that
 * lies strictly below the root — never the root itself, never beside or above it.
 */
export function unsafePathReason(root: string, path: string | undefined): string | undefined {
  if (!path) return 'the volume has no local path';
  if (path.includes('\0')) return `path ${JSON.stringify(path)} contains a NUL byte`;
  if (!isAbsolute(path)) return `path "${path}" is not absolute`;
  if (path.split('/').some((s) => s === '..' || s === '.')) return `path "${path}" contains "." or ".." segments`;
  const resolvedRoot = resolve(root);
  const resolved = resolve(path);
  const rel = relative(resolvedRoot, resolved);
  if (rel === '') return `path "${path}" is the local-path root itself`;
  if (rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel)) return `path "${path}" is not inside the local-path root "${resolvedRoot}"`;
  return undefined;
}
