// Resources the server serves beyond the built-in table — the versions of CustomResourceDefinitions
// — learnt from discovery before a command resolves what the user typed (kubectl's discovery
// RESTMapper). Built-ins keep resolving from api/resources.ts without a request.
import { findResource, type ResourceInfo } from '../api/resources.js';
import type { RestClient } from '../client/index.js';
import { discoverResources, resourceInfoOf } from '../client/discovery.js';

let served: ResourceInfo[] = [];

/** Commands that name resource types or read manifests: they learn the served custom resources first. */
export const COMMANDS_USING_DISCOVERY = new Set(['get', 'describe', 'delete', 'apply', 'create', 'replace', 'edit', 'patch', 'label', 'annotate', 'scale', 'wait', 'diff']);

/** Asks discovery (two requests) for everything served and keeps the non-built-in resources. */
export async function learnServedResources(f: { readonly client: RestClient }): Promise<void> {
  // The client is built lazily: a configuration error surfaces as a rejection here.
  const found = await discoverResources(f.client, true);
  served = found.filter((r) => !r.name.includes('/') && !findResource(r.group, r.name)).map(resourceInfoOf);
}

/** `crontabs`, `ct`, `crontab.stable.example.com`, `crontabs.v1beta1.stable.example.com`: preferred version first. */
export function findServed(name: string): ResourceInfo | undefined {
  const lower = name.toLowerCase();
  const [base = '', ...rest] = lower.split('.');
  let version: string | undefined;
  let group = rest.join('.');
  if (rest.length && /^v\d+((alpha|beta)\d+)?$/.test(rest[0]!)) {
    version = rest[0];
    group = rest.slice(1).join('.');
  }
  return served.find(
    (i) =>
      (!group || i.group === group || i.group.startsWith(`${group}.`)) &&
      (!version || i.version === version) &&
      (i.resource === base || i.singular === base || i.shortNames.includes(base) || i.kind.toLowerCase() === base),
  );
}

export function findServedByKind(apiVersion: string, kind: string): ResourceInfo | undefined {
  return served.find((i) => `${i.group}/${i.version}` === apiVersion && i.kind === kind);
}

/** The served custom resources of a category (`all`, or one a CRD declares), preferred versions only. */
export function servedInCategory(category: string): ResourceInfo[] {
  const out: ResourceInfo[] = [];
  for (const i of served) if (i.categories.includes(category) && !out.some((o) => o.group === i.group && o.resource === i.resource)) out.push(i);
  return out;
}
