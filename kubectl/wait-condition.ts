// kubectl wait's conditions as pure checks: `condition=Ready[=True]`, `delete`,
// `jsonpath={.status.phase}=Running` (or just existence of the path).
import type { KObject } from '../api/types.js';
import { CliError } from './errors.js';
import { parseJsonPath, relaxedJsonPath } from '../client/jsonpath.js';

export type WaitFor =
  | { kind: 'delete' }
  | { kind: 'condition'; type: string; status: string }
  | { kind: 'jsonpath'; path: string; value?: string }
  | { kind: 'create' };

export function parseWaitFor(s: string | undefined): WaitFor {
  if (!s) throw new CliError('--for must be specified (condition=…, delete, jsonpath=…, create)');
  const lower = s.toLowerCase();
  if (lower === 'delete') return { kind: 'delete' };
  if (lower === 'create') return { kind: 'create' };
  if (lower.startsWith('condition=')) {
    const rest = s.slice('condition='.length);
    const eq = rest.indexOf('=');
    const type = eq < 0 ? rest : rest.slice(0, eq);
    if (!type) throw new CliError(`--for=condition requires a condition name`);
    return { kind: 'condition', type, status: eq < 0 ? 'True' : rest.slice(eq + 1) };
  }
  if (lower.startsWith('jsonpath=')) {
    const rest = s.slice('jsonpath='.length);
    // The path ends at the `=` after its closing brace (or the first `=` without braces).
    const close = rest.startsWith('{') ? rest.indexOf('}') : -1;
    const eq = rest.indexOf('=', close < 0 ? 0 : close);
    const path = eq < 0 ? rest : rest.slice(0, eq);
    const value = eq < 0 ? undefined : rest.slice(eq + 1);
    if (!path) throw new CliError('jsonpath wait format must be --for=jsonpath=\'{.status.readyReplicas}\'=3');
    parseJsonPath(relaxedJsonPath(path));
    return { kind: 'jsonpath', path, ...(value !== undefined ? { value: value.replace(/^['"]|['"]$/g, '') } : {}) };
  }
  throw new CliError(`unrecognized condition: "${s}"`);
}

/** Whether `obj` (undefined: it does not exist) meets the wait. */
export function conditionMet(w: WaitFor, obj: KObject | undefined): boolean {
  if (w.kind === 'delete') return obj === undefined;
  if (!obj) return false;
  if (w.kind === 'create') return true;
  if (w.kind === 'condition') {
    const status = (obj.status ?? {}) as { conditions?: { type?: string; status?: string; observedGeneration?: number }[]; observedGeneration?: number };
    for (const c of status.conditions ?? []) {
      if (!c.type || c.type.toLowerCase() !== w.type.toLowerCase() || c.status === undefined) continue;
      const generation = obj.metadata?.generation;
      const observed = c.observedGeneration ?? status.observedGeneration;
      if (generation !== undefined && observed !== undefined && observed < generation) return false;
      return c.status.toLowerCase() === w.status.toLowerCase();
    }
    return false;
  }
  const found = parseJsonPath(relaxedJsonPath(w.path)).findResults(obj).flat();
  if (w.value === undefined) return found.length > 0;
  if (found.length !== 1) return false;
  const v = found[0];
  return (typeof v === 'object' ? JSON.stringify(v) : String(v)) === w.value;
}
