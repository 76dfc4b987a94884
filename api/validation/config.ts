// ConfigMap, Secret and ServiceAccount rules (pkg/apis/core/validation).
import { type ErrorList, Path, field, asRecord, asString } from './field.js';
import { isConfigMapKey, nameIsDNSSubdomain } from './names.js';
import { validateObjectMeta, validateObjectMetaUpdate } from './meta.js';
import { semanticEqual } from './equal.js';

type Obj = Record<string, unknown>;
/** core.MaxSecretSize: both ConfigMaps and Secrets are capped at 1 MiB of data. */
export const MAX_SECRET_SIZE = 1024 * 1024;
const IMMUTABLE_WHEN_SET = 'field is immutable when `immutable` is set';
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

function decodedLength(b64: string): number {
  return Buffer.from(b64, 'base64').length;
}

export function validateConfigMap(cm: Obj): ErrorList {
  const errs = validateObjectMeta(cm['metadata'], true, nameIsDNSSubdomain, Path.root('metadata'));
  const data = asRecord(cm['data']);
  const binary = asRecord(cm['binaryData']);
  let total = 0;
  for (const [key, value] of Object.entries(data)) {
    const p = Path.root('data').key(key);
    for (const m of isConfigMapKey(key)) errs.push(field.invalid(p, key, m));
    if (key in binary) errs.push(field.invalid(p, key, 'duplicate of key present in binaryData'));
    total += Buffer.byteLength(asString(value));
  }
  for (const [key, value] of Object.entries(binary)) {
    const p = Path.root('binaryData').key(key);
    for (const m of isConfigMapKey(key)) errs.push(field.invalid(p, key, m));
    if (!BASE64.test(asString(value))) errs.push(field.invalid(p, '<binary data redacted>', 'illegal base64 data'));
    total += decodedLength(asString(value));
  }
  if (total > MAX_SECRET_SIZE) errs.push(field.tooLong(Path.root(''), MAX_SECRET_SIZE));
  return errs;
}

function validateImmutableData(obj: Obj, old: Obj, fields: readonly string[]): ErrorList {
  if (old['immutable'] !== true) return [];
  const errs: ErrorList = [];
  if (obj['immutable'] !== true) errs.push(field.forbidden(Path.root('immutable'), IMMUTABLE_WHEN_SET));
  for (const f of fields) if (!semanticEqual(obj[f], old[f])) errs.push(field.forbidden(Path.root(f), IMMUTABLE_WHEN_SET));
  return errs;
}

export function validateConfigMapUpdate(cm: Obj, old: Obj): ErrorList {
  const errs = validateObjectMetaUpdate(cm['metadata'], old['metadata'], Path.root('metadata'));
  errs.push(...validateImmutableData(cm, old, ['data', 'binaryData']));
  errs.push(...validateConfigMap(cm).filter((e) => !e.field.startsWith('metadata.')));
  return errs;
}

/** Keys each well-known Secret type must carry in `data`. */
const REQUIRED_SECRET_KEYS: Record<string, string[]> = {
  'kubernetes.io/dockercfg': ['.dockercfg'],
  'kubernetes.io/dockerconfigjson': ['.dockerconfigjson'],
  'kubernetes.io/ssh-auth': ['ssh-privatekey'],
  'kubernetes.io/tls': ['tls.crt', 'tls.key'],
};

export function validateSecret(secret: Obj): ErrorList {
  const errs = validateObjectMeta(secret['metadata'], true, nameIsDNSSubdomain, Path.root('metadata'));
  const data = asRecord(secret['data']);
  let total = 0;
  for (const [key, value] of Object.entries(data)) {
    const p = Path.root('data').key(key);
    for (const m of isConfigMapKey(key)) errs.push(field.invalid(p, key, m));
    // Secret values travel base64-encoded in JSON; k8s rejects anything else while decoding.
    if (!BASE64.test(asString(value))) errs.push(field.invalid(p, '<secret contents redacted>', 'illegal base64 data'));
    total += decodedLength(asString(value));
  }
  if (total > MAX_SECRET_SIZE) errs.push(field.tooLong(Path.root('data'), MAX_SECRET_SIZE));
  const type = asString(secret['type']);
  const annotations = asRecord(asRecord(secret['metadata'])['annotations']);
  if (type === 'kubernetes.io/service-account-token' && !asString(annotations['kubernetes.io/service-account.name']))
    errs.push(field.required(Path.root('metadata', 'annotations').key('kubernetes.io/service-account.name')));
  if (type === 'kubernetes.io/basic-auth' && !('username' in data) && !('password' in data)) {
    errs.push(field.required(Path.root('data').key('username')));
    errs.push(field.required(Path.root('data').key('password')));
  }
  for (const key of REQUIRED_SECRET_KEYS[type] ?? []) if (!(key in data)) errs.push(field.required(Path.root('data').key(key)));
  return errs;
}

export function validateSecretUpdate(secret: Obj, old: Obj): ErrorList {
  const errs = validateObjectMetaUpdate(secret['metadata'], old['metadata'], Path.root('metadata'));
  if (asString(secret['type']) !== asString(old['type'])) errs.push(field.invalid(Path.root('type'), asString(secret['type']), 'field is immutable'));
  errs.push(...validateImmutableData(secret, old, ['data']));
  errs.push(...validateSecret(secret).filter((e) => !e.field.startsWith('metadata.')));
  return errs;
}
