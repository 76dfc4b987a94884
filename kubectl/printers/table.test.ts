import assert from 'node:assert/strict';
import { test } from 'node:test';
import { HumanTablePrinter, type TableLike } from './table.js';
import { TabWriter } from './tabwriter.js';

const table = (): TableLike => ({
  columnDefinitions: [
    { name: 'Name', type: 'string', format: 'name' },
    { name: 'Status', type: 'string' },
    { name: 'IP', type: 'string', priority: 1 },
  ],
  rows: [
    { cells: ['web-1', 'Running', '10.0.0.1'], object: { metadata: { name: 'web-1', namespace: 'prod', labels: { b: '2', a: '1' } } } },
    { cells: ['db', 'Pending\nmore', '10.0.0.2'], object: { metadata: { name: 'db', namespace: 'default' } } },
  ],
});

function print(opts: ConstructorParameters<typeof HumanTablePrinter>[0], t = table()): string {
  let out = '';
  const w = new TabWriter({ write: (s: string) => (out += s) });
  new HumanTablePrinter(opts).print(t, w);
  w.flush();
  return out;
}

test('priority columns only with -o wide; cells cut at a line break', () => {
  assert.equal(print({}), 'NAME    STATUS\nweb-1   Running\ndb      Pending...\n');
  assert.equal(print({ wide: true }), 'NAME    STATUS       IP\nweb-1   Running      10.0.0.1\ndb      Pending...   10.0.0.2\n');
});

test('-A adds NAMESPACE, --show-labels LABELS, -L a column per key, several kinds a name prefix', () => {
  assert.equal(
    print({ withNamespace: true, showLabels: true, columnLabels: ['a'], kind: 'pod' }),
    'NAMESPACE   NAME        STATUS       A     LABELS\nprod        pod/web-1   Running      1     a=1,b=2\ndefault     pod/db      Pending...         <none>\n',
  );
});

test('no rows, no headers; watch events repeat no headers and may omit column definitions', () => {
  assert.equal(print({}, { ...table(), rows: [] }), '');
  let out = '';
  const w = new TabWriter({ write: (s: string) => (out += s) });
  const p = new HumanTablePrinter({});
  p.print(table(), w);
  w.flush();
  p.print({ columnDefinitions: [], rows: [{ cells: ['web-2', 'Running', ''] }] }, w, 'ADDED');
  w.flush();
  assert.equal(out.split('\n')[3], 'ADDED      web-2   Running');
});
