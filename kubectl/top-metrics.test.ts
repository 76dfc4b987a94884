import assert from 'node:assert/strict';
import { test } from 'node:test';
import { NODE_HEADER, nodeLines, podLines } from './top-metrics.js';
import { tabulate } from './printers/tabwriter.js';

test('top node: millicores, Mi, percentages of allocatable, <unknown> for unmeasured nodes, --sort-by', () => {
  const metrics = [
    { metadata: { name: 'b' }, usage: { cpu: '250m', memory: '512Mi' } },
    { metadata: { name: 'a' }, usage: { cpu: '123456789n', memory: '1048577' } },
  ];
  const available = new Map([
    ['a', { cpu: '2', memory: '1Gi' }],
    ['b', { cpu: '1', memory: '1Gi' }],
    ['c', { cpu: '1', memory: '1Gi' }],
  ]);
  assert.equal(
    tabulate(NODE_HEADER + nodeLines(metrics, available, undefined)),
    'NAME   CPU(cores)   CPU(%)      MEMORY(bytes)   MEMORY(%)   \n' +
      'a      124m         6%          1Mi             0%          \n' +
      'b      250m         25%         512Mi           50%         \n' +
      'c      <unknown>    <unknown>   <unknown>       <unknown>   \n',
  );
  assert.match(nodeLines(metrics, new Map(), 'cpu'), /^b\t.*\na\t/);
  assert.throws(() => nodeLines(metrics, new Map(), 'disk'), /--sort-by accepts only cpu or memory/);
});

test('top pod: containers summed; -A adds NAMESPACE, --containers adds POD', () => {
  const metrics = [
    { metadata: { name: 'web', namespace: 'b' }, containers: [{ name: 'main', usage: { cpu: '5m', memory: '10Mi' } }, { name: 'side', usage: { cpu: '1500000n', memory: '2Mi' } }] },
    { metadata: { name: 'db', namespace: 'a' }, containers: [{ name: 'main', usage: { cpu: '0', memory: '100Ki' } }] },
  ];
  assert.equal(tabulate(podLines(metrics, { allNamespaces: false, containers: false, noHeaders: false })), 'NAME   CPU(cores)   MEMORY(bytes)   \ndb     0m           0Mi             \nweb    7m           12Mi            \n');
  assert.equal(
    tabulate(podLines(metrics, { allNamespaces: true, containers: true, noHeaders: true, sortBy: 'memory' })),
    'b     web   main   5m    10Mi   \nb     web   side   2m    2Mi    \na     db    main   0m    0Mi    \n',
  );
  assert.equal(
    tabulate(podLines(metrics, { allNamespaces: false, containers: false, noHeaders: false, sum: true })),
    'NAME   CPU(cores)   MEMORY(bytes)   \ndb     0m           0Mi             \nweb    7m           12Mi            \n       ________     ________        \n       7m           12Mi            \n',
  );
});
