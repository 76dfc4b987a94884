// --encryption-provider-config: the EncryptionConfiguration file (apiserver.config.k8s.io/v1),
// YAML or JSON, read and validated once at start-up as Kubernetes does
// (pkg/server/options/encryptionconfig, apis/apiserver/validation/validation_encryption.go).
// Any problem refuses the start with one line naming the field; secrets are never echoed.
import { readFileSync } from 'node:fs';
import { parse as parseYAML } from 'yaml';
import { AES_KEY_SIZES } from './aes.js';

export const API_VERSION = 'apiserver.config.k8s.io/v1';
export const KIND = 'EncryptionConfiguration';

export interface Key {
  name: string;
  /** base64 of 16, 24 or 32 bytes. */
  secret: string;
}
export interface AESConfiguration {
  keys: Key[];
}
export type ProviderConfiguration = { aescbc: AESConfiguration } | { aesgcm: AESConfiguration } | { identity: Record<string, never> };
export interface ResourceConfiguration {
  /** `secrets`, `deployments.apps`, `*.apps`, `*.` (all of core), `*.*` (everything). */
  resources: string[];
  /** In order: the first one writes, all of them read. */
  providers: ProviderConfiguration[];
}
export interface EncryptionConfiguration {
  apiVersion: typeof API_VERSION;
  kind: typeof KIND;
  resources: ResourceConfiguration[];
}

export class EncryptionConfigError extends Error {}

const SUPPORTED = ['aescbc', 'aesgcm', 'identity'] as const;
const UNSUPPORTED = ['kms', 'secretbox'] as const;

export interface GroupResource {
  group: string;
  resource: string;
}

/** `deployments.apps` → {apps, deployments}; `secrets` → {'', secrets}; `*.` → {'', *}. */
export function parseGroupResource(s: string): GroupResource {
  const i = s.indexOf('.');
  return i < 0 ? { group: '', resource: s } : { group: s.slice(i + 1), resource: s.slice(0, i) };
}

/** How Kubernetes writes a group resource back in messages: `secrets`, `*.`, `*.apps`. */
export function groupResourceString(gr: GroupResource): string {
  if (gr.group === '' && gr.resource === '*') return '*.';
  return gr.group ? `${gr.resource}.${gr.group}` : gr.resource;
}

export function loadEncryptionConfiguration(path: string): EncryptionConfiguration {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new EncryptionConfigError(`error opening encryption provider configuration file "${path}": ${(e as Error).message}`);
  }
  try {
    return parseEncryptionConfiguration(text);
  } catch (e) {
    if (e instanceof EncryptionConfigError) throw new EncryptionConfigError(`error while parsing encryption provider configuration file "${path}": ${e.message}`);
    throw e;
  }
}

/** Parses and validates; throws EncryptionConfigError with every problem on one line. */
export function parseEncryptionConfiguration(text: string): EncryptionConfiguration {
  if (text.trim() === '') throw new EncryptionConfigError('the file is empty');
  let doc: unknown;
  try {
    doc = parseYAML(text);
  } catch (e) {
    throw new EncryptionConfigError(`not valid YAML or JSON: ${String((e as Error).message).split('\n')[0]}`);
  }
  if (!isObject(doc)) throw new EncryptionConfigError(`expected an ${KIND} object`);
  if (doc.apiVersion !== API_VERSION || doc.kind !== KIND) {
    const what = doc.apiVersion !== API_VERSION ? `apiVersion: Unsupported value: ${show(doc.apiVersion)}: supported values: "${API_VERSION}"` : `kind: Unsupported value: ${show(doc.kind)}: supported values: "${KIND}"`;
    throw new EncryptionConfigError(what);
  }
  const errs: string[] = [];
  validate(doc, errs);
  if (errs.length === 1) throw new EncryptionConfigError(errs[0]);
  if (errs.length > 1) throw new EncryptionConfigError(`[${errs.join(', ')}]`);
  return doc as unknown as EncryptionConfiguration;
}

function validate(doc: Record<string, unknown>, errs: string[]): void {
  const entries = doc.resources;
  if (!Array.isArray(entries) || entries.length === 0) {
    errs.push('resources: Required value: at least one resources is required');
    return;
  }
  entries.forEach((entry, i) => {
    const path = `resources[${i}]`;
    if (!isObject(entry)) {
      errs.push(`${path}: Invalid value: must be an object with resources and providers`);
      return;
    }
    validateResources(entry.resources, `${path}.resources`, errs);
    validateProviders(entry.providers, `${path}.providers`, errs);
  });
  if (errs.length === 0) validateMasking(entries as ResourceConfiguration[], errs);
}

function validateResources(resources: unknown, path: string, errs: string[]): void {
  if (!Array.isArray(resources) || resources.length === 0) {
    errs.push(`${path}: Required value: at least one ${path} is required`);
    return;
  }
  if (!resources.every((r) => typeof r === 'string')) {
    errs.push(`${path}: Invalid value: every resource must be a string`);
    return;
  }
  const names = resources as string[];
  validateOverlap(names, path, errs);
  names.forEach((name, j) => {
    const p = `${path}[${j}]`;
    const gr = parseGroupResource(name);
    const bad = (why: string) => errs.push(`${p}: Invalid value: ${show(name)}: ${why}`);
    if (name === '') errs.push(`${p}: Required value: resource name must not be empty`);
    else if (name.toLowerCase() !== name) bad('resource name should not contain capital letters');
    else if (name === '*') bad("use '*.' to encrypt all the resources from core API group or *.* to encrypt all resources");
    else if (['apiserveripinfo', 'serviceipallocations', 'servicenodeportallocations'].includes(name)) bad('resources which do not have REST API/s cannot be encrypted');
    else if (gr.group === 'events.k8s.io') bad("'*.events.k8s.io' objects are stored using the 'events' API group in etcd. Use 'events' instead in the config file");
    else if (gr.group === 'extensions') bad("'extensions' group has been removed and cannot be used for encryption");
    else if (gr.group === '*' && gr.resource !== '*') bad('encrypting the same resource across groups is not supported');
  });
}

/** Within one entry: the same resource twice, or a wildcard next to what it covers. */
function validateOverlap(names: string[], path: string, errs: string[]): void {
  const grs = names.map(parseGroupResource);
  const same = (a: GroupResource, b: GroupResource) => a.group === b.group && a.resource === b.resource;
  let duplicate = false;
  let overlap = false;
  for (let i = 0; i < grs.length; i++) {
    for (let j = 0; j < grs.length; j++) {
      if (i === j) continue;
      const [a, b] = [grs[i]!, grs[j]!];
      if (same(a, b)) duplicate = true;
      else if ((a.group === '*' && a.resource === '*') || (a.group === b.group && (a.resource === '*' || b.resource === '*'))) overlap = true;
    }
  }
  if (duplicate) errs.push(`${path}: Invalid value: ${show(names)}: the same resource cannot be specified multiple times`);
  if (overlap) errs.push(`${path}: Invalid value: ${show(names)}: using overlapping resources such as 'secrets' and '*.' in the same resource list is not allowed as they will be masked`);
}

function validateProviders(providers: unknown, path: string, errs: string[]): void {
  if (!Array.isArray(providers) || providers.length === 0) {
    errs.push(`${path}: Required value: at least one ${path} is required`);
    return;
  }
  // Key names per provider type in this entry: a prefix must lead to one key.
  const keyNames = { aescbc: new Set<string>(), aesgcm: new Set<string>() };
  providers.forEach((provider, j) => {
    const p = `${path}[${j}]`;
    if (!isObject(provider)) {
      errs.push(`${p}: Invalid value: must be an object with one of: ${SUPPORTED.join(', ')}`);
      return;
    }
    const nulls = Object.keys(provider).filter((k) => provider[k] === null);
    if (nulls.length) {
      errs.push(`${p}.${nulls[0]}: Invalid value: null: must be an object (write "${nulls[0]}: {}" for identity)`);
      return;
    }
    const types = Object.keys(provider).filter((k) => provider[k] !== undefined);
    const known = types.filter((t) => (SUPPORTED as readonly string[]).includes(t) || (UNSUPPORTED as readonly string[]).includes(t));
    if (known.length === 0) {
      const unknown = types.length ? ` (unknown field ${types.map((t) => `"${t}"`).join(', ')})` : '';
      errs.push(`${p}: Invalid value: provider does not contain any of the expected providers: ${SUPPORTED.join(', ')}${unknown}`);
      return;
    }
    if (known.length > 1) {
      errs.push(`${p}: Invalid value: more than one provider specified in a single element, should split into different list elements`);
      return;
    }
    const type = known[0]!;
    if ((UNSUPPORTED as readonly string[]).includes(type)) {
      errs.push(`${p}.${type}: Unsupported value: "${type}": tskube does not implement the ${type} provider; supported values: ${SUPPORTED.map((s) => `"${s}"`).join(', ')}`);
      return;
    }
    if (type === 'aescbc' || type === 'aesgcm') validateKeys(provider[type], `${p}.${type}`, keyNames[type], errs);
  });
}

function validateKeys(aes: unknown, path: string, seen: Set<string>, errs: string[]): void {
  const keys = isObject(aes) ? aes.keys : undefined;
  if (!Array.isArray(keys) || keys.length === 0) {
    errs.push(`${path}.keys: Required value: at least one keys is required`);
    return;
  }
  keys.forEach((key, k) => {
    const p = `${path}.keys[${k}]`;
    if (!isObject(key)) {
      errs.push(`${p}: Invalid value: must be an object with name and secret`);
      return;
    }
    const name = key.name;
    if (typeof name !== 'string' || name === '') errs.push(`${p}.name: Required value: name is a mandatory field for a key`);
    else if (seen.has(name)) errs.push(`${p}.name: Duplicate value: ${show(name)}`);
    else seen.add(name);
    const secret = key.secret;
    if (typeof secret !== 'string' || secret === '') {
      errs.push(`${p}.secret: Required value: secret is a mandatory field for a key`);
      return;
    }
    const bytes = decodeBase64Strict(secret);
    if (!bytes) errs.push(`${p}.secret: Invalid value: "REDACTED": secrets must be base64 encoded`);
    else if (!(AES_KEY_SIZES as readonly number[]).includes(bytes.length)) {
      errs.push(`${p}.secret: Invalid value: "REDACTED": secret is not of the expected length, got ${bytes.length}, expected one of [${AES_KEY_SIZES.join(' ')}]`);
    }
  });
}

/**
 * Across entries, as Kubernetes 1.27+: a resource after a `*.<group>` or `*.*` that already
 * covers it would never be used, so it is an error. (The same exact resource in two entries
 * is allowed: its providers are the first entry's, then the second's.)
 */
function validateMasking(entries: ResourceConfiguration[], errs: string[]): void {
  const seen = new Set<string>();
  entries.forEach((entry, i) => {
    entry.resources.forEach((name, j) => {
      const gr = parseGroupResource(name);
      const groupWide = groupResourceString({ group: gr.group, resource: '*' });
      for (const earlier of [groupWide, '*.*']) {
        if (seen.has(earlier)) {
          errs.push(`resources[${i}].resources[${j}]: Invalid value: ${show(name)}: resource "${groupResourceString(gr)}" is masked by earlier rule "${earlier}"`);
          break;
        }
      }
      seen.add(groupResourceString(gr));
    });
  });
}

/** Strict standard base64 (padding required), as Go's base64.StdEncoding; newlines ignored. */
export function decodeBase64Strict(s: string): Buffer | undefined {
  const t = s.replace(/[\r\n]/g, '');
  if (t.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(t)) return undefined;
  return Buffer.from(t, 'base64');
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function show(v: unknown): string {
  if (Array.isArray(v)) return `[]string{${v.map((x) => JSON.stringify(String(x))).join(', ')}}`;
  return v === undefined ? '""' : JSON.stringify(v);
}
