// Writes objects and lists in the form the client negotiated: plain JSON, a meta.k8s.io Table,
// or PartialObjectMetadata. Lists reuse each object's cached serialisation.
import { Readable } from 'node:stream';
import type { FastifyReply } from 'fastify';
import { apiVersionOf, storedInfoOf, type ResourceInfo } from '../../api/resources.js';
import { toServed } from './conversion.js';
import type { KObject } from '../../api/types.js';
import type { Negotiated } from './encoding.js';
import type { ListResult } from '../registry/store.js';
import { toTable } from '../tables/table.js';

export function partialMeta(obj: KObject): KObject {
  return { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: obj.metadata ?? {} };
}

export function includeObjectParam(v: string | undefined): 'None' | 'Metadata' | 'Object' | undefined {
  return v === 'None' || v === 'Metadata' || v === 'Object' ? v : undefined;
}

/**
 * Sends an already-serialised body with exactly this Content-Type. (Buffers keep fastify from
 * re-formatting the media type, which kubectl's discovery matches literally.)
 */
export function sendRaw(reply: FastifyReply, code: number, contentType: string, body: string): FastifyReply {
  return reply.code(code).header('content-type', contentType).send(Buffer.from(body));
}

export function sendObject(reply: FastifyReply, info: ResourceInfo, obj: KObject, neg: Negotiated, code = 200, includeObject?: 'None' | 'Metadata' | 'Object'): FastifyReply {
  // Tables print the stored form (one printer per resource, as k8s prints the internal version).
  const body = neg.table ? toTable(storedInfoOf(info), [obj], { includeObject }) : neg.partial ? partialMeta(obj) : toServed(info, obj);
  return sendRaw(reply, code, neg.contentType, JSON.stringify(body));
}

export function sendList(reply: FastifyReply, info: ResourceInfo, list: ListResult, neg: Negotiated, includeObject?: 'None' | 'Metadata' | 'Object'): FastifyReply {
  const rv = String(list.resourceVersion);
  const listMeta: Record<string, unknown> = { resourceVersion: rv };
  if (list.continueToken) listMeta.continue = list.continueToken;
  if (list.remainingItemCount !== undefined) listMeta.remainingItemCount = list.remainingItemCount;
  if (neg.table) {
    const table = toTable(
      storedInfoOf(info),
      list.items.map((i) => i.obj),
      {
        includeObject,
        resourceVersion: rv,
        ...(list.continueToken ? { continue: list.continueToken } : {}),
        ...(list.remainingItemCount !== undefined ? { remainingItemCount: list.remainingItemCount } : {}),
      },
    );
    return sendRaw(reply, 200, neg.contentType, JSON.stringify(table));
  }
  if (neg.partial) {
    return sendRaw(reply, 200, neg.contentType, JSON.stringify({ kind: 'PartialObjectMetadataList', apiVersion: 'meta.k8s.io/v1', metadata: listMeta, items: list.items.map((i) => partialMeta(i.obj)) }));
  }
  const head = `{"kind":"${info.custom?.listKind ?? `${info.kind}List`}","apiVersion":"${apiVersionOf(info)}","metadata":${JSON.stringify(listMeta)},"items":[`;
  const item = info.storedAs ? (i: ListResult['items'][number]) => JSON.stringify(toServed(info, i.obj)) : (i: ListResult['items'][number]) => i.json;
  if (list.items.length <= STREAM_ITEMS) return sendRaw(reply, 200, neg.contentType, head + list.items.map(item).join(',') + ']}');
  return reply.code(200).header('content-type', neg.contentType).send(Readable.from(listChunks(head, list.items, item)));
}

/**
 * Lists longer than this are streamed (k8s 1.33's streaming collection encoding): written in
 * batches as the socket drains, so a LIST of 50k objects never holds its whole body at once.
 */
const STREAM_ITEMS = 1000;

function* listChunks<T>(head: string, items: readonly T[], item: (i: T) => string): Generator<string> {
  yield head;
  for (let at = 0; at < items.length; at += STREAM_ITEMS) {
    yield (at ? ',' : '') + items.slice(at, at + STREAM_ITEMS).map(item).join(',');
  }
  yield ']}';
}
