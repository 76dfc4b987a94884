import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { captureIO } from './io.js';
import { promptForBasicAuth, readWord } from './prompt.js';

test('a username is the first word on stdin, as fmt.Fscan reads it; what follows stays unread', async () => {
  const stdin = Readable.from([Buffer.from('\n  ann'), Buffer.from('ie rest\n')]);
  assert.equal(await readWord(stdin), 'annie');
  assert.equal(await readWord(stdin), 'rest');
  await assert.rejects(readWord(stdin), /^Error: EOF$/);
});

test('kubectl asks on stdout; without a terminal it cannot read the password', async () => {
  const io = captureIO({ input: 'ann\n' });
  await assert.rejects(promptForBasicAuth(io), /error reading input for Password/);
  assert.equal(io.out(), 'Please enter Username: Please enter Password: ');
  const empty = captureIO({});
  await assert.rejects(promptForBasicAuth(empty), /^Error: EOF$/);
  assert.equal(empty.out(), 'Please enter Username: ');
});
