import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuthenticationError } from '../types.js';
import { BasicAuthAuthenticator, loadBasicAuthFile, parseBasicAuth } from './basic-auth.js';

const FILE = 'p@ss:w0rd,alice,1001,"system:masters,dev"\n\n"pw,with,commas",bob,1002\n';
const basic = (user: string, password: string, scheme = 'Basic') => ({
  headers: { authorization: `${scheme} ${Buffer.from(`${user}:${password}`).toString('base64')}` },
});
const isAuthError = (err: unknown) => err instanceof AuthenticationError && err.message === 'invalid username/password combination';

test('basic auth: good credentials give the file\'s user and groups', () => {
  const auth = BasicAuthAuthenticator.fromCSV(FILE);
  assert.deepEqual(auth.authenticate(basic('alice', 'p@ss:w0rd')), { user: { username: 'alice', uid: '1001', groups: ['system:masters', 'dev'] } });
  assert.deepEqual(auth.authenticate(basic('bob', 'pw,with,commas', 'basic')), { user: { username: 'bob', uid: '1002', groups: [] } });
});

test('basic auth: a wrong password or an unknown user is an AuthenticationError', () => {
  const auth = BasicAuthAuthenticator.fromCSV(FILE);
  assert.throws(() => auth.authenticate(basic('alice', 'p@ss:w0rd!')), isAuthError);
  assert.throws(() => auth.authenticate(basic('alice', '')), isAuthError);
  assert.throws(() => auth.authenticate(basic('mallory', 'p@ss:w0rd')), isAuthError);
  assert.throws(() => auth.authenticate(basic('Alice', 'p@ss:w0rd')), isAuthError);
});

test('basic auth: no Basic credential is no credential', () => {
  const auth = BasicAuthAuthenticator.fromCSV(FILE);
  assert.equal(auth.authenticate({ headers: {} }), undefined);
  assert.equal(auth.authenticate({ headers: { authorization: 'Bearer abc' } }), undefined);
  assert.equal(auth.authenticate({ headers: { authorization: 'Basic !!!notbase64' } }), undefined);
  assert.equal(auth.authenticate({ headers: { authorization: `Basic ${Buffer.from('no-colon').toString('base64')}` } }), undefined);
});

test('parseBasicAuth: the password may hold colons; the user name may not', () => {
  assert.deepEqual(parseBasicAuth(`BASIC ${Buffer.from('u:a:b').toString('base64')}`), { username: 'u', password: 'a:b' });
  assert.deepEqual(parseBasicAuth(`Basic ${Buffer.from(':').toString('base64')}`), { username: '', password: '' });
  assert.equal(parseBasicAuth('Basic'), undefined);
});

test('basic auth file: malformed → one error naming the line; loads from disk', () => {
  assert.throws(() => BasicAuthAuthenticator.fromCSV('pw,alice,1\npw2,bob\n', '/etc/k/basic.csv'), {
    message: 'password file "/etc/k/basic.csv": line 2: must have at least 3 columns (password, user name, user uid), found 2',
  });
  const dir = mkdtempSync(join(tmpdir(), 'basicauth-'));
  try {
    const path = join(dir, 'basic.csv');
    writeFileSync(path, 'secret,admin,0,system:masters\n');
    assert.equal(loadBasicAuthFile(path).authenticate(basic('admin', 'secret'))?.user.username, 'admin');
    assert.throws(() => loadBasicAuthFile(join(dir, 'nope.csv')), { message: /^password file ".*nope\.csv": ENOENT/ });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
