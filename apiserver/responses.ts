// Writes objects and lists in the form the client negotiated: plain JSON, a meta.k8s.io Table,
// or PartialObjectMetadata. Lists reuse each object's cached serialisation.
import type { FastifyReply } from 'fastify';
import { apiVersionOf, type ResourceInfo } from '../api/resources.js';
import type { KObject } from '../api/types.js';
import type { Negotiated } from './encoding.js';
import type { ListResult } from './registry.js';
import { toTable } from './tables.js';

export function partialMeta(obj: KObject): KObject {
  return { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: obj.metadata ?? {} };
}

export function includeObjectParam(v: string | undefined): 'None' | 'Metadata' | 'Object' | undefined {
  return v === 'None' || v === 'Metadata' || v === 'Object' ? v : undefined;
}

export function sendObject(reply: FastifyReply, info: ResourceInfo, obj: KObject, neg: Negotiated, code = 200, includeObject?: 'None' | 'Metadata' | 'Object'): FastifyReply {
  reply.code(code).header('content-type', neg.contentType);
  if (neg.table) return reply.send(JSON.stringify(toTable(info, [obj], { includeObject })));
  if (neg.partial) return reply.send(JSON.stringify(partialMeta(obj)));
  return reply.send(JSON.stringify(obj));
}

export function sendList(reply: FastifyReply, info: ResourceInfo, list: ListResult, neg: Negotiated, includeObject?: 'None' | 'Metadata' | 'Object'): FastifyReply {
  const rv = String(list.resourceVersion);
  reply.code(200).header('content-type', neg.contentType);
  const listMeta: Record<string, unknown> = { resourceVersion: rv };
  if (list.continueToken) listMeta.continue = list.continueToken;
  if (list.remainingItemCount !== undefined) listMeta.remainingItemCount = list.remainingItemCount;
  if (neg.table) {
    const table = toTable(
      info,
      list.items.map((i) => i.obj),
      {
        includeObject,
        resourceVersion: rv,
        ...(list.continueToken ? { continue: list.continueToken } : {}),
        ...(list.remainingItemCount !== undefined ? { remainingItemCount: list.remainingItemCount } : {}),
      },
    );
    return reply.send(JSON.stringify(table));
  }
  if (neg.partial) {
    return reply.send(
      JSON.stringify({ kind: 'PartialObjectMetadataList', apiVersion: 'meta.k8s.io/v1', metadata: listMeta, items: list.items.map((i) => partialMeta(i.obj)) }),
    );
  }
  const head = `{"kind":"${info.kind}List","apiVersion":"${apiVersionOf(info)}","metadata":${JSON.stringify(listMeta)},"items":[`;
  return reply.send(head + list.items.map((i) => i.json).join(',') + ']}');
}
