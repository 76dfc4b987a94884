// Writing the cluster's secrets to disk: atomically (a reader never sees half a key), with
// the mode enforced even on a file that already existed (writeFile's `mode` only applies on
// creation, and a umask may narrow it).
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, basename, join } from 'node:path';
import { randomBytes } from 'node:crypto';

export const KEY_MODE = 0o600;
export const CERT_MODE = 0o644;
export const DIR_MODE = 0o700;

export function readIfExists(path: string): string | undefined {
  return existsSync(path) ? readFileSync(path, 'utf8') : undefined;
}

export function ensurePrivateDir(path: string): void {
  mkdirSync(path, { recursive: true, mode: DIR_MODE });
  chmodSync(path, DIR_MODE);
}

export function writeFileAtomic(path: string, data: string, mode: number): void {
  const tmp = join(dirname(path), `.${basename(path)}.${randomBytes(4).toString('hex')}.tmp`);
  writeFileSync(tmp, data, { mode });
  chmodSync(tmp, mode);
  renameSync(tmp, path);
}

/** Writes `data` unless the file already holds exactly it; true when it wrote. */
export function writeFileIfChanged(path: string, data: string, mode: number): boolean {
  if (readIfExists(path) === data) {
    chmodSync(path, mode);
    return false;
  }
  writeFileAtomic(path, data, mode);
  return true;
}
