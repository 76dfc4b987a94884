// kc cp <pod>:<path> <local> | kc cp <local> <pod>:<path> [-c C] [-n NS] [--no-preserve]: as
// kubectl cp, a tar stream through pods/exec — `tar cf - <path>` read here, or `tar -xmf -`
// fed from here (after `test -d` decides whether the destination is a directory). The local
// side of the archive is tar-stream's, never hand-written.
import { createReadStream, createWriteStream } from 'node:fs';
import { lstat, mkdir, readdir, readlink } from 'node:fs/promises';
import { dirname, posix, resolve } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Pod } from 'kubernetes-types/core/v1';
import { extract as tarExtract, pack as tarPack, type Pack } from 'tar-stream';
import { bool, str, strs, type KcCommand } from '../command.js';
import { localTarget, parseFileSpec, remoteDestination, remotePrefix, type FileSpec } from '../cp-spec.js';
import { CliError } from '../errors.js';
import type { Factory } from '../factory.js';
import { write } from '../io.js';
import { pickContainer } from '../pod-select.js';
import { remoteExec, type RemoteExec, type RemoteExecTarget } from '../remote-exec.js';
import { resolveType } from '../resource-args.js';

export const cpCommand: KcCommand = {
  command: 'cp [args..]',
  describe: 'Copy files and directories to and from containers',
  builder: (y) =>
    y
      .option('container', { alias: 'c', type: 'string' })
      .option('no-preserve', { type: 'boolean', describe: "Don't keep the copied files' ownership and permissions in the container" }),
  run: async (f, argv) => {
    const args = strs(argv.args);
    if (args.length !== 2) throw new CliError('source and destination are required');
    const src = parseFileSpec(args[0]!);
    const dest = parseFileSpec(args[1]!);
    if (src.pod && dest.pod) throw new CliError('one of src or dest must be a local file specification');
    if (!src.file || !dest.file) throw new CliError('filepath can not be empty');
    if (src.pod) return copyFromPod(f, await targetOf(f, src, str(argv.container)), src.file, resolve(f.io.cwd, dest.file));
    if (dest.pod) return copyToPod(f, await targetOf(f, dest, str(argv.container)), src.file, dest.file, bool(argv['no-preserve']));
    throw new CliError('one of src or dest must be a remote file specification');
  },
};

/** The pod (which must exist and not have completed, as for exec) and its container. */
async function targetOf(f: Factory, spec: FileSpec, container: string | undefined): Promise<RemoteExecTarget> {
  const namespace = spec.namespace ?? f.namespace;
  const pod = (await f.resource(resolveType('pods'), namespace).get(spec.pod!)) as unknown as Pod;
  if (pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed') {
    throw new CliError(`cannot exec into a container in a completed pod; current phase is ${pod.status.phase}`);
  }
  return { namespace, pod: spec.pod!, container: await pickContainer(f, pod, container) };
}

/** The remote command's outcome, as kubectl reports it: its exit code, or the session's error. */
async function finished(f: Factory, ex: RemoteExec): Promise<void> {
  const r = await ex.done;
  if (r.error) throw r.error;
  if (r.code !== 0) {
    await write(f.io.stderr, `command terminated with exit code ${r.code}\n`);
    throw new CliError('', r.code, true);
  }
}

async function copyOut(from: Readable, to: Writable): Promise<void> {
  for await (const chunk of from) await write(to, (chunk as Buffer).toString());
}

// ---- local → pod ------------------------------------------------------------------------------

async function copyToPod(f: Factory, target: RemoteExecTarget, src: string, dest: string, noPreserve: boolean): Promise<void> {
  const local = resolve(f.io.cwd, src);
  try {
    await lstat(local);
  } catch {
    throw new CliError(`${src} doesn't exist in local filesystem`);
  }
  const probe = await remoteExec(f, target, ['test', '-d', dest]);
  probe.stdout.resume();
  probe.stderr.resume();
  const isDir = (await probe.done).code === 0;
  const { dir, base } = remoteDestination(src, dest, isDir);
  const command = noPreserve ? ['tar', '--no-same-permissions', '--no-same-owner', '-xmf', '-'] : ['tar', '-xmf', '-'];
  command.push('-C', dir);
  const ex = await remoteExec(f, target, command, { stdin: true });
  const output = Promise.all([copyOut(ex.stdout, f.io.stdout), copyOut(ex.stderr, f.io.stderr)]);
  const pack = tarPack();
  const sent = pipeline(pack, ex.stdin!).catch(() => undefined);
  try {
    await addTree(pack, local, base);
  } finally {
    pack.finalize();
  }
  await sent;
  await output;
  await finished(f, ex);
}

/** kubectl's recursiveTar: files and symlinks under their destination names; a directory entry only when empty. */
async function addTree(pack: Pack, path: string, name: string): Promise<void> {
  const st = await lstat(path);
  const header = { name, mode: st.mode & 0o7777, mtime: st.mtime, uid: st.uid, gid: st.gid };
  if (st.isDirectory()) {
    const children = (await readdir(path)).sort();
    if (children.length === 0) await entry(pack, { ...header, type: 'directory' });
    for (const c of children) await addTree(pack, `${path}/${c}`, posix.join(name, c));
  } else if (st.isSymbolicLink()) {
    await entry(pack, { ...header, type: 'symlink', linkname: await readlink(path) });
  } else if (st.isFile()) {
    const e = pack.entry({ ...header, type: 'file', size: st.size });
    await pipeline(createReadStream(path), e);
  }
}

function entry(pack: Pack, header: Parameters<Pack['entry']>[0]): Promise<void> {
  return new Promise((done, fail) => pack.entry(header, (err) => (err ? fail(err) : done())));
}

// ---- pod → local ------------------------------------------------------------------------------

async function copyFromPod(f: Factory, target: RemoteExecTarget, src: string, dest: string): Promise<void> {
  const ex = await remoteExec(f, target, ['tar', 'cf', '-', src]);
  // As kubectl does, the pod's tar messages go to standard output.
  const messages = copyOut(ex.stderr, f.io.stdout);
  const prefix = remotePrefix(src);
  const extract = tarExtract();
  ex.stdout.pipe(extract);
  let symlinkWarned = false;
  try {
    for await (const e of extract) {
      const target = localTarget(dest, prefix, e.header.name);
      if (!target) {
        await write(f.io.stderr, `warning: file ${JSON.stringify(dest + '/' + e.header.name.slice(prefix.length))} is outside target destination, skipping\n`);
      } else if (e.header.type === 'directory') {
        await mkdir(target, { recursive: true });
      } else if (e.header.type === 'symlink') {
        if (!symlinkWarned) await write(f.io.stderr, `warning: skipping symlink: ${JSON.stringify(target)} -> ${JSON.stringify(e.header.linkname ?? '')}\n`);
        symlinkWarned = true;
      } else if (e.header.type === 'file' || e.header.type === 'contiguous-file') {
        await mkdir(dirname(target), { recursive: true });
        await pipeline(e, createWriteStream(target)).catch((err: NodeJS.ErrnoException) => {
          throw new CliError(err.code === 'EISDIR' ? `open ${target}: is a directory` : err.message);
        });
      }
      e.resume();
    }
  } finally {
    ex.stdout.resume();
  }
  await messages;
  await finished(f, ex);
}
