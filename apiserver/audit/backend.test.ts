// The log backend: appends JSON lines, flushes on close, fails start-up on a bad path, and
// drops (and counts) events rather than blocking or throwing when the writer cannot keep up.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { describe, test } from 'node:test';
import { LogBackend } from './backend.js';
import type { AuditEvent } from './types.js';

const event = (i: number): AuditEvent => ({
  kind: 'Event',
  apiVersion: 'audit.k8s.io/v1',
  level: 'Metadata',
  auditID: `id-${i}`,
  stage: 'ResponseComplete',
  requestURI: '/api/v1/pods',
  verb: 'list',
  user: { username: 'alice' },
  requestReceivedTimestamp: '2026-12-02T20:31:51.123000Z',
  stageTimestamp: '2026-12-02T20:31:51.123456Z',
});

describe('audit log backend', () => {
  test('appends one JSON event per line to an existing file; close flushes everything', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'audit-backend-')), 'audit.log');
    writeFileSync(file, '{"earlier":true}\n');
    const b = await LogBackend.open(file);
    for (let i = 0; i < 1000; i++) b.processEvents([event(i)]);
    await b.close();
    const lines = readFileSync(file, 'utf8').split('\n').filter(Boolean);
    assert.equal(lines.length, 1001);
    assert.deepEqual(JSON.parse(lines[0]!), { earlier: true });
    assert.deepEqual(JSON.parse(lines[1000]!), event(999));
    assert.equal(b.eventsWritten, 1000);
    // After close, events are dropped, not thrown.
    b.processEvents([event(1)]);
    assert.equal(b.eventsDropped, 1);
  });

  test('a path that cannot be opened fails at start-up', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'audit-backend-'));
    writeFileSync(join(dir, 'file'), '');
    await assert.rejects(LogBackend.open(join(dir, 'file', 'audit.log')), /^Error: audit log: cannot create the directory of .*file\/audit.log: E(EXIST|NOTDIR)/);
    await assert.rejects(LogBackend.open(dir), /^Error: audit log: cannot open .*: EISDIR/);
  });

  test('a writer that cannot keep up: events are dropped and counted, never thrown or blocked on', async () => {
    const stuck = new Writable({ highWaterMark: 16, write: () => undefined }); // never calls back
    const b = LogBackend.toStream(stuck, { maxBufferedBytes: 1000 });
    for (let i = 0; i < 100; i++) b.processEvents([event(i)]);
    assert.ok(b.eventsWritten > 0);
    assert.ok(b.eventsDropped > 0);
    assert.equal(b.eventsWritten + b.eventsDropped, 100);
  });

  test('a writer that fails: later events are dropped', async () => {
    const failing = new Writable({ write: (_c, _e, cb) => cb(new Error('disk full')) });
    const b = LogBackend.toStream(failing);
    b.processEvents([event(1)]);
    await new Promise((r) => setImmediate(r));
    b.processEvents([event(2), event(3)]);
    assert.equal(b.eventsDropped, 2);
  });
});
