// The -o printers besides tables: json, yaml, name, jsonpath, custom-columns, and the
// `kind.group/name` and `List` shapes kubectl wraps objects in.
import { stringify } from 'yaml';
import type { KObject } from '../../api/types.js';
import { CliError } from '../errors.js';
import { sortKeys } from '../../api/json.js';
import { goJsonIndent, goValue } from '../../api/go-format.js';
import { parseJsonPath, relaxedJsonPath } from '../../client/jsonpath.js';
import { TabWriter } from './tabwriter.js';

/** What yaml a `kubectl -o yaml` user sees: keys sorted, lists not indented, no line folding. */
export function toYaml(v: unknown): string {
  return stringify(sortKeys(v), { indentSeq: false, lineWidth: 0, minContentWidth: 0, version: '1.1', aliasDuplicateObjects: false });
}

/** kubectl's generic wrapper for several objects. */
export function asList(items: KObject[]): KObject {
  return { apiVersion: 'v1', items, kind: 'List', metadata: { resourceVersion: '' } };
}

export type OutputFormat =
  | { kind: 'table'; wide: boolean }
  | { kind: 'json' }
  | { kind: 'yaml' }
  | { kind: 'name' }
  | { kind: 'jsonpath'; template: string }
  | { kind: 'custom-columns'; spec: string };

/** Parses `-o`; undefined or '' means the human table. */
export function parseOutputFormat(o: string | undefined, allowed?: string[]): OutputFormat {
  if (!o) return { kind: 'table', wide: false };
  const eq = o.indexOf('=');
  const name = eq < 0 ? o : o.slice(0, eq);
  const arg = eq < 0 ? '' : o.slice(eq + 1);
  const known = ['json', 'yaml', 'name', 'wide', 'jsonpath', 'custom-columns', 'jsonpath-as-json', 'go-template', 'custom-columns-file', 'jsonpath-file'];
  if (allowed && !allowed.includes(name)) {
    throw new CliError(`unable to match a printer suitable for the output format "${o}", allowed formats are: ${allowed.join(',')}`);
  }
  switch (name) {
    case 'json':
    case 'yaml':
    case 'name':
      return { kind: name };
    case 'wide':
      return { kind: 'table', wide: true };
    case 'jsonpath':
      if (!arg) throw new CliError('template format specified but no template given');
      return { kind: 'jsonpath', template: arg };
    case 'custom-columns':
      if (!arg) throw new CliError('custom-columns format specified but no custom columns given');
      return { kind: 'custom-columns', spec: arg };
    default:
      throw new CliError(
        `unable to match a printer suitable for the output format "${o}", allowed formats are: ${known.filter((k) => !k.includes('go-template') && !k.endsWith('-file') && k !== 'jsonpath-as-json').sort().join(',')}`,
      );
  }
}

/** `pod/x`, `deployment.apps/web`. */
export function nameOf(obj: KObject): string {
  const [group] = String(obj.apiVersion ?? '').includes('/') ? String(obj.apiVersion).split('/') : [''];
  const kind = String(obj.kind ?? '').toLowerCase();
  return `${group ? `${kind}.${group}` : kind}/${obj.metadata?.name ?? ''}`;
}

interface CustomColumn {
  header: string;
  path: ReturnType<typeof parseJsonPath>;
}

export function parseCustomColumns(spec: string): CustomColumn[] {
  return spec.split(',').map((part) => {
    const colon = part.indexOf(':');
    if (colon < 0) throw new CliError(`unexpected custom-columns spec: ${part}, expected <header>:<json-path-expr>`);
    return { header: part.slice(0, colon), path: parseJsonPath(relaxedJsonPath(part.slice(colon + 1))) };
  });
}

/** Prints objects (or a List's items) in the generic formats; returns the text. */
export function printGeneric(obj: KObject, format: Exclude<OutputFormat, { kind: 'table' }>, noHeaders = false): string {
  const items = obj.kind === 'List' && Array.isArray(obj.items) ? (obj.items as KObject[]) : [obj];
  switch (format.kind) {
    case 'json':
      return goJsonIndent(obj) + '\n';
    case 'yaml':
      return toYaml(obj);
    case 'name':
      return items.map((i) => nameOf(i) + '\n').join('');
    case 'jsonpath':
      return parseJsonPath(format.template).execute(obj);
    case 'custom-columns': {
      const cols = parseCustomColumns(format.spec);
      let out = '';
      const w = new TabWriter({ write: (s: string) => (out += s) });
      if (!noHeaders) w.write(cols.map((c) => c.header).join('\t') + '\n');
      for (const item of items) {
        const cells = cols.map((c) => {
          const found = c.path.findResults(item);
          const values = found.flat();
          if (values.length === 0) return '<none>';
          return values.map((v) => goValue(v)).join(',');
        });
        w.write(cells.join('\t') + '\n');
      }
      w.flush();
      return out;
    }
  }
}
