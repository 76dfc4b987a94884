// @peculiar/x509 wires its parts with tsyringe, which refuses to load without the Reflect
// metadata API (a decorator-era proposal Node does not ship). Import this module before
// @peculiar/x509. The maintained polyfill `reflect-metadata` is used when installed; until
// then the three functions tsyringe calls (defineMetadata, getOwnMetadata, getMetadata) are
// provided here over a WeakMap — nothing else in tskube reads Reflect metadata.
import { createRequire } from 'node:module';

type MetadataKey = unknown;
type Target = object;
type PropertyKey = string | symbol | undefined;

interface ReflectMetadata {
  defineMetadata(key: MetadataKey, value: unknown, target: Target, property?: PropertyKey): void;
  getOwnMetadata(key: MetadataKey, target: Target, property?: PropertyKey): unknown;
  getMetadata(key: MetadataKey, target: Target, property?: PropertyKey): unknown;
}

function installMinimal(): void {
  const store = new WeakMap<Target, Map<PropertyKey, Map<MetadataKey, unknown>>>();
  const own = (target: Target, property: PropertyKey, create: boolean): Map<MetadataKey, unknown> | undefined => {
    let byProperty = store.get(target);
    if (!byProperty && create) store.set(target, (byProperty = new Map()));
    let entries = byProperty?.get(property);
    if (!entries && create && byProperty) byProperty.set(property, (entries = new Map()));
    return entries;
  };
  const api: ReflectMetadata = {
    defineMetadata: (key, value, target, property) => void own(target, property, true)!.set(key, value),
    getOwnMetadata: (key, target, property) => own(target, property, false)?.get(key),
    getMetadata(key, target, property) {
      // Inherited metadata comes from the prototype chain, as in the proposal.
      for (let t: Target | null = target; t; t = Object.getPrototypeOf(t) as Target | null) {
        const entries = own(t, property, false);
        if (entries?.has(key)) return entries.get(key);
      }
      return undefined;
    },
  };
  Object.assign(Reflect, api);
}

if (typeof (Reflect as unknown as Partial<ReflectMetadata>).getMetadata !== 'function') {
  try {
    createRequire(import.meta.url)('reflect-metadata');
  } catch {
    installMinimal();
  }
}
