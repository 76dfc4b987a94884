// Request bodies in, response formats out: JSON and YAML bodies (and the protobuf objects of
// kubectl's generator commands, protobuf/decode.ts), the four patch types, and
// Accept negotiation for Tables and PartialObjectMetadata (what kubectl asks for).
import { parse as parseYaml } from 'yaml';
import { errors } from '../../api/status.js';
import { decodeProtobufBody } from '../protobuf/decode.js';

export type PatchType = 'json' | 'merge' | 'strategic' | 'apply';

const PATCH_TYPES: Record<string, PatchType> = {
  'application/json-patch+json': 'json',
  'application/merge-patch+json': 'merge',
  'application/strategic-merge-patch+json': 'strategic',
  'application/apply-patch+yaml': 'apply',
  'application/apply-patch+cbor': 'apply',
};

function mediaType(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0]!.trim().toLowerCase();
}

const PROTOBUF_HINT = ' (tskube takes protobuf only for the objects of kubectl\'s generator commands; send patches as JSON)';

/** Decodes a JSON or YAML request body, or the protobuf of kubectl's generator commands. */
export function decodeBody(contentType: string | undefined, body: Buffer | undefined): unknown {
  const type = mediaType(contentType);
  if (type === 'application/vnd.kubernetes.protobuf') return decodeProtobufBody(body);
  const text = body?.toString('utf8') ?? '';
  if (type === 'application/yaml' || type === 'application/x-yaml' || type === 'text/yaml' || type === 'application/apply-patch+yaml') {
    try {
      return parseYaml(text, { maxAliasCount: 100 }) as unknown;
    } catch (e) {
      throw errors.badRequest(`error converting YAML to JSON: ${(e as Error).message.split('\n')[0]}`);
    }
  }
  if (type === '' || type === 'application/json' || type in PATCH_TYPES || type === '*/*') {
    if (text.trim() === '') throw errors.badRequest('the request body is empty');
    try {
      return JSON.parse(text) as unknown;
    } catch (e) {
      throw errors.badRequest(`couldn't get version/kind; json parse error: ${(e as Error).message}`);
    }
  }
  throw errors.unsupportedMediaType(type);
}

export function patchTypeOf(contentType: string | undefined): PatchType {
  const type = mediaType(contentType);
  const t = PATCH_TYPES[type];
  if (!t) {
    throw errors.unsupportedMediaType(
      type,
      type === 'application/vnd.kubernetes.protobuf' ? PROTOBUF_HINT : '',
    );
  }
  return t;
}

export interface Negotiated {
  /** Answer with a meta.k8s.io Table (kubectl get). */
  table: boolean;
  /** Answer with PartialObjectMetadata(List). */
  partial: boolean;
  contentType: string;
}

/**
 * Picks the response form from Accept, honouring the client's order of preference as
 * Kubernetes does: the first acceptable entry wins.
 */
export function negotiate(accept: string | undefined): Negotiated {
  for (const part of (accept ?? '').split(',')) {
    const [type, ...params] = part.split(';').map((s) => s.trim());
    const p = new Map(params.map((kv) => kv.split('=').map((s) => s.trim()) as [string, string]));
    const as = p.get('as');
    if (type === 'application/json' || type === 'application/vnd.kubernetes.protobuf' || type === '*/*') {
      if (as === 'Table' && p.get('g') === 'meta.k8s.io' && (p.get('v') === 'v1' || p.get('v') === 'v1beta1')) {
        return { table: true, partial: false, contentType: `application/json;as=Table;v=${p.get('v')};g=meta.k8s.io` };
      }
      if ((as === 'PartialObjectMetadata' || as === 'PartialObjectMetadataList') && p.get('g') === 'meta.k8s.io') {
        return { table: false, partial: true, contentType: `application/json;as=${as};v=${p.get('v') ?? 'v1'};g=meta.k8s.io` };
      }
      if (as === undefined) return { table: false, partial: false, contentType: 'application/json' };
    }
    if (type === 'application/yaml') return { table: false, partial: false, contentType: 'application/json' };
  }
  return { table: false, partial: false, contentType: 'application/json' };
}
