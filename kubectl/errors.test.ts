import assert from 'node:assert/strict';
import { test } from 'node:test';
import { StatusError } from '../api/status.js';
import { formatError } from './errors.js';

const tlsError = (code: string, extra: object = {}): Error => Object.assign(new Error(code), { code, ...extra });

test("TLS failures read as Go's, after kubectl's 'Unable to connect to the server'", () => {
  for (const code of ['UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'SELF_SIGNED_CERT_IN_CHAIN', 'DEPTH_ZERO_SELF_SIGNED_CERT']) {
    assert.equal(formatError(tlsError(code), 'https://h:6443'), 'Unable to connect to the server: tls: failed to verify certificate: x509: certificate signed by unknown authority');
  }
  const cert = { subjectaltname: 'DNS:localhost, DNS:kubernetes, IP Address:127.0.0.1' };
  assert.equal(
    formatError(tlsError('ERR_TLS_CERT_ALTNAME_INVALID', { host: 'foo.example', cert })),
    'Unable to connect to the server: tls: failed to verify certificate: x509: certificate is valid for localhost, kubernetes, not foo.example',
  );
  assert.equal(
    formatError(new Error('fetch failed', { cause: tlsError('ERR_TLS_CERT_ALTNAME_INVALID', { host: '10.0.0.9', cert }) })),
    'Unable to connect to the server: tls: failed to verify certificate: x509: certificate is valid for 127.0.0.1, not 10.0.0.9',
  );
  assert.equal(
    formatError(tlsError('ERR_TLS_CERT_ALTNAME_INVALID', { host: '10.0.0.9', cert: { subjectaltname: 'DNS:a' } })),
    "Unable to connect to the server: tls: failed to verify certificate: x509: cannot validate certificate for 10.0.0.9 because it doesn't contain any IP SANs",
  );
});

test('401 is "You must be logged in"; connection failures name the server', () => {
  assert.equal(formatError(new StatusError(401, 'Unauthorized', 'Unauthorized')), 'error: You must be logged in to the server (Unauthorized)');
  assert.equal(formatError(tlsError('ECONNREFUSED'), 'https://10.0.0.1:6443'), 'The connection to the server 10.0.0.1:6443 was refused - did you specify the right host or port?');
  assert.equal(formatError(tlsError('EHOSTUNREACH'), 'https://10.0.0.1:6443'), 'Unable to connect to the server: dial tcp 10.0.0.1:6443: connect: no route to host');
});
