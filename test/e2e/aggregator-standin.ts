// A test stand-in for the kube-apiserver's aggregation layer, so clients can be tested against
// metrics-server before (and apart from) the apiserver's own aggregator: an HTTPS front with
// the apiserver's serving certificate that authenticates the caller's client certificate, sends
// /apis/metrics.k8s.io/… to metrics-server under the front-proxy certificate with the caller in
// X-Remote-User/X-Remote-Group (what the aggregator does), adds metrics.k8s.io to /apis, and
// passes everything else to the apiserver impersonating the caller (so the apiserver still
// authorizes as them). Buffered requests only: enough for `top`, not for watches or exec.
import { createServer, type Server } from 'node:https';
import type { TLSSocket } from 'node:tls';
import { Agent, request } from 'undici';
import type { KeyCert } from '../../client/cert/x509.js';
import type { TestApiserver } from '../harness/apiserver.js';
import { apiGroup } from '../../metrics-server/discovery.js';

export interface AggregatorStandIn {
  url: string;
  close(): Promise<void>;
}

const FORWARDED = ['accept', 'content-type'];

export async function startAggregatorStandIn(api: TestApiserver, metricsServerUrl: string, frontProxyClient: KeyCert): Promise<AggregatorStandIn> {
  const toApi = new Agent({ connect: { ca: api.pki.ca.cert, cert: api.pki.admin.cert, key: api.pki.admin.key } });
  const toMetrics = new Agent({ connect: { ca: api.pki.ca.cert, cert: frontProxyClient.cert, key: frontProxyClient.key } });
  const server: Server = createServer({ cert: api.pki.apiserver.cert, key: api.pki.apiserver.key, ca: api.pki.ca.cert, requestCert: true, rejectUnauthorized: false }, (req, res) => {
    void (async () => {
      const socket = req.socket as TLSSocket;
      const peer = socket.getPeerCertificate();
      if (!socket.authorized || !peer.subject?.CN) {
        res.writeHead(401, { 'content-type': 'application/json' }).end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'Unauthorized', code: 401 }));
        return;
      }
      const user = String(peer.subject.CN);
      const o = peer.subject.O;
      const groups = o === undefined ? [] : Array.isArray(o) ? o : [o];
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      const headers: Record<string, string | string[]> = {};
      for (const h of FORWARDED) if (typeof req.headers[h] === 'string') headers[h] = req.headers[h];
      const path = req.url ?? '/';
      const metrics = path.startsWith('/apis/metrics.k8s.io');
      const target: { url: string; dispatcher: Agent; headers: Record<string, string | string[]> } = metrics
        ? { url: `${metricsServerUrl}${path}`, dispatcher: toMetrics, headers: { ...headers, 'x-remote-user': user, 'x-remote-group': [...groups, 'system:authenticated'] } }
        : { url: `${api.url}${path}`, dispatcher: toApi, headers: { ...headers, 'impersonate-user': user, ...(groups.length ? { 'impersonate-group': groups } : {}) } };
      // Discovery of the groups: the legacy list, with the aggregated group added.
      if (path.split('?')[0] === '/apis') target.headers.accept = 'application/json';
      const r = await request(target.url, { method: req.method as 'GET', dispatcher: target.dispatcher, headers: target.headers, ...(chunks.length ? { body: Buffer.concat(chunks) } : {}) });
      let body = Buffer.from(await r.body.arrayBuffer());
      if (path.split('?')[0] === '/apis' && r.statusCode === 200) {
        const list = JSON.parse(body.toString()) as { groups: unknown[] };
        const { kind: _k, apiVersion: _v, ...group } = apiGroup();
        list.groups.push(group);
        body = Buffer.from(JSON.stringify(list));
      }
      res.writeHead(r.statusCode, { 'content-type': String(r.headers['content-type'] ?? 'application/json') }).end(body);
    })().catch((e: unknown) => {
      if (!res.headersSent) res.writeHead(503, { 'content-type': 'text/plain' });
      res.end(String(e));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  return {
    url: `https://127.0.0.1:${port}`,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await toApi.close();
      await toMetrics.close();
    },
  };
}
