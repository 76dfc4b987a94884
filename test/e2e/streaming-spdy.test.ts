// exec, attach and cp over SPDY/3.1 end to end: the real kubectl 1.20 (SPDY only) and 1.32 with
// KUBECTL_REMOTE_COMMAND_WEBSOCKETS=false → apiserver (real etcd, the upgrade spliced to the
// kubelet) → the real kubelet → Docker; and `kubectl cp` / `kc cp` both ways, over WebSocket
// and SPDY, on a busybox pod (whose `tar` kubectl cp runs).
import { spawn } from 'node:child_process';
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KubeletServer } from '../../kubelet/server/server.js';
import { runKc } from '../../kubectl/cli.js';
import { captureIO } from '../../kubectl/io.js';
import { KUBECTL_1_20, kubectlFor, type KubectlResult } from '../harness/kubectl.js';
import { freePort, waitFor } from '../harness/ports.js';
import { isRunning, shPod, startKubeletEnv, type KubeletEnv } from './kubelet-harness.js';

const NODE = 'spdy-node';

let env: KubeletEnv;
let server: KubeletServer;
type Kubectl = ReturnType<typeof kubectlFor>;
const clients: Record<string, Kubectl> = {};

/** kubectl reads these at start: a kubectl environment made while they are set keeps them. */
function kubectlWithEnv(binary: string | undefined, vars: Record<string, string>): Kubectl {
  for (const [k, v] of Object.entries(vars)) process.env[k] = v;
  try {
    return kubectlFor(env.api.config, binary);
  } finally {
    for (const k of Object.keys(vars)) delete process.env[k];
  }
}

before(async () => {
  assert.ok(existsSync(KUBECTL_1_20), `no kubectl 1.20 at ${KUBECTL_1_20}: run scripts/ensure-deps`);
  env = await startKubeletEnv();
  const port = await freePort();
  const kubelet = await env.startKubelet(NODE, { port, nodeIP: '127.0.0.1' });
  server = await env.serve(kubelet, port);
  clients['1.32 WebSocket'] = kubectlFor(env.api.config);
  clients['1.32 SPDY'] = kubectlWithEnv(undefined, { KUBECTL_REMOTE_COMMAND_WEBSOCKETS: 'false' });
  clients['1.20 SPDY'] = kubectlFor(env.api.config, KUBECTL_1_20);
  await env.createPod(NODE, shPod('box', 'sleep 3600'));
  await env.createPod(NODE, shPod('ticker', 'i=0; while true; do echo tick $i; i=$((i+1)); sleep 0.2; done'));
  await env.waitForPod('box', 'running', isRunning, 60_000);
  await env.waitForPod('ticker', 'running', isRunning, 60_000);
});

after(async () => {
  await server?.stop();
  await env?.stop();
});

for (const name of ['1.32 SPDY', '1.20 SPDY']) {
  describe(`kubectl ${name}: exec and attach`, () => {
    test('the upgrade is a POST answered 101 (SPDY/3.1), not a WebSocket GET', async () => {
      const r = await clients[name]!.run(['exec', 'box', '-v=6', '--', 'true']);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stderr, /POST https:\/\/\S+\/pods\/box\/exec\?\S* 101 Switching Protocols/);
    });

    test('stdout and stderr apart, the remote exit code', async () => {
      const r = await clients[name]!.run(['exec', 'box', '--', 'sh', '-c', 'echo out; echo err >&2; exit 3']);
      assert.equal(r.code, 3, r.stderr);
      assert.equal(r.stdout, 'out\n');
      assert.match(r.stderr, /^err\n/);
      assert.match(r.stderr, /command terminated with exit code 3/);
    });

    test('success, and stdin with -i (closed at its end)', async () => {
      const ok = await clients[name]!.run(['exec', 'box', '--', 'hostname']);
      assert.deepEqual(ok, { code: 0, stdout: 'box\n', stderr: '' });
      const up = await clients[name]!.run(['exec', '-i', 'box', '--', 'tr', 'a-z', 'A-Z'], 'shout over spdy\n');
      assert.deepEqual(up, { code: 0, stdout: 'SHOUT OVER SPDY\n', stderr: '' });
    });

    test('a large output arrives whole', async () => {
      const r = await clients[name]!.run(['exec', 'box', '--', 'sh', '-c', 'head -c 3000000 /dev/zero | tr "\\0" x']);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout.length, 3_000_000);
    });

    test('a missing command is the runtime\'s error, not a hang', async () => {
      const r = await clients[name]!.run(['exec', 'box', '--', '/no/such/binary']);
      assert.notEqual(r.code, 0);
      assert.match(r.stderr + r.stdout, /no such file or directory|not found|exit code 12[67]/i);
    });

    test('a TTY (under script(1)\'s pseudo-terminal): the terminal size reaches the container', async () => {
      const k = clients[name]!;
      // The container polls until the first resize has arrived (a fresh exec TTY is 0x0, and
      // under load its first ioctls may even fail).
      const remote = `until s=$(stty size 2>/dev/null) && [ -n "$s" ] && [ "$s" != "0 0" ]; do sleep 0.05; done; echo $s`;
      const line = `stty cols 123 rows 45; ${k.binary} exec -it box -- sh -c '${remote}'`;
      const r = await new Promise<{ code: number | null; out: string }>((done) => {
        const p = spawn('script', ['-qec', line, '/dev/null'], { env: k.env, stdio: ['pipe', 'pipe', 'pipe'] });
        let out = '';
        p.stdout.on('data', (d: Buffer) => (out += d.toString()));
        p.stderr.on('data', (d: Buffer) => (out += d.toString()));
        const t = setTimeout(() => p.kill('SIGKILL'), 30_000);
        p.on('close', (code) => {
          clearTimeout(t);
          done({ code, out });
        });
      });
      assert.equal(r.code, 0, r.out);
      assert.match(r.out, /^45 123\r?$/m);
    });

    test('attach follows the container\'s output', async () => {
      const a = clients[name]!.start(['attach', 'ticker']);
      try {
        await waitFor('ticks through attach', () => /tick \d+\n.*tick \d+/s.test(a.output()), 20_000, 100);
      } finally {
        a.proc.kill('SIGKILL');
      }
    });
  });
}

type Runner = (args: string[]) => Promise<KubectlResult>;

/** kc in-process with the same kubeconfig as the WebSocket kubectl. */
const kc: Runner = async (args) => {
  const k = clients['1.32 WebSocket']!;
  const io = captureIO({ env: { KUBECONFIG: k.kubeconfig }, home: k.home, cwd: k.home });
  const code = await runKc(args, io);
  return { code, stdout: io.out(), stderr: io.err() };
};

const md5 = (b: Buffer) => createHash('md5').update(b).digest('hex');

/** What the pod holds under `path`: `find` (sorted), and each file's md5. */
async function remoteTree(path: string): Promise<string> {
  const r = await clients['1.32 WebSocket']!.run(['exec', 'box', '--', 'sh', '-c', `cd ${path} && find . | sort && find . -type f | sort | xargs md5sum`]);
  assert.equal(r.code, 0, r.stderr);
  return r.stdout;
}

function cpSuite(label: string, runner: () => Runner): void {
  describe(`${label}: cp`, () => {
    const tag = label.replace(/\W+/g, '-');
    let dir: string;
    const payload = randomBytes(300_000);
    before(() => {
      dir = mkdtempSync(join(tmpdir(), `tskube-cp-${tag}-`));
      writeFileSync(join(dir, 'f.bin'), payload);
      mkdirSync(join(dir, 'tree', 'sub'), { recursive: true });
      mkdirSync(join(dir, 'tree', 'empty'));
      writeFileSync(join(dir, 'tree', 'a.txt'), 'alpha\n');
      writeFileSync(join(dir, 'tree', 'sub', 'b.txt'), 'beta\n');
    });
    after(() => rmSync(dir, { recursive: true, force: true }));

    test('a file to the pod and back, byte for byte', async () => {
      const up = await runner()(['cp', join(dir, 'f.bin'), `box:/tmp/${tag}-f.bin`]);
      assert.equal(up.code, 0, up.stderr + up.stdout);
      const sum = await clients['1.32 WebSocket']!.run(['exec', 'box', '--', 'md5sum', `/tmp/${tag}-f.bin`]);
      assert.equal(sum.stdout.split(' ')[0], md5(payload));
      const down = await runner()(['cp', `box:/tmp/${tag}-f.bin`, join(dir, 'back.bin')]);
      assert.equal(down.code, 0, down.stderr + down.stdout);
      // busybox tar says so on stderr; kubectl passes the pod's stderr to its standard output —
      // when that stream's copy wins the race with the end of the tar stream (kubectl 1.20 over
      // SPDY may exit first, seen once in CI), so the line is there or nothing is.
      assert.ok(['', "tar: removing leading '/' from member names\n"].includes(down.stdout), JSON.stringify(down.stdout));
      assert.ok(readFileSync(join(dir, 'back.bin')).equals(payload));
    });

    test('a directory: created at a new path, copied into an existing one, and back', async () => {
      const up = await runner()(['cp', join(dir, 'tree'), `box:/tmp/${tag}-tree`]);
      assert.equal(up.code, 0, up.stderr + up.stdout);
      const expected = (root: string) =>
        [`.`, `./a.txt`, `./empty`, `./sub`, `./sub/b.txt`].map((p) => p.replace('.', root)).join('\n') +
        `\n${md5(Buffer.from('alpha\n'))}  ${root}/a.txt\n${md5(Buffer.from('beta\n'))}  ${root}/sub/b.txt\n`;
      const top = await remoteTree(`/tmp/${tag}-tree`);
      assert.ok(top.startsWith(expected('.').split('\n').slice(0, 5).join('\n')), top);
      const again = await runner()(['cp', join(dir, 'tree'), `box:/tmp/${tag}-tree`]);
      assert.equal(again.code, 0, again.stderr + again.stdout);
      assert.equal(await remoteTree(`/tmp/${tag}-tree/tree`), expected('.'));
      const down = await runner()(['cp', `box:/tmp/${tag}-tree/tree`, join(dir, 'tree-back')]);
      assert.equal(down.code, 0, down.stderr + down.stdout);
      assert.equal(readFileSync(join(dir, 'tree-back', 'a.txt'), 'utf8'), 'alpha\n');
      assert.equal(readFileSync(join(dir, 'tree-back', 'sub', 'b.txt'), 'utf8'), 'beta\n');
      assert.ok(existsSync(join(dir, 'tree-back', 'empty')));
    });

    test('a missing remote file: nothing copied, tar\'s message on standard output', async () => {
      const r = await runner()(['cp', 'box:/tmp/no-such-file', join(dir, 'x')]);
      assert.ok(!existsSync(join(dir, 'x')));
      const message = /^tar: \/tmp\/no-such-file: No such file or directory$/m;
      if (label === 'kc') {
        assert.match(r.stdout, message);
        assert.equal(r.code, 1);
        assert.equal(r.stderr, 'command terminated with exit code 1\n');
      } else {
        // kubectl stops at the end of the (empty) archive without waiting for tar's status or
        // messages, so both are a race it usually loses (kubernetes/kubectl#980, still open).
        assert.ok(r.stdout === '' || message.test(r.stdout), r.stdout);
      }
    });

    test('namespace/pod:path and -c; a file onto an existing local directory is refused', async () => {
      const up = await runner()(['cp', '-c', 'main', join(dir, 'tree', 'a.txt'), `default/box:/tmp/${tag}-a.txt`]);
      assert.equal(up.code, 0, up.stderr + up.stdout);
      const onDir = await runner()(['cp', `default/box:/tmp/${tag}-a.txt`, join(dir, 'tree')]);
      assert.equal(onDir.code, 1);
      assert.equal(onDir.stderr, `error: open ${join(dir, 'tree')}: is a directory\n`);
    });

    test('into a missing remote directory: tar\'s message and its exit code', async () => {
      const r = await runner()(['cp', join(dir, 'tree', 'a.txt'), 'box:/no/such/dir/a.txt']);
      assert.equal(r.code, 1);
      assert.equal(r.stderr, "tar: can't change directory to '/no/such/dir': No such file or directory\ncommand terminated with exit code 1\n");
    });

    test('a missing pod and a missing local file, one line each', async () => {
      const pod = await runner()(['cp', 'nopod:/tmp/x', join(dir, 'x')]);
      assert.deepEqual(pod, { code: 1, stdout: '', stderr: 'Error from server (NotFound): pods "nopod" not found\n' });
      const local = await runner()(['cp', join(dir, 'nothing-here'), 'box:/tmp/x']);
      assert.deepEqual(local, { code: 1, stdout: '', stderr: `error: ${join(dir, 'nothing-here')} doesn't exist in local filesystem\n` });
    });
  });
}

for (const name of ['1.32 WebSocket', '1.32 SPDY', '1.20 SPDY']) cpSuite(`kubectl ${name}`, () => clients[name]!.run);
cpSuite('kc', () => kc);
