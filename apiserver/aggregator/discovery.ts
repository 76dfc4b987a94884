// Discovery of aggregated groups (kube-aggregator's apis handler, apiGroupHandler and the
// aggregated discovery manager): /apis and /apis/<group> list every APIService's group and
// version, ordered by the APIServices' priorities; the aggregated document (apidiscovery v2)
// carries each backend's resources as last fetched from its /apis/<group>/<version> — marked
// Stale when the backend stopped answering, left out when it never did. Pure functions over
// the APIServices and a cache the availability controller fills.
import type { APIService } from '../../api/apiregistration.js';
import { sortedGroups, type SortedGroup } from './ordering.js';

/** An APIResourceList entry (legacy discovery). */
export interface APIResource {
  name: string;
  singularName?: string;
  namespaced: boolean;
  group?: string;
  version?: string;
  kind: string;
  verbs: string[];
  shortNames?: string[];
  categories?: string[];
}

interface CacheEntry {
  resources: APIResource[];
  fresh: boolean;
}

/** What each backend said its resources are, by APIService name. */
export class DiscoveryCache {
  private readonly entries = new Map<string, CacheEntry>();

  /** A backend answered with its APIResourceList. */
  update(name: string, body: Buffer): void {
    let list: { resources?: APIResource[] };
    try {
      list = JSON.parse(body.toString('utf8')) as { resources?: APIResource[] };
    } catch {
      this.markStale(name);
      return;
    }
    const resources = Array.isArray(list.resources) ? list.resources : [];
    this.entries.set(name, { resources, fresh: true });
  }

  markStale(name: string): void {
    const e = this.entries.get(name);
    if (!e || !e.fresh) return;
    e.fresh = false;
  }

  remove(name: string): void {
    this.entries.delete(name);
  }

  get(name: string): Readonly<CacheEntry> | undefined {
    return this.entries.get(name);
  }
}

interface GroupVersionDoc {
  groupVersion: string;
  version: string;
}
interface APIGroupDoc {
  name: string;
  versions: GroupVersionDoc[];
  preferredVersion?: GroupVersionDoc;
}

const remote = (s: APIService) => !!s.spec.service;

function groupDocOf(g: SortedGroup): APIGroupDoc {
  const versions = g.versions.map((s) => ({ groupVersion: `${g.group}/${s.spec.version}`, version: s.spec.version ?? '' }));
  return { name: g.group, versions, ...(versions[0] ? { preferredVersion: versions[0] } : {}) };
}

/**
 * Groups in discovery order: every APIService's group by priority (the built-in entries taken
 * from `base`, which knows their versions best), then base groups no APIService names yet.
 */
function orderGroups<T extends { name?: string }>(base: T[], services: readonly APIService[], remoteEntry: (g: SortedGroup) => T | undefined): T[] {
  const byName = new Map(base.map((b) => [b.name ?? '', b]));
  const out: T[] = [];
  const seen = new Set<string>();
  for (const g of sortedGroups(services)) {
    if (g.group === '' || seen.has(g.group)) continue;
    const own = byName.get(g.group);
    const remotes = g.versions.filter(remote);
    const entry = remotes.length > 0 && !own ? remoteEntry({ group: g.group, versions: remotes }) : own;
    if (!entry) continue;
    seen.add(g.group);
    out.push(entry);
  }
  for (const b of base) if (!seen.has(b.name ?? '')) out.push(b);
  return out;
}

/** GET /apis: the built-in APIGroupList with the aggregated groups merged in. */
export function mergeGroupList(base: { groups: APIGroupDoc[] }, services: readonly APIService[]): object {
  return { ...base, groups: orderGroups(base.groups, services, groupDocOf) };
}

/** GET /apis/<group> for a group served only by aggregated servers; undefined otherwise. */
export function remoteGroup(group: string, services: readonly APIService[]): object | undefined {
  const g = sortedGroups(services.filter((s) => remote(s) && s.spec.group === group))[0];
  return g ? { kind: 'APIGroup', apiVersion: 'v1', ...groupDocOf(g) } : undefined;
}

/** An APIResourceList's entries as one aggregated discovery version (APIVersionDiscovery). */
export function aggregatedVersion(group: string, version: string, e: Readonly<CacheEntry>): object {
  const top = e.resources.filter((r) => !r.name.includes('/'));
  const resources = top.map((r) => {
    const subs = e.resources.filter((s) => s.name.startsWith(`${r.name}/`));
    return {
      resource: r.name,
      responseKind: { group: r.group ?? group, version: r.version ?? version, kind: r.kind },
      scope: r.namespaced ? 'Namespaced' : 'Cluster',
      singularResource: r.singularName || r.kind.toLowerCase(),
      verbs: r.verbs ?? [],
      ...(r.shortNames?.length ? { shortNames: r.shortNames } : {}),
      ...(r.categories?.length ? { categories: r.categories } : {}),
      ...(subs.length
        ? {
            subresources: subs.map((s) => ({
              subresource: s.name.slice(r.name.length + 1),
              responseKind: { group: s.group ?? group, version: s.version ?? version, kind: s.kind },
              verbs: s.verbs ?? [],
            })),
          }
        : {}),
    };
  });
  return { version, resources, freshness: e.fresh ? 'Current' : 'Stale' };
}

interface AggregatedGroup {
  metadata: { name?: string };
  versions: object[];
}

/** GET /apis as APIGroupDiscoveryList: built-in groups plus each backend's fetched resources. */
export function mergeAggregated<T extends { items: AggregatedGroup[] }>(base: T, services: readonly APIService[], cache: DiscoveryCache): T {
  const named = base.items.map((i) => ({ name: i.metadata.name ?? '', item: i }));
  const merged = orderGroups(named, services, (g) => {
    const versions = g.versions.flatMap((s) => {
      const e = cache.get(s.metadata?.name ?? '');
      return e ? [aggregatedVersion(g.group, s.spec.version ?? '', e)] : [];
    });
    return versions.length ? { name: g.group, item: { metadata: { name: g.group, creationTimestamp: null }, versions } as AggregatedGroup } : undefined;
  });
  return { ...base, items: merged.map((m) => m.item) };
}
