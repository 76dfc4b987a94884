// Writes a volume's files so containers never see a half-updated set (k8s
// pkg/volume/util/atomic_writer.go): files go into a fresh `..<timestamp>` directory, a
// `..data` symlink is swapped to it with one rename, and each top-level name is a symlink
// through `..data`. Containers see the directory (bind mount), so updates appear in place.
import { chmod, mkdir, readFile, readdir, readlink, rename, rm, stat, symlink, unlink, writeFile } from 'node:fs/promises';
import { dirname, join, normalize, sep } from 'node:path';
import type { Payload } from './sources.js';

const DATA_DIR = '..data';
const DATA_TMP = '..data_tmp';

export class PayloadPathError extends Error {}

function validatePath(p: string): void {
  if (!p || p.startsWith('/') || p.length > 4096) throw new PayloadPathError(`invalid path ${JSON.stringify(p)}`);
  const parts = p.split('/');
  if (parts.includes('..') || parts[0].startsWith('..')) throw new PayloadPathError(`invalid path ${JSON.stringify(p)}`);
}

async function exists(p: string): Promise<boolean> {
  return stat(p).then(
    () => true,
    () => false,
  );
}

/** True when the directory already holds exactly this payload (bytes and modes). */
async function sameAsCurrent(dir: string, payload: Payload): Promise<boolean> {
  const files: string[] = [];
  const walk = async (d: string, rel: string): Promise<void> => {
    for (const e of await readdir(d, { withFileTypes: true })) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) await walk(join(d, e.name), r);
      else files.push(r);
    }
  };
  try {
    await walk(dir, '');
  } catch {
    return false;
  }
  if (files.length !== payload.size) return false;
  for (const [p, f] of payload) {
    const full = join(dir, p);
    try {
      const [data, st] = await Promise.all([readFile(full), stat(full)]);
      if (!data.equals(f.data) || (st.mode & 0o777) !== (f.mode & 0o777)) return false;
    } catch {
      return false;
    }
  }
  return true;
}

function timestampDirName(): string {
  const d = new Date();
  const pad = (n: number, w = 2): string => String(n).padStart(w, '0');
  const ns = `${pad(d.getUTCMilliseconds(), 3)}${String(process.hrtime.bigint() % 1_000_000n).padStart(6, '0')}`;
  return `..${d.getUTCFullYear()}_${pad(d.getUTCMonth() + 1)}_${pad(d.getUTCDate())}_${pad(d.getUTCHours())}_${pad(d.getUTCMinutes())}_${pad(d.getUTCSeconds())}.${ns}`;
}

/** Writes `payload` into `targetDir` atomically; returns false when nothing changed. */
export async function writeAtomically(targetDir: string, payload: Payload): Promise<boolean> {
  for (const p of payload.keys()) validatePath(normalize(p).split(sep).join('/'));
  await mkdir(targetDir, { recursive: true });
  const dataLink = join(targetDir, DATA_DIR);
  const oldTs = await readlink(dataLink).catch(() => '');
  if (oldTs && (await sameAsCurrent(join(targetDir, oldTs), payload))) return false;

  const tsName = timestampDirName();
  const tsDir = join(targetDir, tsName);
  await mkdir(tsDir, { mode: 0o755 });
  for (const [p, f] of payload) {
    const full = join(tsDir, p);
    await mkdir(dirname(full), { recursive: true, mode: 0o755 });
    await writeFile(full, f.data, { mode: f.mode });
    // writeFile's mode is filtered by the umask; the volume's mode is not.
    await chmod(full, f.mode);
  }
  const tmpLink = join(targetDir, DATA_TMP);
  await rm(tmpLink, { force: true });
  await symlink(tsName, tmpLink);
  await rename(tmpLink, dataLink);

  const wanted = new Set([...payload.keys()].map((p) => p.split('/')[0]));
  for (const name of wanted) {
    const link = join(targetDir, name);
    if (!(await readlink(link).catch(() => ''))) {
      await rm(link, { recursive: true, force: true });
      await symlink(join(DATA_DIR, name), link);
    }
  }
  for (const name of await readdir(targetDir)) {
    if (name.startsWith('..') || wanted.has(name)) continue;
    await unlink(join(targetDir, name)).catch(() => undefined);
  }
  if (oldTs && oldTs !== tsName && (await exists(join(targetDir, oldTs)))) {
    await rm(join(targetDir, oldTs), { recursive: true, force: true });
  }
  return true;
}
