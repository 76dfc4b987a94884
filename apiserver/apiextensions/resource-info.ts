// What a CustomResourceDefinition serves, in the terms of api/resources.ts: one ResourceInfo per
// served version, under the CRD's accepted names, in Kubernetes' version priority order (the
// first one is the group's preferred version, as discovery lists it).
import type { CustomResourceDefinition, CustomResourceDefinitionVersion } from 'kubernetes-types/apiextensions/v1';
import type { ResourceInfo, Subresource } from '../../api/resources.js';

const KUBE_VERSION = /^v(\d+)(?:(alpha|beta)(\d+))?$/;

/**
 * k8s' version.CompareKubeAwareVersionStrings as a sort key: GA before beta before alpha,
 * higher numbers first, and names that are not Kubernetes-like last, alphabetically.
 */
export function compareKubeAwareVersions(a: string, b: string): number {
  const ma = KUBE_VERSION.exec(a);
  const mb = KUBE_VERSION.exec(b);
  if (!ma || !mb) {
    if (ma) return -1;
    if (mb) return 1;
    return a < b ? -1 : a > b ? 1 : 0;
  }
  const rank = (m: RegExpExecArray): number => (m[2] === undefined ? 2 : m[2] === 'beta' ? 1 : 0);
  if (rank(ma) !== rank(mb)) return rank(mb) - rank(ma);
  if (Number(ma[1]) !== Number(mb[1])) return Number(mb[1]) - Number(ma[1]);
  return Number(mb[3] ?? 0) - Number(ma[3] ?? 0);
}

export function storageVersionOf(crd: CustomResourceDefinition): string | undefined {
  return crd.spec?.versions?.find((v) => v.storage)?.name;
}

function subresourcesOf(v: CustomResourceDefinitionVersion): Subresource[] {
  const out: Subresource[] = [];
  if (v.subresources?.status) out.push('status');
  if (v.subresources?.scale) out.push('scale');
  return out;
}

/** One ResourceInfo per served version, most preferred first; empty until names are accepted. */
export function customResourceInfos(crd: CustomResourceDefinition): ResourceInfo[] {
  const names = crd.status?.acceptedNames;
  const spec = crd.spec;
  const storageVersion = storageVersionOf(crd);
  if (!spec || !names?.plural || !names.kind || !storageVersion) return [];
  const served = (spec.versions ?? []).filter((v) => v.served).sort((a, b) => compareKubeAwareVersions(a.name, b.name));
  return served.map((v) => ({
    group: spec.group,
    version: v.name,
    resource: names.plural,
    singular: names.singular || names.kind.toLowerCase(),
    kind: names.kind,
    namespaced: spec.scope === 'Namespaced',
    shortNames: names.shortNames ?? [],
    categories: names.categories ?? [],
    subresources: subresourcesOf(v),
    fieldSelectors: [],
    custom: {
      storageVersion,
      listKind: names.listKind || `${names.kind}List`,
      ...(v.schema?.openAPIV3Schema ? { schema: v.schema.openAPIV3Schema } : {}),
      printerColumns: v.additionalPrinterColumns ?? [],
      ...(v.subresources?.scale ? { scale: v.subresources.scale } : {}),
    },
  }));
}
