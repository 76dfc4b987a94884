// Raw HTTP against the apiserver, for tests that check exact codes, headers and bodies.
export interface HttpReply<T = any> {
  status: number;
  headers: Headers;
  text: string;
  body: T;
}

import { fetch, type Dispatcher, type RequestInit as UndiciInit } from 'undici';

/** Where raw requests go: a base URL, and the dispatcher (TLS client certificate) to use. */
export interface HttpTarget {
  url: string;
  dispatcher?: Dispatcher;
}

export function http(target: string | HttpTarget) {
  const base = typeof target === 'string' ? target : target.url;
  const dispatcher = typeof target === 'string' ? undefined : target.dispatcher;
  return async function request<T = any>(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<HttpReply<T>> {
    const init: UndiciInit = { method, headers: { ...headers }, ...(dispatcher ? { dispatcher } : {}) };
    if (body !== undefined) {
      init.body = typeof body === 'string' || body instanceof Uint8Array ? (body as string) : JSON.stringify(body);
      (init.headers as Record<string, string>)['content-type'] ??= 'application/json';
    }
    const res = await fetch(base + path, init);
    const text = await res.text();
    let parsed: unknown = undefined;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = undefined;
    }
    return { status: res.status, headers: res.headers, text, body: parsed as T };
  };
}

/** Reads a watch stream and hands back parsed events as they arrive. */
export async function openWatch(url: string, headers: Record<string, string> = {}, dispatcher?: Dispatcher) {
  const ctrl = new AbortController();
  const res = await fetch(url, { headers, signal: ctrl.signal, ...(dispatcher ? { dispatcher } : {}) });
  const events: { type: string; object: any }[] = [];
  let ended = false;
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let buf = '';
  const pump = (async () => {
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buf += decoder.decode(value, { stream: true });
        let i: number;
        while ((i = buf.indexOf('\n')) >= 0) {
          const line = buf.slice(0, i).trim();
          buf = buf.slice(i + 1);
          if (line) events.push(JSON.parse(line));
        }
      }
    } catch {
      /* aborted */
    } finally {
      ended = true;
    }
  })();
  return {
    status: res.status,
    headers: res.headers,
    events,
    get ended() {
      return ended;
    },
    async close() {
      ctrl.abort();
      await pump;
    },
  };
}
