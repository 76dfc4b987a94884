// The resources the apiserver serves right now: the static table of built-ins (api/resources.ts)
// plus the versions of established CustomResourceDefinitions. Routing, discovery and OpenAPI ask
// it; built-ins never leave the static table. Each change makes a new `resources()` array, so
// caches keyed by that array (OpenAPI documents, their hashes and ETags) follow the CRDs.
import { RESOURCES, findResource, type ResourceInfo } from '../../api/resources.js';

const BUILTIN = new Set(RESOURCES.map((r) => `${r.group}/${r.resource}`));

export class ResourceRegistry {
  private readonly byCRD = new Map<string, ResourceInfo[]>();
  private byPath = new Map<string, ResourceInfo>();
  private snapshot: readonly ResourceInfo[] = RESOURCES;
  private readonly listeners = new Set<() => void>();

  /** Built-ins first, then custom resources by CRD name, each CRD's versions most preferred first. */
  resources(): readonly ResourceInfo[] {
    return this.snapshot;
  }

  /** The resource served at /apis/<group>/<version>/<resource> (or /api/v1/<resource>). */
  find(group: string, version: string, resource: string): ResourceInfo | undefined {
    const builtin = findResource(group, resource, version);
    if (builtin) return builtin;
    // A built-in group/resource is never a custom one, whatever the version.
    if (BUILTIN.has(`${group}/${resource}`)) return undefined;
    return this.byPath.get(`${group}/${version}/${resource}`);
  }

  /** Serves the versions of one CRD (replacing what it served before); [] stops serving it. */
  set(crdName: string, infos: ResourceInfo[]): void {
    const before = this.byCRD.get(crdName) ?? [];
    if (JSON.stringify(before) === JSON.stringify(infos)) return;
    if (infos.length) this.byCRD.set(crdName, infos);
    else this.byCRD.delete(crdName);
    const custom = [...this.byCRD.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).flatMap(([, v]) => v);
    this.byPath = new Map(custom.map((i) => [`${i.group}/${i.version}/${i.resource}`, i]));
    this.snapshot = Object.freeze([...RESOURCES, ...custom]);
    for (const l of this.listeners) l();
  }

  /** Called after every change of the served set. */
  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
