// A tiny aggregated API server for tests (Kubernetes' sample-apiserver "wardle" in spirit):
// HTTPS with a serving certificate from the test CA for `<service>.<namespace>.svc`, it
// accepts only the front-proxy client certificate and answers `wardle.example.com/v1alpha1`
// with one namespaced resource, `flunders` (short name `fl`). Every Flunder it returns echoes
// the X-Remote-* headers it received, so tests see exactly what the apiserver sent.
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TLSSocket } from 'node:tls';
import type { AddressInfo } from 'node:net';
import { issueCert } from '../../client/cert/x509.js';
import type { TestPki } from './pki.js';

export const WARDLE_GROUP = 'wardle.example.com';
export const WARDLE_VERSION = 'v1alpha1';
const GV = `${WARDLE_GROUP}/${WARDLE_VERSION}`;

export interface WardleBackend {
  port: number;
  /** Headers of every request that reached the backend, in order. */
  requests: { path: string; headers: IncomingMessage['headers'] }[];
  /** Requests refused for want of the front-proxy certificate. */
  refused: number;
  close(): Promise<void>;
}

function send(res: ServerResponse, code: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(code, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function echo(req: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    const name = req.rawHeaders[i]!.toLowerCase();
    if (name.startsWith('x-remote-')) out[name] = out[name] ? `${out[name]}|${req.rawHeaders[i + 1]}` : req.rawHeaders[i + 1]!;
  }
  return out;
}

function flunder(ns: string, name: string, req: IncomingMessage): object {
  return { apiVersion: GV, kind: 'Flunder', metadata: { name, namespace: ns, resourceVersion: '1', creationTimestamp: '2026-01-01T00:00:00Z', annotations: echo(req) }, spec: {} };
}

const RESOURCES = {
  kind: 'APIResourceList',
  apiVersion: 'v1',
  groupVersion: GV,
  resources: [
    { name: 'flunders', singularName: 'flunder', namespaced: true, kind: 'Flunder', verbs: ['get', 'list', 'watch'], shortNames: ['fl'] },
    { name: 'flunders/status', singularName: '', namespaced: true, kind: 'Flunder', verbs: ['get'] },
  ],
};

/** OpenAPI v3, enough for `kubectl explain flunders`. */
const OPENAPI_INDEX = { paths: { [`apis/${GV}`]: { serverRelativeURL: `/openapi/v3/apis/${GV}?hash=0123ABCD` } } };
const OPENAPI_DOC = {
  openapi: '3.0.0',
  info: { title: 'wardle', version: 'v0.1.0' },
  // kubectl explain maps the resource to its kind through the operations' GVK.
  paths: {
    [`/apis/${GV}/namespaces/{namespace}/flunders/{name}`]: {
      get: {
        operationId: 'readWardleV1alpha1NamespacedFlunder',
        responses: { '200': { description: 'OK', content: { 'application/json': { schema: { $ref: '#/components/schemas/com.example.wardle.v1alpha1.Flunder' } } } } },
        'x-kubernetes-action': 'get',
        'x-kubernetes-group-version-kind': { group: WARDLE_GROUP, version: WARDLE_VERSION, kind: 'Flunder' },
      },
    },
  },
  components: {
    schemas: {
      'com.example.wardle.v1alpha1.Flunder': {
        description: 'A Flunder is what the wardle test server serves.',
        type: 'object',
        properties: {
          apiVersion: { type: 'string', description: 'APIVersion of the object.' },
          kind: { type: 'string', description: 'Kind of the object.' },
          metadata: { type: 'object', description: 'Standard object metadata.' },
          spec: { type: 'object', description: 'What the flunder wants.', properties: { reference: { type: 'string', description: 'Another flunder.' } } },
        },
        'x-kubernetes-group-version-kind': [{ group: WARDLE_GROUP, version: WARDLE_VERSION, kind: 'Flunder' }],
      },
    },
  },
};

function handle(req: IncomingMessage, res: ServerResponse): void {
  const url = new URL(req.url ?? '/', 'https://wardle');
  const parts = url.pathname.split('/').filter(Boolean);
  if (url.pathname === `/apis/${GV}`) return send(res, 200, RESOURCES);
  if (url.pathname === '/openapi/v3') return send(res, 200, OPENAPI_INDEX);
  if (url.pathname === `/openapi/v3/apis/${GV}`) return send(res, 200, OPENAPI_DOC);
  // /apis/<g>/<v>/namespaces/<ns>/flunders[/<name>]
  if (parts.length >= 6 && parts[3] === 'namespaces' && parts[5] === 'flunders') {
    const ns = parts[4]!;
    if (parts[6]) return send(res, 200, flunder(ns, parts[6], req));
    if (url.searchParams.get('watch') === 'true') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write(`${JSON.stringify({ type: 'ADDED', object: flunder(ns, 'watched-1', req) })}\n`);
      // A second event later: the first must reach the client before the stream ends.
      const t = setTimeout(() => res.end(`${JSON.stringify({ type: 'ADDED', object: flunder(ns, 'watched-2', req) })}\n`), 300);
      res.on('close', () => clearTimeout(t));
      return;
    }
    return send(res, 200, { apiVersion: GV, kind: 'FlunderList', metadata: { resourceVersion: '1' }, items: [flunder(ns, 'f1', req)] });
  }
  send(res, 404, { kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'NotFound', code: 404, message: 'not found' });
}

/** Starts the backend on 127.0.0.1, serving as `<service>.<namespace>.svc`. */
export async function startWardle(pki: TestPki, service = { namespace: 'wardle', name: 'wardle' }, port = 0): Promise<WardleBackend> {
  const serving = await issueCert(pki.ca, { commonName: 'wardle', dnsNames: [`${service.name}.${service.namespace}.svc`], ipAddresses: ['127.0.0.1'], usages: ['server'] });
  const backend: WardleBackend = { port: 0, requests: [], refused: 0, close: async () => undefined };
  const server: Server = createServer({ cert: serving.cert, key: serving.key, ca: pki.frontProxyCA.cert, requestCert: true, rejectUnauthorized: false }, (req, res) => {
    const socket = req.socket as TLSSocket;
    if (!socket.authorized || socket.getPeerCertificate().subject?.CN !== 'front-proxy-client') {
      backend.refused++;
      return send(res, 401, { kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'Unauthorized', code: 401, message: 'Unauthorized' });
    }
    backend.requests.push({ path: req.url ?? '', headers: req.headers });
    handle(req, res);
  });
  // Upgrades (exec-style streams): answer 101 naming the user, then echo every byte back.
  server.on('upgrade', (req: IncomingMessage, socket: TLSSocket) => {
    if (!socket.authorized) return socket.destroy();
    socket.write(`HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: ${req.headers.upgrade}\r\nX-Seen-User: ${req.headers['x-remote-user']}\r\n\r\n`);
    socket.pipe(socket);
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  backend.port = (server.address() as AddressInfo).port;
  backend.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return backend;
}
