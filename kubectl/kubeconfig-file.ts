// kubeconfig files as documents, for `kc config`: merged the way kubectl merges them (the
// first file to name an entry wins), and edited in the file kubectl would write to.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { parse, stringify } from 'yaml';

export interface NamedEntry {
  name: string;
  [field: string]: unknown;
}

export interface RawKubeconfig {
  apiVersion?: string;
  kind?: string;
  'current-context'?: string;
  clusters?: NamedEntry[];
  contexts?: NamedEntry[];
  users?: NamedEntry[];
  preferences?: Record<string, unknown>;
  [field: string]: unknown;
}

export interface KubeconfigFile {
  path: string;
  doc: RawKubeconfig;
  exists: boolean;
}

export function readKubeconfigFiles(paths: string[]): KubeconfigFile[] {
  return paths.map((path) => {
    if (!existsSync(path)) return { path, doc: {}, exists: false };
    return { path, doc: (parse(readFileSync(path, 'utf8')) ?? {}) as RawKubeconfig, exists: true };
  });
}

/** kubectl's merge: first file wins per named entry and for current-context. */
export function mergeRaw(files: KubeconfigFile[]): RawKubeconfig {
  const out: RawKubeconfig = { apiVersion: 'v1', clusters: [], contexts: [], kind: 'Config', preferences: {}, users: [] };
  for (const { doc } of files) {
    if (!out['current-context'] && doc['current-context']) out['current-context'] = doc['current-context'];
    for (const part of ['clusters', 'contexts', 'users'] as const) {
      for (const e of doc[part] ?? []) if (e?.name && !out[part]!.some((x) => x.name === e.name)) out[part]!.push(e);
    }
  }
  for (const part of ['clusters', 'contexts', 'users'] as const) out[part]!.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return out;
}

/** The config kubectl prints: current context only (--minify), secrets hidden unless raw. */
export function viewConfig(merged: RawKubeconfig, opts: { minify?: boolean; raw?: boolean; context?: string }): RawKubeconfig {
  let cfg = structuredClone(merged);
  if (opts.minify) {
    const ctxName = opts.context ?? cfg['current-context'];
    const ctx = cfg.contexts?.find((c) => c.name === ctxName);
    if (!ctx) throw new Error(`current-context must exist in order to minify`);
    const c = (ctx.context ?? {}) as { cluster?: string; user?: string };
    cfg = {
      ...cfg,
      'current-context': ctxName,
      contexts: [ctx],
      clusters: cfg.clusters?.filter((x) => x.name === c.cluster),
      users: cfg.users?.filter((x) => x.name === c.user),
    };
  }
  if (!opts.raw) {
    for (const cl of cfg.clusters ?? []) {
      const c = cl.cluster as Record<string, unknown> | undefined;
      if (c?.['certificate-authority-data']) c['certificate-authority-data'] = 'DATA+OMITTED';
    }
    for (const u of cfg.users ?? []) {
      const user = u.user as Record<string, unknown> | undefined;
      if (!user) continue;
      for (const k of ['client-certificate-data', 'client-key-data']) if (user[k]) user[k] = 'DATA+OMITTED';
      for (const k of ['token', 'password']) if (user[k]) user[k] = 'REDACTED';
    }
  }
  return {
    apiVersion: cfg.apiVersion ?? 'v1',
    clusters: cfg.clusters ?? [],
    contexts: cfg.contexts ?? [],
    'current-context': cfg['current-context'] ?? '',
    kind: 'Config',
    preferences: cfg.preferences ?? {},
    users: cfg.users ?? [],
  };
}

/** The file that defines `current-context` (else the first), where kubectl writes it. */
export function fileForCurrentContext(files: KubeconfigFile[]): KubeconfigFile {
  return files.find((f) => f.doc['current-context']) ?? files.find((f) => f.exists) ?? files[0]!;
}

/** The file that defines the named entry (else the first), where kubectl writes changes to it. */
export function fileForEntry(files: KubeconfigFile[], part: 'clusters' | 'contexts' | 'users', name: string): KubeconfigFile {
  return files.find((f) => f.doc[part]?.some((e) => e.name === name)) ?? files.find((f) => f.exists) ?? files[0]!;
}

export function saveKubeconfigFile(file: KubeconfigFile): void {
  const doc: RawKubeconfig = { apiVersion: 'v1', kind: 'Config', ...file.doc };
  mkdirSync(dirname(file.path), { recursive: true });
  writeFileSync(file.path, stringify(doc, { indentSeq: false }), { mode: 0o600 });
}
