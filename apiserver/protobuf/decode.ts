// Kubernetes protobuf request bodies (`application/vnd.kubernetes.protobuf`) → the JSON object
// the rest of the apiserver handles. The envelope is the magic `k8s\0` and a runtime.Unknown
// {typeMeta{apiVersion, kind}, raw, contentEncoding, contentType}; `raw` is the object's own
// message, decoded with the table in messages.ts the way Go's JSON encoding would print the
// struct: zero scalars are omitted unless the Go field is a pointer. Anything outside the table
// is refused with 415 (so nothing is silently lost); a malformed body is a 400.
import protobuf from 'protobufjs/minimal.js';
import { errors, StatusError } from '../../api/status.js';
import { MESSAGES, ROOTS, type FieldSpec } from './messages.js';
import { metaTime } from '../../api/time.js';

const MAGIC = Buffer.from('k8s\0', 'latin1');
const USE_JSON = 'send it as JSON or YAML instead (kubectl create -f / apply -f)';

// The wire format (varints, length-delimited fields, skipping) is protobufjs's Reader; what
// this file adds is Kubernetes' own: the envelope, the field tables and Go's JSON rules.
type Reader = protobuf.Reader;
const newReader = (buf: Uint8Array): Reader => protobuf.Reader.create(buf);

function done(r: Reader): boolean {
  return r.pos >= r.len;
}

function bytesOf(r: Reader): Buffer {
  const b = r.bytes();
  return Buffer.isBuffer(b) ? b : Buffer.from(b.buffer, b.byteOffset, b.length);
}

/** A skipped field; groups (wire types 3 and 4, never sent by Kubernetes) are malformed. */
function skip(r: Reader, wire: number): void {
  if (wire !== 0 && wire !== 1 && wire !== 2 && wire !== 5) throw malformed();
  r.skipType(wire);
}

/** Every (field, wire type) in order, calling `on` to consume the value. */
function fields(r: Reader, on: (field: number, wire: number) => void): void {
  while (!done(r)) {
    const key = r.uint32();
    const field = key >>> 3;
    if (field === 0) throw malformed();
    on(field, key & 7);
  }
}

/** A signed 64-bit varint as a JSON number (as Go's encoding/json prints an int64). */
function int64(r: Reader): number {
  const v = r.int64();
  return typeof v === 'number' ? v : Number(BigInt(v.toString()));
}

/** protobufjs's own errors (a truncated or overlong varint or field, a bad wire type) → 400; anything else passes. */
function asStatus(e: unknown): unknown {
  if (e instanceof RangeError || (e instanceof Error && /^invalid (varint encoding|wire type)/.test(e.message))) return malformed();
  return e;
}

function malformed(): StatusError {
  return errors.badRequest('the protobuf request body is malformed');
}

function unsupported(what: string): StatusError {
  return errors.unsupportedMediaType('application/vnd.kubernetes.protobuf', ` (tskube decodes protobuf only for what kubectl's generator commands send; ${what}: ${USE_JSON})`);
}

type Json = string | number | boolean | Json[] | { [k: string]: Json };

/** One scalar or special value of `type` at the reader's position. */
function readValue(r: Reader, wire: number, type: string, path: string): Json {
  switch (type) {
    case 'string':
      return expectWire(wire, 2, path) && bytesOf(r).toString('utf8');
    case 'bytes':
      return expectWire(wire, 2, path) && bytesOf(r).toString('base64');
    case 'int32':
      return expectWire(wire, 0, path) && r.int32();
    case 'int64':
      return expectWire(wire, 0, path) && int64(r);
    case 'bool':
      return expectWire(wire, 0, path) && r.bool();
    case 'quantity': {
      expectWire(wire, 2, path);
      const q = newReader(bytesOf(r));
      let s = '';
      fields(q, (f, w) => {
        if (f !== 1) throw unsupported(`field ${f} of ${path}`);
        s = readValue(q, w, 'string', path) as string;
      });
      return s;
    }
    default:
      if (type.startsWith('.')) return expectWire(wire, 2, path) && decodeFields(bytesOf(r), type.slice(1), path);
      throw unsupported(`${path} (${type})`);
  }
}

function expectWire(wire: number, want: number, path: string): true {
  if (wire !== want) throw errors.badRequest(`the protobuf request body is malformed: ${path} has wire type ${wire}, expected ${want}`);
  return true;
}

/** intOrString {type, intVal, strVal} → a number or a string. */
function readIntOrString(buf: Buffer, path: string): number | string {
  const r = newReader(buf);
  let isString = false;
  let n = 0;
  let s = '';
  fields(r, (f, w) => {
    if (f === 1) isString = (readValue(r, w, 'int64', path) as number) === 1;
    else if (f === 2) n = readValue(r, w, 'int32', path) as number;
    else if (f === 3) s = readValue(r, w, 'string', path) as string;
    else throw unsupported(`field ${f} of ${path}`);
  });
  return isString ? s : n;
}

/** meta/v1 Time {seconds, nanos} → RFC 3339, or undefined for the zero time (JSON null). */
function readTime(buf: Buffer, path: string): string | undefined {
  const r = newReader(buf);
  let seconds = 0;
  fields(r, (f, w) => {
    if (f === 1) seconds = readValue(r, w, 'int64', path) as number;
    else if (f === 2) readValue(r, w, 'int32', path);
    else throw unsupported(`field ${f} of ${path}`);
  });
  if (seconds === 0) return undefined;
  const t = new Date(seconds * 1000);
  if (Number.isNaN(t.getTime())) throw errors.badRequest(`the protobuf request body is malformed: ${path} is out of range`);
  return metaTime(t);
}

/** A map entry {key = 1, value = 2}. */
function readMapEntry(buf: Buffer, valueType: string, path: string): [string, Json] {
  const r = newReader(buf);
  let key = '';
  let value: Json = '';
  fields(r, (f, w) => {
    if (f === 1) key = readValue(r, w, 'string', path) as string;
    else if (f === 2) value = readValue(r, w, valueType, `${path}[${key}]`);
    else throw unsupported(`field ${f} of ${path}`);
  });
  return [key, value];
}

const MAP_VALUE: Record<string, string> = { map: 'string', mapBytes: 'bytes', mapQuantity: 'quantity' };

function isZero(v: Json): boolean {
  return v === '' || v === 0 || v === false;
}

/** A message's bytes → its JSON object. */
export function decodeMessage(buf: Buffer, message: string, path = message): { [k: string]: Json } {
  try {
    return decodeFields(buf, message, path);
  } catch (e) {
    throw asStatus(e);
  }
}

function decodeFields(buf: Buffer, message: string, path: string): { [k: string]: Json } {
  const spec = MESSAGES[message];
  if (!spec) throw unsupported(`message ${message}`);
  const out: { [k: string]: Json } = {};
  const r = newReader(buf);
  fields(r, (field, wire) => {
    const f: FieldSpec | undefined = spec[field];
    if (!f) throw unsupported(`field ${field} of ${path}`);
    const [name, type = 'string', flags = ''] = f;
    const at = `${path}.${name}`;
    if (flags.includes('s')) return skip(r, wire);
    if (type in MAP_VALUE) {
      expectWire(wire, 2, at);
      const [k, v] = readMapEntry(bytesOf(r), MAP_VALUE[type]!, at);
      ((out[name] ??= {}) as { [k: string]: Json })[k] = v;
      return;
    }
    if (type === 'time' || type === 'intOrString') {
      expectWire(wire, 2, at);
      const v = type === 'time' ? readTime(bytesOf(r), at) : readIntOrString(bytesOf(r), at);
      if (v !== undefined) out[name] = v;
      return;
    }
    if (flags.includes('r')) {
      const list = (out[name] ??= []) as Json[];
      // Packed repeated numbers arrive as one length-delimited run.
      if (wire === 2 && (type === 'int32' || type === 'int64' || type === 'bool')) {
        const packed = newReader(bytesOf(r));
        while (!done(packed)) list.push(readValue(packed, 0, type, at));
      } else list.push(readValue(r, wire, type, at));
      return;
    }
    const v = readValue(r, wire, type, at);
    if (isZero(v) && !flags.includes('p')) delete out[name];
    else out[name] = v;
  });
  return out;
}

/** Decodes a whole `k8s\0` request body into a JSON object with apiVersion and kind. */
export function decodeProtobufBody(body: Buffer | undefined): Record<string, unknown> {
  if (!body || body.length < MAGIC.length || !body.subarray(0, MAGIC.length).equals(MAGIC)) {
    throw errors.badRequest('the protobuf request body does not start with the Kubernetes magic "k8s\\x00"');
  }
  let envelope: { apiVersion: string; kind: string; raw: Buffer | undefined; encoding: string };
  try {
    envelope = readUnknown(body.subarray(MAGIC.length));
  } catch (e) {
    throw asStatus(e);
  }
  const { apiVersion, kind, raw, encoding } = envelope;
  if (encoding) throw unsupported(`content encoding ${encoding}`);
  const root = ROOTS[`${apiVersion}/${kind}`];
  if (!root) throw unsupported(`${kind || 'an object'} of ${apiVersion || 'no apiVersion'}`);
  return { apiVersion, kind, ...decodeMessage(raw ?? Buffer.alloc(0), root, kind) };
}

/** runtime.Unknown {typeMeta{apiVersion, kind}, raw, contentEncoding, contentType}. */
function readUnknown(buf: Buffer): { apiVersion: string; kind: string; raw: Buffer | undefined; encoding: string } {
  const r = newReader(buf);
  let apiVersion = '';
  let kind = '';
  let raw: Buffer | undefined;
  let encoding = '';
  fields(r, (field, wire) => {
    if (field === 1) {
      expectWire(wire, 2, 'Unknown.typeMeta');
      const t = newReader(bytesOf(r));
      fields(t, (f, w) => {
        if (f === 1) apiVersion = readValue(t, w, 'string', 'typeMeta.apiVersion') as string;
        else if (f === 2) kind = readValue(t, w, 'string', 'typeMeta.kind') as string;
        else skip(t, w);
      });
    } else if (field === 2) raw = expectWire(wire, 2, 'Unknown.raw') && bytesOf(r);
    else if (field === 3) encoding = readValue(r, wire, 'string', 'Unknown.contentEncoding') as string;
    else skip(r, wire);
  });
  return { apiVersion, kind, raw, encoding };
}
