import assert from 'node:assert/strict';
import { test } from 'node:test';
import { UsageHistory, progressBar, rolloutProgress, sparkline } from './terminal-plots.js';

test('sparkline: scaled between the samples own min and max; flat is flat; only the last width', () => {
  assert.equal(sparkline([]), '');
  assert.equal(sparkline([0, 7]), '▁█');
  assert.equal(sparkline([10, 20, 30, 40, 50, 60, 70, 80]), '▁▂▃▄▅▆▇█');
  assert.equal(sparkline([5, 5, 5]), '▁▁▁');
  assert.equal(sparkline([1, 2, 3, 4], 2), '▁█');
});

test('progress bar: clamped, proportional', () => {
  assert.equal(progressBar(2, 4, 8), '[████░░░░] 2/4');
  assert.equal(progressBar(9, 4, 4), '[████] 4/4');
  assert.equal(progressBar(0, 0, 4), '[░░░░] 0/0');
});

test('top --watch history: per-row sparklines appended to kubectl top lines', () => {
  const h = new UsageHistory();
  const t1 = h.annotate('NAME\tCPU(cores)\tMEMORY(bytes)\t\nweb-1\t10m\t20Mi\t\nweb-2\t5m\t8Mi\t\n', true);
  assert.equal(t1, 'NAME\tCPU(cores)\tMEMORY(bytes)\tCPU HISTORY\tMEMORY HISTORY\t\nweb-1\t10m\t20Mi\t▁\t▁\t\nweb-2\t5m\t8Mi\t▁\t▁\t\n');
  const t2 = h.annotate('web-1\t30m\t20Mi\t\n', false);
  assert.equal(t2, 'web-1\t30m\t20Mi\t▁█\t▁▁\t\n');
  // Node lines (with percentages) and <unknown> rows.
  const n = new UsageHistory().annotate('node-1\t250m\t12%\t900Mi\t40%\t\nnode-2\t<unknown>\t<unknown>\t<unknown>\t<unknown>\t\n', false);
  assert.equal(n, 'node-1\t250m\t12%\t900Mi\t40%\t▁\t▁\t\nnode-2\t<unknown>\t<unknown>\t<unknown>\t<unknown>\t\n');
});

test('rollout progress from a Deployment Table row', () => {
  const cols = ['Name', 'Ready', 'Up-to-date', 'Available', 'Age'];
  assert.equal(rolloutProgress(cols, ['web', '1/3', 2, 1, '5s']), '  rollout [█████░░░░░░░░░░░] 1/3 2 up-to-date, 1 available');
  assert.equal(rolloutProgress(cols, ['web', '3/3', 3, 3, '9s']), '  rollout [████████████████] 3/3 complete');
  assert.equal(rolloutProgress(['Name', 'Age'], ['x', '1s']), undefined);
});
