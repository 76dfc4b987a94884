// What ResourceClient needs of the HTTP layer: one call described as data, answered as JSON or
// as a raw body. RestClient implements it; keeping it here lets resource-client.ts and rest.ts
// depend on this file instead of on each other.
import type { Pool } from 'undici';

/** One HTTP call, as ResourceClient describes it. */
export interface RequestSpec {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  path: string;
  query?: Record<string, string | number | boolean | undefined>;
  body?: unknown;
  contentType?: string;
  accept?: string;
  signal?: AbortSignal;
  /** Streams (watch, log follow) have no body timeout. */
  streaming?: boolean;
}

export type ResponseBody = Awaited<ReturnType<Pool['request']>>['body'];

export interface Transport {
  json<R>(spec: RequestSpec): Promise<R>;
  send(spec: RequestSpec): Promise<ResponseBody>;
}
