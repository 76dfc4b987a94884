import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseJsonPath, relaxedJsonPath } from './jsonpath.js';

const list = {
  kind: 'List',
  items: [
    { metadata: { name: 'a', labels: { 'app.kubernetes.io/name': 'web' } }, status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }], n: 3 } },
    { metadata: { name: 'b', labels: {} }, status: { phase: 'Pending', conditions: [{ type: 'Ready', status: 'False' }], n: 1 } },
  ],
};
const run = (t: string, data: unknown = list): string => parseJsonPath(t).execute(data);

test('fields, wildcards and indexes; several results are joined by spaces', () => {
  assert.equal(run('{.items[*].metadata.name}'), 'a b');
  assert.equal(run('{.items[0].status.phase}'), 'Running');
  assert.equal(run('{.items[-1].metadata.name}'), 'b');
  assert.equal(run('{.items[0:1].metadata.name}'), 'a');
  assert.equal(run("{.items[0]['metadata']['name']}"), 'a');
  assert.equal(run('{..phase}'), 'Running Pending');
  assert.equal(run('{.kind}'), 'List');
});

test('escaped dots in keys, filters, and maps printed as JSON', () => {
  assert.equal(run('{.items[0].metadata.labels.app\\.kubernetes\\.io/name}'), 'web');
  assert.equal(run('{.items[?(@.status.phase=="Pending")].metadata.name}'), 'b');
  assert.equal(run('{.items[?(@.status.n>2)].metadata.name}'), 'a');
  assert.equal(run('{.items[0].status.conditions[?(@.type=="Ready")].status}'), 'True');
  assert.equal(run('{.items[0].metadata.labels}'), '{"app.kubernetes.io/name":"web"}');
});

test('range/end, literals, and missing keys print nothing', () => {
  assert.equal(run('{range .items[*]}{.metadata.name}{"\\t"}{.status.phase}{"\\n"}{end}'), 'a\tRunning\nb\tPending\n');
  assert.equal(run('name: {.items[0].metadata.name}!'), 'name: a!');
  assert.equal(run('{.items[0].nope.deeper}'), '');
  assert.deepEqual(parseJsonPath('{.items[*].status.n}').findResults(list), [[3, 1]]);
});

test('relaxed expressions as custom-columns and --sort-by take them', () => {
  assert.equal(relaxedJsonPath('.metadata.name'), '{.metadata.name}');
  assert.equal(relaxedJsonPath('metadata.name'), '{.metadata.name}');
  assert.equal(relaxedJsonPath('{.a}'), '{.a}');
});

test('syntax errors are user errors', () => {
  assert.throws(() => parseJsonPath('{.items[*}'), /error parsing jsonpath/);
  assert.throws(() => parseJsonPath('{end}'), /not in range/);
});
