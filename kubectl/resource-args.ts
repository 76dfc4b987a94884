// What the user named on the command line, resolved the way kubectl's resource builder does:
// `pods`, `po`, `deployment.apps`, `pods,svc`, `pods a b`, `pod/a svc/b`, `all`.
import { RESOURCES, resolveResourceName, type ResourceInfo } from '../api/resources.js';
import { CliError } from './errors.js';
import { findServed, servedInCategory } from './served-resources.js';

export interface ResourceRequest {
  info: ResourceInfo;
  /** Empty: the whole collection (subject to selectors). */
  names: string[];
}

export interface ParsedArgs {
  requests: ResourceRequest[];
  /** More than one kind was asked for: tables prefix names with the kind (`pod/x`). */
  multipleTypes: boolean;
  /** Exactly one object named (`get pod x`): -o yaml prints it, not a List. */
  singleItem: boolean;
}

/** `deployments.v1.apps` → `deployments.apps` (the version adds nothing here). */
function dropVersion(name: string): string {
  const parts = name.split('.');
  if (parts.length >= 3 && /^v\d+((alpha|beta)\d+)?$/.test(parts[1]!)) return [parts[0], ...parts.slice(2)].join('.');
  if (parts.length === 2 && /^v\d+((alpha|beta)\d+)?$/.test(parts[1]!)) return parts[0]!;
  return name;
}

/** One resource type as typed, or kubectl's error for an unknown one. */
export function resolveType(name: string): ResourceInfo {
  // Built-ins first; then what discovery said the server serves (custom resources).
  const info = resolveResourceName(dropVersion(name)) ?? findServed(name);
  if (!info) throw new CliError(`the server doesn't have a resource type "${name}"`);
  return info;
}

/** Types separated by commas; `all` expands to the `all` category. */
export function resolveTypes(list: string): ResourceInfo[] {
  const out: ResourceInfo[] = [];
  for (const t of list.split(',').filter(Boolean)) {
    if (t === 'all') {
      for (const info of [...RESOURCES, ...servedInCategory('all')]) if (info.categories.includes('all') && !out.includes(info)) out.push(info);
    } else if (!resolveResourceName(dropVersion(t)) && !findServed(t) && servedInCategory(t).length) {
      // A category a CRD declares (`kubectl get <category>`).
      for (const info of servedInCategory(t)) if (!out.includes(info)) out.push(info);
    } else {
      const info = resolveType(t);
      if (!out.includes(info)) out.push(info);
    }
  }
  return out;
}

export function parseResourceArgs(args: string[], command = 'get'): ParsedArgs {
  if (args.length === 0) {
    throw new CliError(
      `You must specify the type of resource to ${command}. Use "kc api-resources" for a complete list of supported resources.`,
    );
  }
  const withSlash = args.filter((a) => a.includes('/'));
  if (withSlash.length > 0) {
    if (withSlash.length !== args.length) {
      throw new CliError(
        `there is no need to specify a resource type as a separate argument when passing arguments in resource/name form (e.g. 'kc ${command} resource/<resource_name>' instead of 'kc ${command} resource resource/<resource_name>'`,
      );
    }
    const requests: ResourceRequest[] = [];
    for (const a of args) {
      const slash = a.indexOf('/');
      const type = a.slice(0, slash);
      const name = a.slice(slash + 1);
      if (!type || !name) throw new CliError(`arguments in resource/name form must have a single resource and name`);
      const info = resolveType(type);
      const last = requests[requests.length - 1];
      if (last && last.info === info) last.names.push(name);
      else requests.push({ info, names: [name] });
    }
    const kinds = new Set(requests.map((r) => r.info));
    return { requests, multipleTypes: kinds.size > 1, singleItem: args.length === 1 };
  }
  const [types, ...names] = args;
  const infos = resolveTypes(types!);
  return {
    requests: infos.map((info) => ({ info, names: [...names] })),
    multipleTypes: infos.length > 1 || types === 'all',
    singleItem: infos.length === 1 && names.length === 1 && !types!.includes(','),
  };
}

/** `deployment.apps`, `pod`: how kubectl prefixes names (`deployment.apps/web`). */
export function kindPrefix(info: Pick<ResourceInfo, 'kind' | 'group'>): string {
  const k = info.kind.toLowerCase();
  return info.group ? `${k}.${info.group}` : k;
}

/** `deployments.apps`, `pods`: how the server names a resource in messages. */
export function qualifiedResource(info: Pick<ResourceInfo, 'resource' | 'group'>): string {
  return info.group ? `${info.resource}.${info.group}` : info.resource;
}
