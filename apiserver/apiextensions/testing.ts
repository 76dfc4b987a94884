// A one-version CustomResourceDefinition for tests.
import type { CustomResourceDefinition, CustomResourceDefinitionNames, JSONSchemaProps } from 'kubernetes-types/apiextensions/v1';

const PRESERVE = { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } as JSONSchemaProps;

export function simpleCRD(
  group: string,
  names: CustomResourceDefinitionNames,
  opts: { scope?: 'Namespaced' | 'Cluster'; version?: string; schema?: JSONSchemaProps } = {},
): CustomResourceDefinition {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${names.plural}.${group}` },
    spec: {
      group,
      scope: opts.scope ?? 'Namespaced',
      names,
      versions: [{ name: opts.version ?? 'v1', served: true, storage: true, schema: { openAPIV3Schema: opts.schema ?? PRESERVE } }],
    },
  };
}
