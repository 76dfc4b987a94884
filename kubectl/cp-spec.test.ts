// kubectl cp's file specifications and path rules.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FILESPEC_FORMAT, localTarget, parseFileSpec, remoteDestination, remotePrefix, stripPathShortcuts } from './cp-spec.js';

test('file specs: local, pod:path, namespace/pod:path; malformed ones refused', () => {
  assert.deepEqual(parseFileSpec('./a.txt'), { file: './a.txt' });
  assert.deepEqual(parseFileSpec('web:/tmp/a'), { pod: 'web', file: '/tmp/a' });
  assert.deepEqual(parseFileSpec('prod/web:/tmp/a'), { namespace: 'prod', pod: 'web', file: '/tmp/a' });
  assert.deepEqual(parseFileSpec('web:'), { pod: 'web', file: '' });
  assert.throws(() => parseFileSpec(':/tmp'), { message: FILESPEC_FORMAT });
  assert.throws(() => parseFileSpec('a/b/c:/tmp'), { message: FILESPEC_FORMAT });
});

test('the prefix tar gives member names', () => {
  assert.equal(remotePrefix('/tmp/a.txt'), 'tmp/a.txt');
  assert.equal(remotePrefix('//tmp/./d/'), 'tmp/d');
  assert.equal(remotePrefix('../../etc'), 'etc');
  assert.equal(stripPathShortcuts('..'), '');
  assert.equal(stripPathShortcuts('/x'), 'x');
});

test('members land under the destination; names outside it are skipped; foreign prefixes are corruption', () => {
  assert.equal(localTarget('/out/f.txt', 'tmp/f.txt', 'tmp/f.txt'), '/out/f.txt');
  assert.equal(localTarget('/out/d', 'tmp/d', 'tmp/d/sub/b.txt'), '/out/d/sub/b.txt');
  assert.equal(localTarget('/out/d', 'tmp/d', 'tmp/d/'), '/out/d');
  assert.equal(localTarget('/out/d', 'tmp/d', 'tmp/d/../../../etc/passwd'), '/out/d/etc/passwd');
  assert.throws(() => localTarget('/out', 'tmp/d', 'etc/passwd'), { message: 'tar contents corrupted' });
});

test('the remote destination: into an existing directory, else the path itself', () => {
  assert.deepEqual(remoteDestination('dir/f.txt', '/tmp', true), { dir: '/tmp', base: 'f.txt' });
  assert.deepEqual(remoteDestination('dir/f.txt', '/tmp/g.txt', false), { dir: '/tmp', base: 'g.txt' });
  assert.deepEqual(remoteDestination('tree/', '/srv/new', false), { dir: '/srv', base: 'new' });
  assert.deepEqual(remoteDestination('f', 'rel', false), { dir: '.', base: 'rel' });
});
