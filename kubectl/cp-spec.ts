// kubectl cp's file specifications and path rules (kubectl/pkg/cmd/cp): `[[namespace/]pod:]path`,
// the prefix the pod's tar puts on member names, and where each member lands locally. Pure.
import { posix, isAbsolute, join, relative, resolve } from 'node:path';
import { CliError } from './errors.js';

export interface FileSpec {
  namespace?: string;
  pod?: string;
  file: string;
}

export const FILESPEC_FORMAT = 'filespec must match the canonical format: [[namespace/]pod:]file/path';

export function parseFileSpec(arg: string): FileSpec {
  const i = arg.indexOf(':');
  if (i === 0) throw new CliError(FILESPEC_FORMAT);
  if (i < 0) return { file: arg };
  const pieces = arg.slice(0, i).split('/');
  const file = arg.slice(i + 1);
  if (pieces.length === 1) return { pod: pieces[0]!, file };
  if (pieces.length === 2) return { namespace: pieces[0]!, pod: pieces[1]!, file };
  throw new CliError(FILESPEC_FORMAT);
}

/** Leading `../` (and a lone `.`/`..`) removed, then one leading slash (kubectl's stripPathShortcuts). */
export function stripPathShortcuts(p: string): string {
  let path = p;
  while (path.startsWith('../')) path = path.slice(3);
  if (path === '.' || path === '..') path = '';
  return path.startsWith('/') ? path.slice(1) : path;
}

/** What every member of `tar cf - <file>` starts with: the path without leading slashes, cleaned. */
export function remotePrefix(file: string): string {
  // Go's path.Clean: normalized, and no trailing slash.
  return stripPathShortcuts(posix.normalize(file.replace(/^\/+/, '')).replace(/(.)\/+$/, '$1'));
}

/**
 * The local path of a member named `name`: `dest` joined with the rest of the name after the
 * prefix; undefined when the name escapes `dest` (a tampered archive). Throws when the name
 * lacks the prefix, as kubectl does.
 */
export function localTarget(dest: string, prefix: string, name: string): string | undefined {
  if (!name.startsWith(prefix)) throw new CliError('tar contents corrupted');
  const rest = posix.normalize(`/${name.slice(prefix.length)}`).replace(/^\/+/, '');
  const target = rest ? join(dest, rest) : dest;
  const rel = relative(resolve(dest), resolve(target));
  return rel.startsWith('..') || isAbsolute(rel) ? undefined : target;
}

/** Where a local `src` goes in the pod: into `dest` when that is a directory there. */
export function remoteDestination(src: string, dest: string, destIsDir: boolean): { dir: string; base: string } {
  const srcBase = posix.basename(src.replace(/\/+$/, '')) || src;
  const full = posix.normalize(destIsDir ? posix.join(dest, srcBase) : dest).replace(/\/+$/, '') || '/';
  return { dir: posix.dirname(full), base: posix.basename(full) };
}
