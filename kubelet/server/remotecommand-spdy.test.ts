// exec/attach over SPDY/3.1: protocol negotiation, the streams a session waits for, the status
// on the error stream per protocol version, terminal sizes, and whole sessions against a
// scripted spdystream-like client with a fake command.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { pino } from 'pino';
import {
  encodeStatus,
  expectedStreams,
  negotiateSpdyProtocol,
  serveRemoteCommandSpdy,
  TerminalSizeDecoder,
} from './remotecommand-spdy.js';
import { exitCodeStatus, successStatus, type RemoteCommandOptions, type StreamSession } from './remotecommand.js';
import { socketPair, TestClient } from './spdy-test-client.js';

const log = pino({ level: 'silent' });
const opts = (o: Partial<RemoteCommandOptions> = {}): RemoteCommandOptions => ({ command: ['cmd'], stdin: false, stdout: true, stderr: true, tty: false, ...o });

describe('negotiation and expected streams', () => {
  test('the client\'s first protocol we speak, from repeated or comma-joined headers', () => {
    const all = ['v4.channel.k8s.io', 'v3.channel.k8s.io', 'v2.channel.k8s.io', 'channel.k8s.io'];
    assert.deepEqual(negotiateSpdyProtocol(all), { protocol: 'v4.channel.k8s.io' });
    assert.deepEqual(negotiateSpdyProtocol('v2.channel.k8s.io, v4.channel.k8s.io'), { protocol: 'v2.channel.k8s.io' });
    assert.deepEqual(negotiateSpdyProtocol(undefined), { code: 400, message: 'unable to upgrade: X-Stream-Protocol-Version is required' });
    const refused = negotiateSpdyProtocol('channel.k8s.io');
    assert.equal('code' in refused && refused.code, 403);
    assert.match('message' in refused ? refused.message : '', /^unable to upgrade: unable to negotiate protocol: client supports \[channel\.k8s\.io\], server accepts \[v4/);
  });

  test('error always; the requested streams; resize with a TTY from v3 on', () => {
    assert.deepEqual([...expectedStreams(opts({ stdin: true }), 'v4.channel.k8s.io')].sort(), ['error', 'stderr', 'stdin', 'stdout']);
    assert.deepEqual([...expectedStreams(opts({ stderr: false, tty: true }), 'v3.channel.k8s.io')].sort(), ['error', 'resize', 'stdout']);
    assert.deepEqual([...expectedStreams(opts({ stderr: false, tty: true }), 'v2.channel.k8s.io')].sort(), ['error', 'stdout']);
  });

  test('v4 reports every outcome as a JSON Status; v2/v3 only a failure, as its message', () => {
    const failed = exitCodeStatus(['sh'], 3);
    assert.deepEqual(JSON.parse(encodeStatus('v4.channel.k8s.io', failed)!.toString()).details, { causes: [{ reason: 'ExitCode', message: '3' }] });
    assert.deepEqual(JSON.parse(encodeStatus('v4.channel.k8s.io', successStatus())!.toString()), { metadata: {}, status: 'Success' });
    assert.equal(encodeStatus('v3.channel.k8s.io', successStatus()), undefined);
    assert.equal(encodeStatus('v2.channel.k8s.io', failed)!.toString(), failed.message);
  });

  test('terminal sizes: back-to-back objects, split across chunks, junk skipped', () => {
    const d = new TerminalSizeDecoder();
    assert.deepEqual(d.push(Buffer.from('{"Width":80,"Height":24}{"Width":1')), [{ width: 80, height: 24 }]);
    assert.deepEqual(d.push(Buffer.from('00,"Height":40}\n')), [{ width: 100, height: 40 }]);
    assert.deepEqual(d.push(Buffer.from('garbage{"Width":-1,"Height":2}{"Width":5,"Height":6}')), [{ width: 5, height: 6 }]);
  });
});

/** A command whose streams the test drives: stdin is uppercased onto stdout. */
function fakeCommand(exit: number) {
  const stdin = new PassThrough();
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const sizes: Array<[number, number]> = [];
  let started = 0;
  let closed = false;
  let finish!: (code: number) => void;
  const exitCode = new Promise<number>((r) => (finish = r));
  stdin.on('data', (d: Buffer) => stdout.write(d.toString().toUpperCase()));
  stdin.on('end', () => {
    stderr.end('bye\n');
    stdout.end();
    finish(exit);
  });
  const session: StreamSession = {
    stdin,
    stdout,
    stderr,
    exitCode,
    resize: async (w, h) => void sizes.push([w, h]),
    close: () => (closed = true),
  };
  return {
    start: async () => {
      started++;
      return session;
    },
    stdout,
    stderr,
    sizes,
    started: () => started,
    closed: () => closed,
    finish: () => {
      stdout.end();
      stderr.end();
      finish(exit);
    },
  };
}

describe('sessions', () => {
  test('v4: the command starts once every stream exists; output, FINs, the exit code as a Status, GOAWAY', async () => {
    const [serverSide, clientSide, cleanup] = await socketPair();
    const cmd = fakeCommand(3);
    serveRemoteCommandSpdy(serverSide, 'v4.channel.k8s.io', opts({ stdin: true }), cmd.start, log);
    const c = new TestClient(clientSide);
    const error = await c.open({ streamtype: 'error' });
    const stdin = await c.open({ streamtype: 'stdin' });
    const stdout = await c.open({ streamtype: 'stdout' });
    await c.waitFor('three replies', (f) => f.filter((x) => x.type === 'syn_reply').length === 3);
    assert.equal(cmd.started(), 0);
    const stderr = await c.open({ streamtype: 'stderr' });
    c.send(stdin, 'hello spdy', true);
    await c.waitFor('the status and GOAWAY', (f) => c.finished(error) && f.some((x) => x.type === 'goaway'));
    assert.equal(cmd.started(), 1);
    assert.equal(c.dataOf(stdout), 'HELLO SPDY');
    assert.equal(c.dataOf(stderr), 'bye\n');
    assert.ok(c.finished(stdout) && c.finished(stderr));
    const status = JSON.parse(c.dataOf(error));
    assert.equal(status.reason, 'NonZeroExitCode');
    assert.deepEqual(status.details.causes, [{ reason: 'ExitCode', message: '3' }]);
    cleanup();
  });

  test('v2: success leaves the error stream empty', async () => {
    const [serverSide, clientSide, cleanup] = await socketPair();
    const cmd = fakeCommand(0);
    serveRemoteCommandSpdy(serverSide, 'v2.channel.k8s.io', opts({ stderr: false }), cmd.start, log);
    const c = new TestClient(clientSide);
    const error = await c.open({ streamtype: 'error' });
    const stdout = await c.open({ streamtype: 'stdout' });
    await c.waitFor('the command started', () => cmd.started() === 1);
    cmd.stdout.write('done');
    cmd.finish();
    await c.waitFor('error stream closed', () => c.finished(error) && c.finished(stdout));
    assert.equal(c.dataOf(stdout), 'done');
    assert.equal(c.dataOf(error), '');
    cleanup();
  });

  test('v4 with a TTY: sizes on the resize stream reach the command', async () => {
    const [serverSide, clientSide, cleanup] = await socketPair();
    const cmd = fakeCommand(0);
    serveRemoteCommandSpdy(serverSide, 'v4.channel.k8s.io', opts({ stderr: false, tty: true }), cmd.start, log);
    const c = new TestClient(clientSide);
    const error = await c.open({ streamtype: 'error' });
    await c.open({ streamtype: 'stdout' });
    const resize = await c.open({ streamtype: 'resize' });
    await c.waitFor('the command started', () => cmd.started() === 1);
    c.send(resize, '{"Width":120,');
    c.send(resize, '"Height":50}{"Width":90,"Height":30}');
    await c.waitFor('two resizes', () => cmd.sizes.length === 2);
    assert.deepEqual(cmd.sizes, [[120, 50], [90, 30]]);
    cmd.finish();
    await c.waitFor('success', () => c.finished(error));
    assert.equal(JSON.parse(c.dataOf(error)).status, 'Success');
    cleanup();
  });

  test('a command that cannot start: its error as a Status, outputs closed', async () => {
    const [serverSide, clientSide, cleanup] = await socketPair();
    const failing = async (): Promise<StreamSession> => {
      throw Object.assign(new Error('container abc is not running'), { code: 400, reason: 'BadRequest' });
    };
    serveRemoteCommandSpdy(serverSide, 'v4.channel.k8s.io', opts({ stderr: false }), failing, log);
    const c = new TestClient(clientSide);
    const error = await c.open({ streamtype: 'error' });
    const stdout = await c.open({ streamtype: 'stdout' });
    await c.waitFor('error stream closed', () => c.finished(error) && c.finished(stdout));
    const status = JSON.parse(c.dataOf(error));
    assert.deepEqual([status.status, status.reason, status.code, status.message], ['Failure', 'BadRequest', 400, 'container abc is not running']);
    cleanup();
  });

  test('streams that never all arrive: the session is closed and the command never started', async () => {
    const [serverSide, clientSide, cleanup] = await socketPair();
    const cmd = fakeCommand(0);
    const { closed } = serveRemoteCommandSpdy(serverSide, 'v4.channel.k8s.io', opts(), cmd.start, log, 50);
    const c = new TestClient(clientSide);
    await c.open({ streamtype: 'error' });
    await c.open({ streamtype: 'bogus' });
    await closed;
    assert.equal(cmd.started(), 0);
    cleanup();
  });

  test('the client going away closes the running command', async () => {
    const [serverSide, clientSide, cleanup] = await socketPair();
    const cmd = fakeCommand(0);
    const { closed } = serveRemoteCommandSpdy(serverSide, 'v4.channel.k8s.io', opts({ stderr: false }), cmd.start, log);
    const c = new TestClient(clientSide);
    await c.open({ streamtype: 'error' });
    await c.open({ streamtype: 'stdout' });
    await c.waitFor('the command started', () => cmd.started() === 1);
    clientSide.destroy();
    await closed;
    assert.ok(cmd.closed());
    cleanup();
  });
});
