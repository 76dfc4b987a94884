// The certificates in a real TLS handshake (node:https both ends): mutual authentication the
// way the apiserver will do it, with the test PKI the integration tests use.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, request, type Server } from 'node:https';
import type { TLSSocket } from 'node:tls';
import type { AddressInfo } from 'node:net';
import { createPrivateKey } from 'node:crypto';
import { newCA, issueCert, describeCert, isSignedBy, publicKeyOf, type KeyCert } from './x509.js';
import { testPki, type TestPki } from '../../test/harness/pki.js';

interface Seen {
  authorized: boolean;
  authorizationError?: string;
  subject?: { CN: string; O?: string | string[] };
}

describe('TLS with the test PKI', () => {
  let pki: TestPki;
  let server: Server;
  let port: number;

  before(async () => {
    pki = await testPki();
    server = createServer(
      { cert: pki.apiserver.cert, key: pki.apiserver.key, ca: pki.ca.cert, requestCert: true, rejectUnauthorized: false },
      (req, res) => {
        const socket = req.socket as TLSSocket;
        const peer = socket.getPeerCertificate();
        const seen: Seen = {
          authorized: socket.authorized,
          ...(socket.authorizationError ? { authorizationError: String(socket.authorizationError) } : {}),
          ...(peer && peer.subject ? { subject: { CN: peer.subject.CN as string, O: peer.subject.O } } : {}),
        };
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify(seen));
      },
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });

  after(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  function get(opts: { ca: string; client?: KeyCert; servername?: string }): Promise<Seen> {
    return new Promise((resolve, reject) => {
      const req = request(
        {
          host: '127.0.0.1',
          port,
          path: '/',
          ca: opts.ca,
          ...(opts.client ? { cert: opts.client.cert, key: opts.client.key } : {}),
          ...(opts.servername ? { servername: opts.servername } : {}),
          agent: false,
        },
        (res) => {
          let body = '';
          res.setEncoding('utf8');
          res.on('data', (c: string) => (body += c));
          res.on('end', () => resolve(JSON.parse(body) as Seen));
        },
      );
      req.on('error', reject);
      req.end();
    });
  }

  test('the test PKI holds what it says, made once per process', async () => {
    assert.equal(await testPki(), pki);
    assert.deepEqual(describeCert(pki.apiserver.cert).ipAddresses, ['127.0.0.1']);
    assert.ok(describeCert(pki.apiserver.cert).dnsNames.includes('localhost'));
    assert.deepEqual(describeCert(pki.admin.cert).organizations, ['system:masters']);
    const kubeletClient = describeCert(pki.kubeletClient.cert);
    assert.equal(kubeletClient.commonName, 'kube-apiserver-kubelet-client');
    assert.deepEqual(kubeletClient.organizations, []);
    assert.equal(createPrivateKey(pki.serviceAccount.privateKey).asymmetricKeyType, 'ec');
    assert.equal(publicKeyOf(pki.serviceAccount.privateKey), pki.serviceAccount.publicKey);
    for (const kc of [pki.apiserver, pki.admin, pki.kubeletClient]) assert.ok(isSignedBy(kc.cert, pki.ca.cert));
  });

  test('the admin certificate is authorized and the server sees its CN and O', async () => {
    const seen = await get({ ca: pki.ca.cert, client: pki.admin });
    assert.equal(seen.authorized, true);
    assert.equal(seen.subject?.CN, 'kubernetes-admin');
    assert.equal(seen.subject?.O, 'system:masters');
  });

  test('a per-user client certificate carries the user and its groups', async () => {
    const jane = await pki.client('jane', ['dev', 'ops']);
    assert.equal(await pki.client('jane', ['dev', 'ops']), jane, 'memoised');
    const seen = await get({ ca: pki.ca.cert, client: jane });
    assert.equal(seen.authorized, true);
    assert.equal(seen.subject?.CN, 'jane');
    assert.deepEqual(seen.subject?.O, ['dev', 'ops']);
  });

  test('a client certificate from another CA is not authorized', async () => {
    const other = await newCA('tskube-ca');
    const mallory = await issueCert(other, { commonName: 'kubernetes-admin', organizations: ['system:masters'], usages: ['client'] });
    const seen = await get({ ca: pki.ca.cert, client: mallory });
    assert.equal(seen.authorized, false);
    assert.ok(seen.authorizationError, 'the server says why');
  });

  test('no client certificate: the connection is anonymous, not authorized', async () => {
    const seen = await get({ ca: pki.ca.cert });
    assert.equal(seen.authorized, false);
    assert.equal(seen.subject, undefined);
  });

  test('the client verifies the server for 127.0.0.1 and for kubernetes.default.svc', async () => {
    assert.equal((await get({ ca: pki.ca.cert, client: pki.admin })).authorized, true);
    assert.equal((await get({ ca: pki.ca.cert, client: pki.admin, servername: 'kubernetes.default.svc' })).authorized, true);
    await assert.rejects(get({ ca: pki.ca.cert, servername: 'evil.example' }), { code: 'ERR_TLS_CERT_ALTNAME_INVALID' });
  });

  test('a client trusting another CA rejects the server', async () => {
    const other = await newCA('tskube-ca');
    await assert.rejects(get({ ca: other.cert }), (e: Error) => /certificate/i.test(e.message));
  });

  test('a kubelet serving certificate serves its node name', async () => {
    const serving = await pki.kubeletServing('node-1');
    assert.equal(await pki.kubeletServing('node-1'), serving, 'memoised');
    const kubelet = createServer({ cert: serving.cert, key: serving.key }, (_req, res) => res.end('ok'));
    await new Promise<void>((resolve) => kubelet.listen(0, '127.0.0.1', resolve));
    try {
      const kport = (kubelet.address() as AddressInfo).port;
      for (const servername of ['node-1', 'localhost', undefined]) {
        const body = await new Promise<string>((resolve, reject) => {
          const req = request(
            { host: '127.0.0.1', port: kport, ca: pki.ca.cert, ...(servername ? { servername } : {}), agent: false },
            (res) => {
              let b = '';
              res.on('data', (c: Buffer) => (b += c.toString()));
              res.on('end', () => resolve(b));
            },
          );
          req.on('error', reject);
          req.end();
        });
        assert.equal(body, 'ok');
      }
    } finally {
      kubelet.closeAllConnections();
      await new Promise<void>((resolve) => kubelet.close(() => resolve()));
    }
  });
});
