// Parsing the editor's text: every YAML document must be an object with apiVersion, kind and
// metadata. Syntax errors carry the parser's line and column (yaml's linePos).
import { parseAllDocuments } from 'yaml';
import type { KObject } from './types.js';

export class YamlError extends Error {}

export function parseObjects(text: string): KObject[] {
  const docs = parseAllDocuments(text, { prettyErrors: true });
  const out: KObject[] = [];
  for (const [i, d] of (Array.isArray(docs) ? docs : [docs]).entries()) {
    const err = d.errors[0];
    if (err) {
      const pos = err.linePos?.[0];
      const where = pos ? `line ${pos.line}, column ${pos.col}` : `document ${i + 1}`;
      const msg = (err.message.split('\n')[0] ?? '').replace(/ at line \d+, column \d+:?$/, '');
      throw new YamlError(`YAML error at ${where}: ${msg}`);
    }
    const v: unknown = d.toJS();
    if (v === null || v === undefined) continue; // an empty document between ---
    if (typeof v !== 'object' || Array.isArray(v)) throw new YamlError(`document ${i + 1} is not an object`);
    const o = v as Partial<KObject>;
    if (typeof o.apiVersion !== 'string' || !o.apiVersion) throw new YamlError(`document ${i + 1}: apiVersion not set`);
    if (typeof o.kind !== 'string' || !o.kind) throw new YamlError(`document ${i + 1}: kind not set`);
    if (!o.metadata || typeof o.metadata !== 'object') throw new YamlError(`document ${i + 1}: metadata not set`);
    out.push(o as KObject);
  }
  if (!out.length) throw new YamlError('no object in the YAML');
  return out;
}
