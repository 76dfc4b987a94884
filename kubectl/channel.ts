// The Kubernetes WebSocket channel protocol (v5.channel.k8s.io / v4): binary messages whose
// first byte is the stream (0 stdin, 1 stdout, 2 stderr, 3 error/status, 4 resize; 255
// closes a stream in v5). Connects with the kubeconfig's credentials.
import WebSocket from 'ws';
import type { Status } from 'kubernetes-types/meta/v1';
import { StatusError } from '../api/status.js';
import { statusErrorFromResponse } from '../client/index.js';
import { authHeaders } from '../client/rest.js';
import { USER_AGENT, type Factory } from './factory.js';

export const STDIN = 0;
export const STDOUT = 1;
export const STDERR = 2;
export const ERROR = 3;
export const RESIZE = 4;
export const CLOSE = 255;

/** Query parameters as a list (exec repeats `command`). */
export function channelUrl(server: string, path: string, params: [string, string][]): string {
  const u = new URL(server);
  u.protocol = u.protocol === 'https:' ? 'wss:' : 'ws:';
  u.pathname = `${u.pathname.replace(/\/+$/, '')}${path}`;
  u.search = new URLSearchParams(params).toString();
  return u.toString();
}

/** Opens the WebSocket; a non-101 reply becomes the server's StatusError. */
export function openChannel(f: Factory, path: string, params: [string, string][], protocols: string[]): Promise<WebSocket> {
  const cfg = f.restConfig;
  const ws = new WebSocket(channelUrl(cfg.server, path, params), protocols, {
    // ws sends a repeated header (Impersonate-Group) once per value, as Node's http does.
    headers: { 'user-agent': USER_AGENT, ...authHeaders(cfg) } as Record<string, string>,
    ca: cfg.ca,
    cert: cfg.cert,
    key: cfg.key,
    rejectUnauthorized: !cfg.insecureSkipTLSVerify,
    ...(cfg.tlsServerName ? { servername: cfg.tlsServerName } : {}),
  });
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve(ws));
    ws.once('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => {
        reject(statusErrorFromResponse(res.statusCode ?? 500, body, 'GET', path));
        ws.terminate();
      });
    });
    ws.once('error', reject);
  });
}

/** The exit code a status-channel message means (kubectl's exec semantics). */
export function exitCodeFromStatus(status: Status): { code: number; error?: StatusError } {
  if (status.status === 'Success') return { code: 0 };
  if (status.reason === 'NonZeroExitCode') {
    const cause = status.details?.causes?.find((c) => c.reason === 'ExitCode');
    const code = Number(cause?.message);
    if (Number.isInteger(code)) return { code };
  }
  return { code: 1, error: new StatusError(status.code ?? 500, (status.reason ?? 'InternalError') as never, status.message ?? 'unknown error') };
}
