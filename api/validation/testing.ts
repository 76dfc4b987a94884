// Test helpers: default then validate an object the way the apiserver will.
import assert from 'node:assert/strict';
import { RESOURCES, type ResourceInfo } from '../resources.js';
import type { KObject } from '../types.js';
import type { StatusCause } from 'kubernetes-types/meta/v1';
import { applyDefaults } from '../defaults/index.js';
import { validateObjectCreate, validateObjectUpdate, validateStatusUpdate } from './index.js';

export function infoFor(kind: string): ResourceInfo {
  const info = RESOURCES.find((r) => r.kind === kind);
  assert.ok(info, `no resource for ${kind}`);
  return info;
}

export function clone<T>(v: T): T {
  return structuredClone(v);
}

/** Defaults a copy of obj and returns the create causes. */
export function createCauses(kind: string, obj: KObject): StatusCause[] {
  const o = clone(obj);
  applyDefaults(infoFor(kind), o);
  return validateObjectCreate(infoFor(kind), o);
}

export function updateCauses(kind: string, obj: KObject, old: KObject): StatusCause[] {
  const o = clone(obj);
  const p = clone(old);
  applyDefaults(infoFor(kind), o);
  applyDefaults(infoFor(kind), p);
  return validateObjectUpdate(infoFor(kind), o, p);
}

export function statusCauses(kind: string, obj: KObject, old: KObject): StatusCause[] {
  return validateStatusUpdate(infoFor(kind), obj, old);
}

/** `field: message` lines, as they appear in a 422 message. */
export function lines(causes: StatusCause[]): string[] {
  return causes.map((c) => `${c.field}: ${c.message}`);
}

/** Asserts some cause has this field and a message starting with `prefix`. */
export function assertCause(causes: StatusCause[], fieldPath: string, prefix: string, reason?: string): void {
  const hit = causes.find((c) => c.field === fieldPath && (c.message ?? '').startsWith(prefix) && (!reason || c.reason === reason));
  assert.ok(hit, `expected ${fieldPath}: ${prefix}… in\n${lines(causes).join('\n')}`);
}

/** Deep-merges `patch` into a copy of `base` (objects merge, everything else replaces). */
export function merge<T>(base: T, patch: unknown): T {
  const out = clone(base) as unknown;
  const walk = (target: Record<string, unknown>, src: Record<string, unknown>): void => {
    for (const [k, v] of Object.entries(src)) {
      const cur = target[k];
      if (v && typeof v === 'object' && !Array.isArray(v) && cur && typeof cur === 'object' && !Array.isArray(cur))
        walk(cur as Record<string, unknown>, v as Record<string, unknown>);
      else if (v === undefined) delete target[k];
      else target[k] = clone(v);
    }
  };
  walk(out as Record<string, unknown>, patch as Record<string, unknown>);
  return out as T;
}

/** Replaces the value at a dotted path (`a.b[0].c`) in a copy of `base`. */
export function set<T>(base: T, dotted: string, value: unknown): T {
  const out = clone(base) as unknown as Record<string, unknown>;
  const keys = dotted.replace(/\[(\d+)\]/g, '.$1').split('.');
  let cur = out;
  for (const k of keys.slice(0, -1)) {
    if (typeof cur[k] !== 'object' || cur[k] === null) cur[k] = {};
    cur = cur[k] as Record<string, unknown>;
  }
  cur[keys[keys.length - 1] ?? ''] = value;
  return out as unknown as T;
}
