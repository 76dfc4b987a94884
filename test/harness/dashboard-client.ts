// Test helpers for the dashboard: a browser-like client (one session cookie), a server-sent
// events reader, and the ServiceAccount tokens the tests log in with.
import { fetch } from 'undici';
import type { RestClient } from '../../client/rest.js';

export interface Reply {
  status: number;
  headers: Headers;
  text: string;
  body: any;
}

/** A browser with a cookie jar of one cookie (the session). */
export class Browser {
  cookie: string | undefined;

  constructor(readonly base: string) {}

  async request(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Reply> {
    const h: Record<string, string> = { ...headers };
    if (this.cookie) h.cookie = this.cookie;
    if (body !== undefined) h['content-type'] ??= 'application/json';
    const res = await fetch(this.base + path, { method, headers: h, redirect: 'manual', ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}) });
    const setCookie = res.headers.get('set-cookie');
    if (setCookie) {
      const pair = setCookie.split(';')[0]!;
      this.cookie = pair.endsWith('=') ? undefined : pair;
    }
    const text = await res.text();
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = undefined;
    }
    return { status: res.status, headers: res.headers, text, body: parsed };
  }

  async login(token: string): Promise<Reply> {
    return this.request('POST', '/api/login', { token });
  }

  /** Opens an event stream; events are collected as they arrive. */
  async events(path: string, headers: Record<string, string> = {}): Promise<EventStream> {
    const ctrl = new AbortController();
    const res = await fetch(this.base + path, { headers: { ...headers, ...(this.cookie ? { cookie: this.cookie } : {}), accept: 'text/event-stream' }, signal: ctrl.signal });
    return new EventStream(res.status, res.body!, ctrl);
  }
}

export interface SseMessage {
  id?: string;
  event: string;
  data: string;
}

export class EventStream {
  readonly messages: SseMessage[] = [];
  comments = 0;
  ended = false;
  private readonly pump: Promise<void>;

  constructor(
    readonly status: number,
    body: ReadableStream<Uint8Array>,
    private readonly ctrl: AbortController,
  ) {
    this.pump = this.read(body);
  }

  private async read(body: ReadableStream<Uint8Array>): Promise<void> {
    const decoder = new TextDecoder();
    let buf = '';
    try {
      for await (const chunk of body) {
        buf += decoder.decode(chunk, { stream: true });
        let i: number;
        while ((i = buf.indexOf('\n\n')) >= 0) {
          const block = buf.slice(0, i);
          buf = buf.slice(i + 2);
          const m: Partial<SseMessage> & { data?: string } = {};
          let comment = false;
          for (const line of block.split('\n')) {
            if (line.startsWith(':')) comment = true;
            else if (line.startsWith('id: ')) m.id = line.slice(4);
            else if (line.startsWith('event: ')) m.event = line.slice(7);
            else if (line.startsWith('data: ')) m.data = m.data === undefined ? line.slice(6) : `${m.data}\n${line.slice(6)}`;
          }
          if (comment) this.comments++;
          if (m.data !== undefined) this.messages.push({ ...(m.id ? { id: m.id } : {}), event: m.event ?? 'message', data: m.data });
        }
      }
    } catch {
      // aborted
    } finally {
      this.ended = true;
    }
  }

  /** The events named `type` whose object has this name. */
  named(type: string, name: string): SseMessage[] {
    return this.messages.filter((m) => m.event === type && (JSON.parse(m.data) as { metadata?: { name?: string } }).metadata?.name === name);
  }

  async close(): Promise<void> {
    this.ctrl.abort();
    await this.pump;
  }
}

/** A ServiceAccount in `ns` bound to `clusterRole` (cluster-wide or in `ns`), and a token for it. */
export async function serviceAccountToken(admin: RestClient, ns: string, name: string, clusterRole: string, clusterWide = false): Promise<string> {
  await admin.json({ method: 'POST', path: `/api/v1/namespaces/${ns}/serviceaccounts`, body: { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name } } });
  const subject = { kind: 'ServiceAccount', name, namespace: ns };
  const roleRef = { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: clusterRole };
  if (clusterWide) {
    await admin.json({ method: 'POST', path: '/apis/rbac.authorization.k8s.io/v1/clusterrolebindings', body: { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: { name: `${ns}-${name}` }, subjects: [subject], roleRef } });
  } else {
    await admin.json({ method: 'POST', path: `/apis/rbac.authorization.k8s.io/v1/namespaces/${ns}/rolebindings`, body: { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name }, subjects: [subject], roleRef } });
  }
  const r = await admin.json<{ status: { token: string } }>({ method: 'POST', path: `/api/v1/namespaces/${ns}/serviceaccounts/${name}/token`, body: { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: { expirationSeconds: 3600 } } });
  return r.status.token;
}
