// The kubelet daemon refuses bad eviction flags before it starts anything: one line on stderr, exit 1.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const MAIN = fileURLToPath(new URL('../main.js', import.meta.url));

function runKubelet(args: string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(process.execPath, [MAIN, ...args], { timeout: 20_000 }, (_err, _stdout, stderr) => {
      resolve({ code: child.exitCode, stderr });
    });
  });
}

test('bad eviction flags: one line, exit 1', async () => {
  const cases: [string[], string][] = [
    [['--eviction-hard', 'memory.free<1Gi'], 'kubelet: invalid eviction thresholds: unsupported eviction signal memory.free\n'],
    [['--eviction-hard', 'nodefs.available<150%'], 'kubelet: invalid eviction thresholds: eviction percentage threshold nodefs.available must be <= 100%: 150%\n'],
    [['--eviction-soft', 'memory.available<1Gi'], 'kubelet: invalid eviction thresholds: grace period must be specified for the soft eviction threshold memory.available\n'],
    [['--eviction-pressure-transition-period', '5x'], 'kubelet: invalid argument "5x" for "--eviction-pressure-transition-period" flag: time: invalid duration "5x"\n'],
  ];
  await Promise.all(
    cases.map(async ([args, want]) => {
      const r = await runKubelet(args);
      assert.equal(r.code, 1, args.join(' '));
      assert.equal(r.stderr, want);
    }),
  );
});
