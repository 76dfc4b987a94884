// -o for objects kubectl holds as Go structs rather than as unstructured maps (the replies of
// `auth whoami` and `create token`): JSON keeps the struct's field order (maps are sorted),
// zero structs print as null, and only the generic printers (kubectl's PrintFlags) exist.
import type { KObject } from '../../api/types.js';
import { CliError } from '../errors.js';
import { sortKeys } from '../../api/json.js';
import { parseJsonPath } from '../../client/jsonpath.js';
import { toYaml } from './output.js';

const PRINT_FLAGS_FORMATS = 'go-template,go-template-file,json,jsonpath,jsonpath-as-json,jsonpath-file,name,template,templatefile,yaml';

type Json = Record<string, unknown>;

/** metav1.ObjectMeta in Go's field order; creationTimestamp is a struct, so null when unset. */
export function typedObjectMeta(m: Json | undefined): Json {
  const src = m ?? {};
  const out: Json = {};
  for (const k of ['name', 'generateName', 'namespace', 'selfLink', 'uid', 'resourceVersion', 'generation']) if (src[k]) out[k] = src[k];
  out.creationTimestamp = src.creationTimestamp ?? null;
  for (const k of ['deletionTimestamp', 'deletionGracePeriodSeconds']) if (src[k] !== undefined && src[k] !== null) out[k] = src[k];
  for (const k of ['labels', 'annotations']) if (src[k] && Object.keys(src[k] as Json).length) out[k] = sortKeys(src[k]);
  for (const k of ['ownerReferences', 'finalizers', 'managedFields']) if (Array.isArray(src[k]) && (src[k] as unknown[]).length) out[k] = src[k];
  return out;
}

function htmlSafe(s: string): string {
  return s.replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** json.MarshalIndent of a struct: keys in the order they were built. */
export function typedJson(obj: unknown): string {
  return `${htmlSafe(JSON.stringify(obj, null, 4))}\n`;
}

/** Prints a typed object with `-o`; `group` qualifies the name printer's kind. */
export function printTyped(obj: KObject, output: string, group: string): string {
  const eq = output.indexOf('=');
  const name = eq < 0 ? output : output.slice(0, eq);
  const arg = eq < 0 ? '' : output.slice(eq + 1);
  switch (name) {
    case 'json':
      return typedJson(obj);
    case 'yaml':
      return toYaml(obj);
    case 'name': {
      const kind = String(obj.kind ?? '').toLowerCase();
      return `${group ? `${kind}.${group}` : kind}/${obj.metadata?.name || '<unknown>'}\n`;
    }
    case 'jsonpath':
      if (!arg) throw new CliError('template format specified but no template given');
      return parseJsonPath(arg).execute(obj);
    case 'go-template':
    case 'go-template-file':
    case 'template':
    case 'templatefile':
    case 'jsonpath-as-json':
    case 'jsonpath-file':
      throw new CliError(`--output ${name} is not supported by kc`);
    default:
      throw new CliError(`unable to match a printer suitable for the output format "${output}", allowed formats are: ${PRINT_FLAGS_FORMATS}`);
  }
}

/** Validates `-o` before any request, as kubectl builds its printer first. */
export function checkTypedOutput(output: string): void {
  const name = output.split('=')[0]!;
  if (!['json', 'yaml', 'name', 'jsonpath'].includes(name)) printTyped({ kind: '' } as KObject, output, '');
  if (name === 'jsonpath' && !output.slice('jsonpath='.length)) throw new CliError('template format specified but no template given');
}
