// The CRD schema module: structural-schema checks for CRDs, and for custom resources the
// validation, defaulting and pruning their openAPIV3Schema implies, plus its OpenAPI v2/v3 form.
export type { JSONSchemaProps } from './types.js';
export { compileSchema, type CompiledSchema } from './compile.js';
export { validateStructuralSchema, type StructuralSchemaOptions } from './crd-schema.js';
export { toOpenAPIV3, toOpenAPIV2 } from './publish.js';
