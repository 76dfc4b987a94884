// Client certificates over a real TLS handshake: node:https with requestCert and
// rejectUnauthorized false (the apiserver's setting), certificates made with @peculiar/x509.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, webcrypto } from 'node:crypto';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
// @peculiar/x509 needs the reflect-metadata polyfill loaded before it.
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { AuthenticationError, type AuthenticationRequest } from '../types.js';
import { X509Authenticator } from './x509.js';

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);
type CryptoKeyPair = webcrypto.CryptoKeyPair;
const ALG = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };
const DAY = 86_400_000;

interface Issued { cert: x509.X509Certificate; keys: CryptoKeyPair; certPem: string; keyPem: string }

async function pemOf(cert: x509.X509Certificate, keys: CryptoKeyPair): Promise<Issued> {
  const pkcs8 = await webcrypto.subtle.exportKey('pkcs8', keys.privateKey);
  const b64 = Buffer.from(pkcs8).toString('base64').replace(/.{64}/g, '$&\n');
  return { cert, keys, certPem: cert.toString('pem'), keyPem: `-----BEGIN PRIVATE KEY-----\n${b64}\n-----END PRIVATE KEY-----\n` };
}

async function makeCA(name: string): Promise<Issued> {
  const keys = (await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify'])) as CryptoKeyPair;
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    name: `CN=${name}`, keys, signingAlgorithm: ALG, notBefore: new Date(Date.now() - DAY), notAfter: new Date(Date.now() + DAY),
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return pemOf(cert, keys);
}

async function issue(ca: Issued, subject: string, o: { eku?: string[]; notBefore?: Date; notAfter?: Date; san?: boolean } = {}): Promise<Issued> {
  const keys = (await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify'])) as CryptoKeyPair;
  const extensions: x509.Extension[] = [
    new x509.BasicConstraintsExtension(false, undefined, true),
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
    await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    await x509.AuthorityKeyIdentifierExtension.create(ca.keys.publicKey),
  ];
  if (o.eku) extensions.push(new x509.ExtendedKeyUsageExtension(o.eku, false));
  if (o.san) extensions.push(new x509.SubjectAlternativeNameExtension([{ type: 'ip', value: '127.0.0.1' }, { type: 'dns', value: 'localhost' }]));
  const cert = await x509.X509CertificateGenerator.create({
    subject, issuer: ca.cert.subject, publicKey: keys.publicKey, signingKey: ca.keys.privateKey, signingAlgorithm: ALG,
    notBefore: o.notBefore ?? new Date(Date.now() - DAY), notAfter: o.notAfter ?? new Date(Date.now() + DAY), extensions,
  });
  return pemOf(cert, keys);
}

const CLIENT_AUTH = x509.ExtendedKeyUsage.clientAuth;
const SERVER_AUTH = x509.ExtendedKeyUsage.serverAuth;

let server: https.Server;
let port: number;
let ca: Issued;
const certs: Record<string, Issued> = {};
const authenticator = new X509Authenticator();

before(async () => {
  ca = await makeCA('tskube-client-ca');
  const otherCA = await makeCA('someone-else');
  const serverCert = await issue(ca, 'CN=kube-apiserver', { eku: [SERVER_AUTH], san: true });
  certs.alice = await issue(ca, 'CN=alice, O=dev, O=system:masters', { eku: [CLIENT_AUTH] });
  certs.node = await issue(ca, 'CN=system:node:n1, O=system:nodes', { eku: [SERVER_AUTH, CLIENT_AUTH] });
  certs.noEku = await issue(ca, 'CN=legacy-client');
  certs.noCN = await issue(ca, 'O=dev', { eku: [CLIENT_AUTH] });
  certs.serverOnly = await issue(ca, 'CN=mallory', { eku: [SERVER_AUTH] });
  certs.expired = await issue(ca, 'CN=old', { eku: [CLIENT_AUTH], notBefore: new Date(Date.now() - 10 * DAY), notAfter: new Date(Date.now() - DAY) });
  certs.foreign = await issue(otherCA, 'CN=alice, O=system:masters', { eku: [CLIENT_AUTH] });

  server = https.createServer({ key: serverCert.keyPem, cert: serverCert.certPem, ca: ca.certPem, requestCert: true, rejectUnauthorized: false }, async (req, res) => {
    const socket = req.socket as TLSSocket;
    // What the lead's handler chain hands the authenticator.
    const areq: AuthenticationRequest = {
      headers: req.headers,
      peerCertificate: socket.getPeerCertificate(true),
      peerCertificateAuthorized: socket.authorized,
      peerCertificateError: socket.authorizationError ? String(socket.authorizationError) : undefined,
    };
    let body: unknown;
    try {
      body = { result: (await authenticator.authenticate(areq)) ?? null };
    } catch (err) {
      body = { error: err instanceof Error ? err.message : String(err), authError: err instanceof AuthenticationError };
    }
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify(body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});

after(() => new Promise<void>((resolve) => server.close(() => resolve())));

function call(client?: Issued): Promise<{ result?: { user: unknown } | null; error?: string; authError?: boolean }> {
  return new Promise((resolve, reject) => {
    const req = https.request({
      host: '127.0.0.1', port, path: '/api', ca: ca.certPem, agent: false,
      ...(client ? { key: client.keyPem, cert: client.certPem } : {}),
    }, (res) => {
      let data = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (data += c));
      res.on('end', () => resolve(JSON.parse(data)));
    });
    req.on('error', reject);
    req.end();
  });
}

const sha256 = (i: Issued) => createHash('sha256').update(Buffer.from(i.cert.rawData)).digest('hex');

test('x509: CN is the user, every O a group; credential id is the certificate hash', async () => {
  assert.deepEqual(await call(certs.alice), {
    result: { user: { username: 'alice', groups: ['dev', 'system:masters'], extra: { 'authentication.kubernetes.io/credential-id': [`X509SHA256=${sha256(certs.alice)}`] } } },
  });
  const node = await call(certs.node);
  assert.deepEqual((node.result?.user as { username: string; groups: string[] }).groups, ['system:nodes']);
  assert.equal((node.result?.user as { username: string }).username, 'system:node:n1');
});

test('x509: no certificate, or one without a CN, is no credential', async () => {
  assert.deepEqual(await call(), { result: null });
  assert.deepEqual(await call(certs.noCN), { result: null });
});

test('x509: a certificate without extended key usage may authenticate (Go: any usage)', async () => {
  assert.equal(((await call(certs.noEku)).result?.user as { username: string }).username, 'legacy-client');
});

test('x509: a certificate without the clientAuth usage is an AuthenticationError', async () => {
  const r = await call(certs.serverOnly);
  assert.equal(r.authError, true);
  // OpenSSL already refuses its purpose (ssl_client) during the handshake; Node reports that reason.
  assert.match(r.error ?? '', /^verifying certificate SN=\d+, CN=mallory failed: INVALID_PURPOSE$/);
});

test('x509: expired and foreign-CA certificates are AuthenticationErrors with Node\'s reason', async () => {
  const expired = await call(certs.expired);
  assert.equal(expired.authError, true);
  assert.match(expired.error ?? '', /failed: CERT_HAS_EXPIRED$/);
  const foreign = await call(certs.foreign);
  assert.equal(foreign.authError, true);
  assert.match(foreign.error ?? '', /failed: UNABLE_TO_VERIFY_LEAF_SIGNATURE$/);
});

test('x509: the clientAuth check itself, for a verified certificate the TLS layer let through', () => {
  // A server layer that verifies chains without OpenSSL's purpose check would hand over such a certificate.
  const raw = Buffer.from(certs.serverOnly.cert.rawData);
  const peer = { raw, subject: { CN: 'mallory' }, serialNumber: '0A', ext_key_usage: [SERVER_AUTH] } as unknown as AuthenticationRequest['peerCertificate'];
  assert.throws(() => authenticator.authenticate({ headers: {}, peerCertificate: peer, peerCertificateAuthorized: true }),
    (e: unknown) => e instanceof AuthenticationError && /^verifying certificate SN=10, CN=mallory failed: x509: certificate specifies an incompatible key usage$/.test(e.message));
  const anyEku = { ...peer, ext_key_usage: ['2.5.29.37.0'] } as AuthenticationRequest['peerCertificate'];
  assert.equal(authenticator.authenticate({ headers: {}, peerCertificate: anyEku, peerCertificateAuthorized: true })?.user.username, 'mallory');
  // An intermediate without clientAuth breaks the chain too (Go checks every certificate).
  const leaf = { ...peer, ext_key_usage: [CLIENT_AUTH], issuerCertificate: { ...peer, ext_key_usage: [SERVER_AUTH] } } as unknown as AuthenticationRequest['peerCertificate'];
  assert.throws(() => authenticator.authenticate({ headers: {}, peerCertificate: leaf, peerCertificateAuthorized: true }), AuthenticationError);
  // Node's {} for "no certificate".
  assert.equal(authenticator.authenticate({ headers: {}, peerCertificate: {} as AuthenticationRequest['peerCertificate'] }), undefined);
});
