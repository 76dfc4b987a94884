// Reading `-f` inputs as kubectl does: files, directories (their .json/.yaml/.yml files,
// recursively with -R), `-` for stdin; multi-document YAML; `kind: List` flattened.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join, resolve } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { findByKind, type ResourceInfo } from '../api/resources.js';
import { findServedByKind } from './served-resources.js';
import { isObject, type KObject } from '../api/types.js';
import { CliError } from './errors.js';
import { readAll, type IOStreams } from './io.js';

export interface Manifest {
  obj: KObject;
  /** The file it came from (`STDIN` for `-`), for kubectl's `error when creating "x.yaml"`. */
  source: string;
}

const EXTENSIONS = new Set(['.json', '.yaml', '.yml']);

/** Parses one file's text: every YAML (or JSON) document, Lists flattened, empty documents skipped. */
export function parseManifests(text: string, source: string): Manifest[] {
  const out: Manifest[] = [];
  for (const doc of parseAllDocuments(text)) {
    if (doc.errors.length > 0) {
      throw new CliError(`error parsing ${source}: ${doc.errors[0]!.message.split('\n')[0]}`);
    }
    const value: unknown = doc.toJS();
    if (value === null || value === undefined) continue;
    if (!isObject(value)) throw new CliError(`error parsing ${source}: the document is not an object`);
    flatten(value as KObject, source, out);
  }
  return out;
}

function flatten(obj: KObject, source: string, out: Manifest[]): void {
  if (typeof obj.kind === 'string' && obj.kind.endsWith('List') && Array.isArray(obj.items)) {
    for (const item of obj.items) if (isObject(item)) flatten(item as KObject, source, out);
    return;
  }
  if (!obj.kind) throw new CliError(`error validating data: kind not set; from "${source}"`);
  if (!obj.apiVersion) throw new CliError(`error validating data: apiVersion not set; from "${source}"`);
  out.push({ obj, source });
}

function filesIn(dir: string, recursive: boolean): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const p = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (recursive) out.push(...filesIn(p, recursive));
    } else if (EXTENSIONS.has(extname(entry.name))) {
      out.push(p);
    }
  }
  return out;
}

/** Every object named by the -f flags, in order. */
export async function readManifests(filenames: string[], io: IOStreams, recursive = false, verb = 'apply'): Promise<Manifest[]> {
  const out: Manifest[] = [];
  for (const f of filenames) {
    if (f === '-') {
      out.push(...parseManifests(await readAll(io.stdin), 'STDIN'));
      continue;
    }
    if (/^https?:\/\//.test(f)) throw new CliError(`reading manifests from URLs is not supported: ${f}`);
    const path = resolve(io.cwd, f);
    let st;
    try {
      st = statSync(path);
    } catch {
      throw new CliError(`the path "${f}" does not exist`);
    }
    const files = st.isDirectory() ? filesIn(path, recursive) : [path];
    for (const file of files) out.push(...parseManifests(readFileSync(file, 'utf8'), st.isDirectory() ? file : f));
  }
  if (out.length === 0) throw new CliError(`no objects passed to ${verb}`);
  return out;
}

/** The served resource for a manifest's apiVersion/kind, or kubectl's "no matches" error. */
export function infoForObject(m: Manifest): ResourceInfo {
  const info = findByKind(String(m.obj.apiVersion), String(m.obj.kind)) ?? findServedByKind(String(m.obj.apiVersion), String(m.obj.kind));
  if (!info) {
    throw new CliError(
      `resource mapping not found for name: "${m.obj.metadata?.name ?? ''}" namespace: "${m.obj.metadata?.namespace ?? ''}" from "${m.source}": no matches for kind "${m.obj.kind}" in version "${m.obj.apiVersion}"\nensure CRDs are installed first`,
    );
  }
  return info;
}

/** The namespace an object from a file goes to; a conflicting explicit --namespace is an error. */
export function namespaceForObject(obj: KObject, info: ResourceInfo, namespace: string, explicit: boolean): string | undefined {
  if (!info.namespaced) return undefined;
  const own = obj.metadata?.namespace;
  if (own && explicit && own !== namespace) {
    throw new CliError(
      `the namespace from the provided object "${own}" does not match the namespace "${namespace}". You must pass '--namespace=${own}' to perform this operation.`,
    );
  }
  return own || namespace;
}
