// What the server serves, from aggregated discovery (`/api` and `/apis` with the
// APIGroupDiscoveryList Accept: two requests instead of one per group-version), as client-go's
// discovery client gives it to kubectl and to controllers (the namespace controller).
import type { ResourceInfo } from '../api/resources.js';
import type { RestClient } from './rest.js';

const AGGREGATED_ACCEPT =
  'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json';

export interface DiscoveredResource {
  name: string;
  singular: string;
  shortNames: string[];
  group: string;
  version: string;
  namespaced: boolean;
  kind: string;
  verbs: string[];
  categories: string[];
}

interface AggregatedList {
  kind?: string;
  items?: {
    metadata?: { name?: string };
    versions?: {
      version: string;
      resources?: {
        resource: string;
        singularResource?: string;
        responseKind?: { kind?: string };
        scope?: string;
        verbs?: string[];
        shortNames?: string[];
        categories?: string[];
      }[];
    }[];
  }[];
}

/**
 * Every resource in the preferred (first) version of each group, core group first; with
 * `allVersions`, in every served version (preferred first).
 */
export async function discoverResources(client: RestClient, allVersions = false): Promise<DiscoveredResource[]> {
  const out: DiscoveredResource[] = [];
  for (const path of ['/api', '/apis']) {
    const doc = await client.json<AggregatedList>({ method: 'GET', path, accept: AGGREGATED_ACCEPT });
    if (doc.kind !== 'APIGroupDiscoveryList' && !Array.isArray(doc.items)) throw new Error(`the server does not support aggregated discovery at ${path}`);
    for (const g of doc.items ?? []) {
      for (const v of allVersions ? (g.versions ?? []) : (g.versions ?? []).slice(0, 1)) {
        for (const r of v.resources ?? []) {
          out.push({
            name: r.resource,
            singular: r.singularResource ?? '',
            shortNames: r.shortNames ?? [],
            group: g.metadata?.name ?? '',
            version: v.version,
            namespaced: r.scope === 'Namespaced',
            kind: r.responseKind?.kind ?? '',
            verbs: r.verbs ?? [],
            categories: r.categories ?? [],
          });
        }
      }
    }
  }
  return out;
}

/** A discovered resource in the resource table's terms (what clients address it by). */
export function resourceInfoOf(r: DiscoveredResource): ResourceInfo {
  return {
    group: r.group,
    version: r.version,
    resource: r.name,
    singular: r.singular || r.kind.toLowerCase(),
    kind: r.kind,
    namespaced: r.namespaced,
    shortNames: r.shortNames,
    categories: r.categories,
    subresources: [],
    fieldSelectors: [],
    verbs: r.verbs,
  };
}
