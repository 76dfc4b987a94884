// The reads kubectl's builder makes: Tables (Accept as=Table, paged by 500 like
// --chunk-size), plain lists and objects, and watches whose events are Tables or objects.
import type { ResourceInfo } from '../api/resources.js';
import type { KObject } from '../api/types.js';
import { JsonStreamDecoder, type RestClient } from '../client/index.js';
import type { TableLike } from './printers/table.js';

export const TABLE_ACCEPT = 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json';

export interface Selectors {
  labelSelector?: string;
  fieldSelector?: string;
}

export function collectionPath(info: ResourceInfo, namespace: string | undefined): string {
  const root = info.group ? `/apis/${info.group}/${info.version}` : `/api/${info.version}`;
  const ns = info.namespaced && namespace ? `/namespaces/${encodeURIComponent(namespace)}` : '';
  return `${root}${ns}/${info.resource}`;
}

export function objectPath(info: ResourceInfo, namespace: string | undefined, name: string, sub?: string): string {
  return `${collectionPath(info, namespace)}/${encodeURIComponent(name)}${sub ? `/${sub}` : ''}`;
}

/** A collection (paged, rows concatenated) or one object, as a server-side Table. */
export async function getTable(
  client: RestClient,
  info: ResourceInfo,
  namespace: string | undefined,
  name: string | undefined,
  sel: Selectors & { includeObject?: boolean; chunkSize?: number },
): Promise<TableLike> {
  const includeObject = sel.includeObject ? 'Object' : undefined;
  if (name !== undefined) {
    return client.json<TableLike>({ method: 'GET', path: objectPath(info, namespace, name), accept: TABLE_ACCEPT, query: { includeObject } });
  }
  let table: TableLike | undefined;
  let cont: string | undefined;
  do {
    const page = await client.json<TableLike>({
      method: 'GET',
      path: collectionPath(info, namespace),
      accept: TABLE_ACCEPT,
      query: { labelSelector: sel.labelSelector, fieldSelector: sel.fieldSelector, limit: sel.chunkSize ?? 500, continue: cont, includeObject },
    });
    page.rows ??= [];
    page.columnDefinitions ??= [];
    if (!table) table = page;
    else table.rows.push(...page.rows);
    cont = page.metadata?.continue || undefined;
  } while (cont);
  return table;
}

/** Every object of a collection (paged); items get apiVersion/kind. */
export async function listAll(client: RestClient, info: ResourceInfo, namespace: string | undefined, sel: Selectors = {}): Promise<{ items: KObject[]; resourceVersion: string }> {
  const rc = client.resource<KObject>(info, info.namespaced ? namespace : undefined);
  const items: KObject[] = [];
  let cont: string | undefined;
  let resourceVersion = '';
  do {
    const page = await rc.list({ ...sel, limit: 500, continue: cont });
    items.push(...(page.items as KObject[]));
    resourceVersion = page.metadata.resourceVersion ?? resourceVersion;
    cont = page.metadata.continue || undefined;
  } while (cont);
  return { items, resourceVersion };
}

export interface RawWatchEvent {
  type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
  object: KObject;
}

/** A watch whose events carry Tables (`accept = TABLE_ACCEPT`) or plain objects. */
export async function* watchRaw(
  client: RestClient,
  info: ResourceInfo,
  namespace: string | undefined,
  opts: Selectors & { resourceVersion?: string; accept?: string; signal?: AbortSignal },
): AsyncGenerator<RawWatchEvent> {
  const body = await client.send({
    method: 'GET',
    path: collectionPath(info, namespace),
    query: { watch: 'true', resourceVersion: opts.resourceVersion, labelSelector: opts.labelSelector, fieldSelector: opts.fieldSelector },
    accept: opts.accept ?? 'application/json',
    signal: opts.signal,
    streaming: true,
  });
  const decoder = new JsonStreamDecoder();
  try {
    for await (const chunk of body) for (const ev of decoder.push(chunk as Buffer)) yield ev as RawWatchEvent;
  } catch (e) {
    if (!opts.signal?.aborted) throw e;
  }
}
