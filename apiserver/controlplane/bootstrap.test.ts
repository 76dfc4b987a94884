import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { pino, type Logger } from 'pino';
import { startTestApiserver } from '../../test/harness/apiserver.js';
import { startEtcd } from '../../test/harness/etcd.js';
import { RestClient } from '../../client/index.js';

/** A logger whose records are kept (parsed) for the test to read. */
function recordingLogger(): { logger: Logger; records: Array<{ level: number; msg?: string }> } {
  const records: Array<{ level: number; msg?: string }> = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString().split('\n')) if (line) records.push(JSON.parse(line) as { level: number; msg?: string });
      done();
    },
  });
  return { logger: pino({ level: 'info' }, sink), records };
}

test('an apiserver started over existing data keeps the kubernetes Service and warns about nothing', async (t) => {
  const etcd = await startEtcd();
  t.after(() => etcd.stop());
  const first = recordingLogger();
  const a = await startTestApiserver({ etcd, logger: first.logger });
  const before = await new RestClient(a.config).resource('services', 'default').get('kubernetes');
  await a.stop();
  assert.ok(first.records.some((r) => r.msg === 'created the kubernetes service'));

  const second = recordingLogger();
  const b = await startTestApiserver({ etcd, logger: second.logger });
  t.after(() => b.stop());
  const after = await new RestClient(b.config).resource('services', 'default').get('kubernetes');
  assert.equal(after.metadata?.uid, before.metadata?.uid);
  assert.equal(after.metadata?.resourceVersion, before.metadata?.resourceVersion);
  assert.deepEqual(second.records.filter((r) => /kubernetes service/.test(r.msg ?? '')), []);
  assert.deepEqual(second.records.filter((r) => r.level >= 40 && /post-start|bootstrap/.test(r.msg ?? '')), []);
});
