// Runs the compiled test files with node's test runner. Arguments filter by substring:
// `npm run test:only -- apiserver` runs only files whose path contains "apiserver".
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

function walk(dir, out) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (name.endsWith('.test.js')) out.push(p);
  }
  return out;
}

const filters = process.argv.slice(2);
const files = walk('dist', [])
  .filter((f) => !f.includes('node_modules'))
  .filter((f) => filters.length === 0 || filters.some((s) => f.includes(s)))
  .sort();
if (files.length === 0) {
  console.error('no test files matched');
  process.exit(1);
}
const concurrency = process.env.TEST_CONCURRENCY ?? '2';
// Disruptive tests (`*.disruptive.test.js`: they restart dockerd, which every Docker test on
// the host shares) run after the rest, one file at a time, with nothing else running.
const phases = [
  { files: files.filter((f) => !f.endsWith('.disruptive.test.js')), concurrency },
  { files: files.filter((f) => f.endsWith('.disruptive.test.js')), concurrency: '1' },
].filter((p) => p.files.length > 0);
let status = 0;
for (const phase of phases) {
  const r = spawnSync(
    process.execPath,
    ['--enable-source-maps', '--test', `--test-concurrency=${phase.concurrency}`, '--test-reporter=spec', ...phase.files],
    { stdio: 'inherit' },
  );
  if ((r.status ?? 1) !== 0) status = r.status ?? 1;
}
process.exit(status);
