import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import type { PeerCertificate } from 'node:tls';
import { issueCert, newCA, type KeyCert } from '../../../client/cert/x509.js';
import { AuthenticationError, type AuthenticationRequest } from '../types.js';
import { DEFAULT_REQUEST_HEADERS, RequestHeaderAuthenticator, userFromHeaders } from './request-header.js';
import { x509Authenticator } from './x509.js';

/** What Node's TLS layer hands over for a client certificate (the fields the authenticators read). */
function peer(kc: KeyCert, cn: string): PeerCertificate {
  const x = new X509Certificate(kc.cert);
  return { raw: x.raw, subject: { CN: cn }, serialNumber: x.serialNumber, ext_key_usage: ['1.3.6.1.5.5.7.3.2'] } as unknown as PeerCertificate;
}

let frontProxyCA: KeyCert;
let clusterCA: KeyCert;
let proxyClient: KeyCert;
let otherProxy: KeyCert;
let clusterClient: KeyCert;

before(async () => {
  [frontProxyCA, clusterCA] = await Promise.all([newCA('front-proxy-ca'), newCA('cluster-ca')]);
  [proxyClient, otherProxy, clusterClient] = await Promise.all([
    issueCert(frontProxyCA, { commonName: 'front-proxy-client', usages: ['client'] }),
    issueCert(frontProxyCA, { commonName: 'someone-else', usages: ['client'] }),
    issueCert(clusterCA, { commonName: 'alice', usages: ['client'] }),
  ]);
});

const auth = () => new RequestHeaderAuthenticator({ clientCA: frontProxyCA.cert, allowedNames: ['front-proxy-client'], ...DEFAULT_REQUEST_HEADERS });

describe('userFromHeaders', () => {
  test('first non-empty username header, every group value, extras by percent-decoded lower-case key', () => {
    const req: AuthenticationRequest = {
      headers: { 'x-remote-user': 'alice', 'x-remote-group': 'a, b', 'x-remote-extra-scopes': 'x', 'x-remote-extra-acme.com%2fproject': 'p' },
      headersDistinct: { 'x-remote-user': ['alice'], 'x-remote-group': ['a', 'b'], 'x-remote-extra-scopes': ['x'], 'x-remote-extra-acme.com%2fproject': ['p'] },
    };
    assert.deepEqual(userFromHeaders(req, DEFAULT_REQUEST_HEADERS), { username: 'alice', groups: ['a', 'b'], extra: { scopes: ['x'], 'acme.com/project': ['p'] } });
    assert.equal(userFromHeaders({ headers: { 'x-remote-group': 'a' } }, DEFAULT_REQUEST_HEADERS), undefined);
  });
});

describe('RequestHeaderAuthenticator', () => {
  test('the front proxy\'s certificate with headers is the named user; the headers are removed', () => {
    const headers: AuthenticationRequest['headers'] = { 'x-remote-user': 'bob', 'x-remote-group': 'devs', 'x-remote-extra-foo': 'bar', accept: 'x' };
    const r = auth().authenticate({ headers, peerCertificate: peer(proxyClient, 'front-proxy-client'), peerCertificateAuthorized: true });
    assert.deepEqual(r?.user, { username: 'bob', groups: ['devs'], extra: { foo: ['bar'] } });
    assert.deepEqual(headers, { accept: 'x' });
  });

  test('no username header: not this authenticator\'s request', () => {
    assert.equal(auth().authenticate({ headers: {}, peerCertificate: peer(proxyClient, 'front-proxy-client') }), undefined);
    assert.equal(auth().authenticate({ headers: { 'x-remote-user': 'bob' } }), undefined);
  });

  test('a certificate from another CA, or a common name not allowed, is an error', () => {
    assert.throws(() => auth().authenticate({ headers: { 'x-remote-user': 'bob' }, peerCertificate: peer(clusterClient, 'alice') }), AuthenticationError);
    assert.throws(() => auth().authenticate({ headers: { 'x-remote-user': 'bob' }, peerCertificate: peer(otherProxy, 'someone-else') }), /x509: subject with cn=someone-else is not in the allowed list/);
  });
});

describe('x509 next to requestheader', () => {
  test('only the client CA\'s certificates name users, though TLS trusts the front-proxy CA too', () => {
    const x509 = x509Authenticator([new X509Certificate(clusterCA.cert)]);
    assert.equal(x509.authenticate({ headers: {}, peerCertificate: peer(clusterClient, 'alice'), peerCertificateAuthorized: true })?.user.username, 'alice');
    assert.throws(() => x509.authenticate({ headers: {}, peerCertificate: peer(proxyClient, 'front-proxy-client'), peerCertificateAuthorized: true }), AuthenticationError);
  });
});
