import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate, createPrivateKey, createPublicKey, sign, verify, webcrypto } from 'node:crypto';
import 'reflect-metadata'; // before @peculiar/x509: its tsyringe wiring needs the Reflect metadata API
import * as x509 from '@peculiar/x509';
import {
  describeCert,
  isSignedBy,
  issueCert,
  keyMatchesCert,
  newCA,
  newServiceAccountKeyPair,
  publicKeyOf,
} from './x509.js';

const DAY = 24 * 60 * 60 * 1000;
const SERVER_AUTH = '1.3.6.1.5.5.7.3.1';
const CLIENT_AUTH = '1.3.6.1.5.5.7.3.2';

/** Whether `date` lies within `days` of now, give or take the 5-minute backdating and a minute. */
function aboutDaysFromNow(date: Date, days: number): boolean {
  return Math.abs(date.getTime() - (Date.now() + days * DAY)) < 6 * 60 * 1000;
}

describe('newCA', () => {
  test('is a self-signed CA with the CA key usages, valid ten years', async () => {
    const ca = await newCA('tskube-ca');
    const cert = new X509Certificate(ca.cert);
    assert.equal(cert.subject, 'CN=tskube-ca');
    assert.equal(cert.issuer, 'CN=tskube-ca');
    assert.equal(cert.ca, true);
    assert.ok(cert.verify(cert.publicKey), 'self-signed signature verifies');
    assert.ok(cert.checkPrivateKey(createPrivateKey(ca.key)));
    assert.match(ca.key, /^-----BEGIN PRIVATE KEY-----\n/);
    assert.equal(createPrivateKey(ca.key).asymmetricKeyDetails?.namedCurve, 'prime256v1');
    assert.ok(aboutDaysFromNow(new Date(cert.validTo), 3650));

    const parsed = new x509.X509Certificate(ca.cert);
    const basic = parsed.getExtension(x509.BasicConstraintsExtension);
    assert.equal(basic?.ca, true);
    assert.equal(basic?.critical, true);
    const usage = parsed.getExtension(x509.KeyUsagesExtension);
    assert.equal(usage?.critical, true);
    assert.equal(
      usage?.usages,
      x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign | x509.KeyUsageFlags.digitalSignature,
    );
    assert.ok(parsed.getExtension(x509.SubjectKeyIdentifierExtension)?.keyId);
  });

  test('honours validityDays', async () => {
    const ca = await newCA('short', { validityDays: 10 });
    assert.ok(aboutDaysFromNow(describeCert(ca.cert).notAfter, 10));
  });
});

describe('issueCert', () => {
  test('a server certificate carries its SANs and serverAuth and verifies against the CA', async () => {
    const ca = await newCA('tskube-ca');
    const kc = await issueCert(ca, {
      commonName: 'kube-apiserver',
      dnsNames: ['localhost', 'kubernetes.default.svc'],
      ipAddresses: ['127.0.0.1', '10.96.0.1', '::1'],
      usages: ['server'],
    });
    const cert = new X509Certificate(kc.cert);
    const caCert = new X509Certificate(ca.cert);
    assert.equal(cert.subject, 'CN=kube-apiserver');
    assert.equal(cert.issuer, 'CN=tskube-ca');
    assert.ok(cert.checkIssued(caCert));
    assert.ok(cert.verify(caCert.publicKey));
    assert.ok(cert.checkPrivateKey(createPrivateKey(kc.key)));
    assert.equal(cert.ca, false);
    assert.deepEqual(cert.keyUsage, [SERVER_AUTH]);
    assert.equal(cert.checkHost('kubernetes.default.svc'), 'kubernetes.default.svc');
    assert.equal(cert.checkHost('evil.example'), undefined);
    assert.equal(cert.checkIP('10.96.0.1'), '10.96.0.1');
    assert.equal(cert.checkIP('10.96.0.2'), undefined);
    assert.match(cert.subjectAltName ?? '', /IP Address:0:0:0:0:0:0:0:1/);
    // Backdated for clock skew, one year by default.
    const from = new Date(cert.validFrom).getTime();
    assert.ok(from < Date.now() - 60_000 && from > Date.now() - 10 * 60_000, `validFrom ${cert.validFrom}`);
    assert.ok(aboutDaysFromNow(new Date(cert.validTo), 365));

    const parsed = new x509.X509Certificate(kc.cert);
    assert.equal(parsed.getExtension(x509.KeyUsagesExtension)?.usages, x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment);
    assert.equal(
      parsed.getExtension(x509.AuthorityKeyIdentifierExtension)?.keyId,
      new x509.X509Certificate(ca.cert).getExtension(x509.SubjectKeyIdentifierExtension)?.keyId,
    );
  });

  test('a client certificate has its organizations, clientAuth and no SAN', async () => {
    const ca = await newCA('tskube-ca');
    const kc = await issueCert(ca, { commonName: 'kubernetes-admin', organizations: ['system:masters', 'team-a'], usages: ['client'], validityDays: 30 });
    const cert = new X509Certificate(kc.cert);
    assert.equal(cert.subject, 'O=system:masters\nO=team-a\nCN=kubernetes-admin');
    assert.deepEqual(cert.keyUsage, [CLIENT_AUTH]);
    assert.equal(cert.subjectAltName, undefined);
    assert.ok(aboutDaysFromNow(new Date(cert.validTo), 30));
  });

  test('both usages at once; serial numbers differ between certificates', async () => {
    const ca = await newCA('tskube-ca');
    const a = await issueCert(ca, { commonName: 'x', usages: ['server', 'client'] });
    const b = await issueCert(ca, { commonName: 'x', usages: ['server', 'client'] });
    assert.deepEqual(new X509Certificate(a.cert).keyUsage?.sort(), [SERVER_AUTH, CLIENT_AUTH]);
    assert.notEqual(new X509Certificate(a.cert).serialNumber, new X509Certificate(b.cert).serialNumber);
  });

  test('rejects a spec without usages', async () => {
    const ca = await newCA('tskube-ca');
    await assert.rejects(issueCert(ca, { commonName: 'x', usages: [] }), /no usages/);
  });

  test('signs with an RSA CA key too (a CA brought from kubeadm is RSA)', async () => {
    const keys = (await webcrypto.subtle.generateKey(
      { name: 'RSASSA-PKCS1-v1_5', modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' },
      true,
      ['sign', 'verify'],
    )) as webcrypto.CryptoKeyPair;
    const caCert = await x509.X509CertificateGenerator.createSelfSigned({
      name: 'CN=kubernetes',
      keys,
      extensions: [new x509.BasicConstraintsExtension(true, undefined, true)],
    });
    const ca = {
      cert: caCert.toString('pem'),
      key: createPrivateKey({ key: Buffer.from(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey)), format: 'der', type: 'pkcs8' })
        .export({ type: 'pkcs8', format: 'pem' }) as string,
    };
    const leaf = await issueCert(ca, { commonName: 'kube-proxy', usages: ['client'] });
    assert.ok(isSignedBy(leaf.cert, ca.cert));
  });
});

describe('describeCert', () => {
  test('reads back what was issued', async () => {
    const ca = await newCA('tskube-ca');
    const kc = await issueCert(ca, {
      commonName: 'system:node:node-1',
      organizations: ['system:nodes'],
      dnsNames: ['node-1', 'localhost'],
      ipAddresses: ['127.0.0.1', '172.18.0.3'],
      usages: ['server'],
    });
    const d = describeCert(kc.cert);
    assert.equal(d.commonName, 'system:node:node-1');
    assert.deepEqual(d.organizations, ['system:nodes']);
    assert.deepEqual(d.dnsNames, ['node-1', 'localhost']);
    assert.deepEqual(d.ipAddresses, ['127.0.0.1', '172.18.0.3']);
    assert.deepEqual(d.usages, ['server']);
    assert.equal(d.issuer, 'CN=tskube-ca');
    assert.equal(d.isCA, false);
    assert.ok(d.notBefore.getTime() < Date.now() && d.notAfter.getTime() > Date.now());
    assert.equal(describeCert(ca.cert).isCA, true);
  });

  test('throws on something that is not a certificate', () => {
    assert.throws(() => describeCert('not a cert'));
  });
});

describe('isSignedBy and keyMatchesCert', () => {
  test('a certificate from another CA is not signed by this one', async () => {
    const ca = await newCA('tskube-ca');
    const other = await newCA('tskube-ca'); // same name, different key
    const kc = await issueCert(other, { commonName: 'mallory', usages: ['client'] });
    assert.equal(isSignedBy(kc.cert, other.cert), true);
    assert.equal(isSignedBy(kc.cert, ca.cert), false);
    assert.equal(isSignedBy('garbage', ca.cert), false);
    assert.equal(isSignedBy(kc.cert, 'garbage'), false);
  });

  test('a key matches only its own certificate', async () => {
    const ca = await newCA('tskube-ca');
    const a = await issueCert(ca, { commonName: 'a', usages: ['client'] });
    const b = await issueCert(ca, { commonName: 'b', usages: ['client'] });
    assert.equal(keyMatchesCert(a.cert, a.key), true);
    assert.equal(keyMatchesCert(a.cert, b.key), false);
    assert.equal(keyMatchesCert(a.cert, 'garbage'), false);
  });
});

describe('newServiceAccountKeyPair', () => {
  for (const [alg, type, check] of [
    ['RS256', 'rsa', (k: ReturnType<typeof createPrivateKey>) => assert.equal(k.asymmetricKeyDetails?.modulusLength, 2048)],
    ['ES256', 'ec', (k: ReturnType<typeof createPrivateKey>) => assert.equal(k.asymmetricKeyDetails?.namedCurve, 'prime256v1')],
  ] as const) {
    test(`${alg}: a PKCS#8 private key whose SPKI public key verifies its signatures`, async () => {
      const pair = await newServiceAccountKeyPair(alg);
      assert.match(pair.privateKey, /^-----BEGIN PRIVATE KEY-----\n/);
      assert.match(pair.publicKey, /^-----BEGIN PUBLIC KEY-----\n/);
      const key = createPrivateKey(pair.privateKey);
      assert.equal(key.asymmetricKeyType, type);
      check(key);
      const data = Buffer.from('header.payload');
      assert.ok(verify('sha256', data, createPublicKey(pair.publicKey), sign('sha256', data, key)));
      assert.equal(publicKeyOf(pair.privateKey), pair.publicKey);
    });
  }

  test('defaults to RS256', async () => {
    const pair = await newServiceAccountKeyPair();
    assert.equal(createPrivateKey(pair.privateKey).asymmetricKeyType, 'rsa');
  });
});
