// The CRD naming and establishing decisions (k8s apiextensions-apiserver pkg/controller/status
// naming_controller.go and pkg/controller/establish): the requested names are accepted unless
// another CRD of the same group (or a built-in resource of it) already uses one of them; then the
// names accepted before stay, NamesAccepted is False with the conflict's reason, and a CRD that
// never had its names accepted is not Established.
import type { CustomResourceDefinition, CustomResourceDefinitionNames } from 'kubernetes-types/apiextensions/v1';
import type { ResourceInfo } from '../../api/resources.js';
import { getCondition, type CRDCondition } from './conditions.js';

export interface NamingDecision {
  acceptedNames: CustomResourceDefinitionNames;
  namesAccepted: Omit<CRDCondition, 'lastTransitionTime'>;
  established: Omit<CRDCondition, 'lastTransitionTime'>;
}

/** Names already taken in a group: resource names (plural, singular, short) and kinds (kind, listKind). */
function takenNames(group: string, self: string, crds: CustomResourceDefinition[], builtins: readonly ResourceInfo[]): { resources: Set<string>; kinds: Set<string> } {
  const resources = new Set<string>();
  const kinds = new Set<string>();
  for (const crd of crds) {
    if (crd.metadata?.name === self || crd.spec?.group !== group) continue;
    const n = crd.status?.acceptedNames;
    if (!n) continue;
    for (const r of [n.plural, n.singular, ...(n.shortNames ?? [])]) if (r) resources.add(r);
    for (const k of [n.kind, n.listKind]) if (k) kinds.add(k);
  }
  for (const b of builtins) {
    if (b.group !== group || b.custom) continue;
    for (const r of [b.resource, b.singular, ...b.shortNames]) resources.add(r);
    kinds.add(b.kind).add(`${b.kind}List`);
  }
  return { resources, kinds };
}

function conflict(requested: CustomResourceDefinitionNames, taken: { resources: Set<string>; kinds: Set<string> }): { reason: string; message: string } | undefined {
  const inUse = (s: string) => `"${s}" is already in use`;
  if (taken.resources.has(requested.plural)) return { reason: 'PluralConflict', message: inUse(requested.plural) };
  if (requested.singular && taken.resources.has(requested.singular)) return { reason: 'SingularConflict', message: inUse(requested.singular) };
  for (const s of requested.shortNames ?? []) if (taken.resources.has(s)) return { reason: 'ShortNamesConflict', message: inUse(s) };
  if (taken.kinds.has(requested.kind)) return { reason: 'KindConflict', message: inUse(requested.kind) };
  if (requested.listKind && taken.kinds.has(requested.listKind)) return { reason: 'ListKindConflict', message: inUse(requested.listKind) };
  return undefined;
}

export function decideNames(crd: CustomResourceDefinition, crds: CustomResourceDefinition[], builtins: readonly ResourceInfo[]): NamingDecision {
  const requested = crd.spec.names;
  const problem = conflict(requested, takenNames(crd.spec.group, crd.metadata?.name ?? '', crds, builtins));
  const wasEstablished = getCondition((crd.status ?? {}) as Record<string, unknown>, 'Established')?.status === 'True';
  if (problem) {
    return {
      acceptedNames: crd.status?.acceptedNames ?? { plural: '', kind: '' },
      namesAccepted: { type: 'NamesAccepted', status: 'False', ...problem },
      established: wasEstablished
        ? { type: 'Established', status: 'True', reason: 'InitialNamesAccepted', message: 'the initial names have been accepted' }
        : { type: 'Established', status: 'False', reason: 'NotAccepted', message: 'not all names are accepted' },
    };
  }
  return {
    acceptedNames: { ...requested },
    namesAccepted: { type: 'NamesAccepted', status: 'True', reason: 'NoConflicts', message: 'no conflicts found' },
    established: { type: 'Established', status: 'True', reason: 'InitialNamesAccepted', message: 'the initial names have been accepted' },
  };
}
