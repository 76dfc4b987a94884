// Objects from -f files made ready to send: resource, namespace (as kubectl fills it in), and
// the `kind.group/name` kubectl uses in every "created/configured/deleted" line.
import type { ResourceInfo } from '../api/resources.js';
import type { KObject } from '../api/types.js';
import { CliError } from './errors.js';
import type { Factory } from './factory.js';
import { infoForObject, namespaceForObject, type Manifest } from './manifests.js';
import { kindPrefix } from './resource-args.js';

export interface Prepared {
  info: ResourceInfo;
  namespace: string | undefined;
  name: string;
  obj: KObject;
  source: string;
}

export function prepare(m: Manifest, f: Factory): Prepared {
  const info = infoForObject(m);
  const namespace = namespaceForObject(m.obj, info, f.namespace, f.explicitNamespace);
  const obj = structuredClone(m.obj);
  if (namespace) obj.metadata = { ...obj.metadata, namespace };
  const name = obj.metadata?.name ?? '';
  if (!name && !obj.metadata?.generateName) throw new CliError(`error when retrieving current configuration of "${m.source}": resource name may not be empty`);
  return { info, namespace, name, obj, source: m.source };
}

export function displayName(info: ResourceInfo, name: string): string {
  return `${kindPrefix(info)}/${name}`;
}

/** `--dry-run=none|client|server` (a bare `--dry-run` means client, as kubectl's deprecated form). */
export type DryRun = 'none' | 'client' | 'server';

export function parseDryRun(v: unknown): DryRun {
  if (v === undefined || v === false || v === 'none' || v === 'false') return 'none';
  if (v === true || v === '' || v === 'client' || v === 'true') return 'client';
  if (v === 'server') return 'server';
  throw new CliError(`Invalid dry-run value (${String(v)}). Must be "none", "server", or "client".`);
}

export function dryRunSuffix(d: DryRun): string {
  return d === 'client' ? ' (dry run)' : d === 'server' ? ' (server dry run)' : '';
}
