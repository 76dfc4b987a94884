import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DESCRIBE_OPTIONS, TabWriter, tabulate } from './tabwriter.js';

test('table columns: widest cell + 3, at least 6; the last cell is never padded', () => {
  assert.equal(tabulate('NAME\tAGE\na\t1s\nlonger-name\t10m\n'), 'NAME          AGE\na             1s\nlonger-name   10m\n');
  assert.equal(tabulate('A\tB\tC\nx\ty\tz\n'), 'A     B     C\nx     y     z\n');
});

test('a terminated last cell is padded (kubectl top prints trailing spaces)', () => {
  assert.equal(tabulate('NAME\tCPU\t\nn1\t5m\t\n'), 'NAME   CPU   \nn1     5m    \n');
});

test('column widths are per block of consecutive lines that have the column (describe)', () => {
  const text = 'Name:\tx\nNamespace:\tdefault\nContainers:\n  c:\n    Image:\tbusybox\n    Port:\t<none>\n';
  assert.equal(
    tabulate(text, DESCRIBE_OPTIONS),
    'Name:       x\nNamespace:  default\nContainers:\n  c:\n    Image:  busybox\n    Port:   <none>\n',
  );
});

test('remembered widths keep watch rows aligned with the header printed earlier', () => {
  let out = '';
  const w = new TabWriter({ write: (s: string) => (out += s) });
  w.write('NAME\tREADY\nlong-name-here\t1/1\n');
  w.flush();
  w.write('x\t0/1\n');
  w.flush();
  assert.equal(out, 'NAME             READY\nlong-name-here   1/1\nx                0/1\n');
  w.resetWidths();
  w.write('x\t0/1\n');
  w.flush();
  assert.match(out, /\nx     0\/1\n$/);
});

test('flush writes a partial last line without a newline', () => {
  assert.equal(tabulate('a\tb'), 'a     b');
});
