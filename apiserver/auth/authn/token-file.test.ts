import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TokenFileAuthenticator, loadTokenFile } from './token-file.js';

const FILE = [
  'abc123,alice,1001,"system:masters,dev"',
  '',
  '   ',
  'def456,bob,1002',
  '"tok,with,commas",carol,1003,ops',
  'ghi789,dave,1004,""',
  ',empty-token,1005',
  '',
].join('\n');

test('token file: records, quoted groups, optional groups, blank lines', () => {
  const auth = TokenFileAuthenticator.fromCSV(FILE);
  assert.deepEqual(auth.authenticateToken('abc123'), { user: { username: 'alice', uid: '1001', groups: ['system:masters', 'dev'] } });
  assert.deepEqual(auth.authenticateToken('def456'), { user: { username: 'bob', uid: '1002', groups: [] } });
  assert.deepEqual(auth.authenticateToken('tok,with,commas'), { user: { username: 'carol', uid: '1003', groups: ['ops'] } });
  assert.deepEqual(auth.authenticateToken('ghi789'), { user: { username: 'dave', uid: '1004', groups: [] } });
  assert.equal(auth.size, 4, 'the record with an empty token is skipped');
});

test('token file: an unknown or empty token is not this authenticator\'s', () => {
  const auth = TokenFileAuthenticator.fromCSV(FILE);
  assert.equal(auth.authenticateToken('nope'), undefined);
  assert.equal(auth.authenticateToken(''), undefined);
  assert.equal(auth.authenticateToken('ABC123'), undefined);
});

test('token file: a result is a copy; editing it does not change the file\'s user', () => {
  const auth = TokenFileAuthenticator.fromCSV(FILE);
  auth.authenticateToken('abc123')!.user.groups.push('injected');
  assert.deepEqual(auth.authenticateToken('abc123')!.user.groups, ['system:masters', 'dev']);
});

test('token file: a repeated token — the last record wins, as in Kubernetes', () => {
  const auth = TokenFileAuthenticator.fromCSV('t,first,1\nt,second,2\n');
  assert.equal(auth.authenticateToken('t')!.user.username, 'second');
});

test('token file: a malformed file is one error naming the file and line', () => {
  assert.throws(() => TokenFileAuthenticator.fromCSV('a,b,c\n\nd,e\n', '/etc/k/tokens.csv'), {
    message: 'token file "/etc/k/tokens.csv": line 3: must have at least 3 columns (token, user name, user uid), found 2',
  });
  assert.throws(() => TokenFileAuthenticator.fromCSV('a,b,c\nd,e,f\n"unterminated,g,h\n', 'x.csv'), (err: Error) =>
    /^token file "x\.csv": line \d+: .*quote/i.test(err.message) && !err.message.includes('\n'));
  assert.throws(() => TokenFileAuthenticator.fromCSV('a,b"c,d\n', 'y.csv'), { message: /^token file "y\.csv": line 1: / });
});

test('loadTokenFile: reads a file; a missing file names it', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tokenfile-'));
  try {
    const path = join(dir, 'tokens.csv');
    writeFileSync(path, 'secret-token,admin,admin-uid,system:masters\n');
    assert.deepEqual(loadTokenFile(path).authenticateToken('secret-token'), { user: { username: 'admin', uid: 'admin-uid', groups: ['system:masters'] } });
    assert.throws(() => loadTokenFile(join(dir, 'missing.csv')), { message: /^token file ".*missing\.csv": ENOENT/ });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
