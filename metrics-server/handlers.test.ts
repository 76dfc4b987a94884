import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Node, Pod } from 'kubernetes-types/core/v1';
import { handleMetricsRequest, type MetricsSource } from './handlers.js';
import { requestInfo } from './request-info.js';
import { MetricsStorage } from './storage.js';
import type { MetricsPoint } from './types.js';

const at = (s: number): Date => new Date(Date.parse('2026-01-01T00:00:00Z') + s * 1000);
const pt = (s: number, cpuSeconds: number, mem: number): MetricsPoint => ({ timestamp: at(s), cumulativeCpuUsed: cpuSeconds * 1e9, memoryUsage: mem });

function source(): MetricsSource {
  const storage = new MetricsStorage(15_000);
  const nodes: Node[] = [{ metadata: { name: 'n1', labels: { zone: 'a' } } }, { metadata: { name: 'n2' } }];
  const pods: Pod[] = [
    { metadata: { name: 'web', namespace: 'default', labels: { app: 'web' } } },
    { metadata: { name: 'db', namespace: 'data' } },
  ];
  for (const [s, cpu] of [[0, 1], [10, 2]] as const) {
    storage.store({
      nodes: new Map([['n1', pt(s, cpu, 4096)]]),
      pods: new Map([
        ['default/web', { containers: new Map([['main', pt(s, cpu, 2048)], ['side', pt(s, cpu / 2, 1024)]]) }],
        ['data/db', { containers: new Map([['main', pt(s, cpu, 1000)]]) }],
      ]),
    });
  }
  return {
    storage,
    nodes: () => nodes,
    node: (n) => nodes.find((x) => x.metadata?.name === n),
    pods: (ns) => pods.filter((p) => ns === undefined || p.metadata?.namespace === ns),
    pod: (ns, n) => pods.find((p) => p.metadata?.namespace === ns && p.metadata?.name === n),
    now: () => at(11),
  };
}

function call(src: MetricsSource, path: string, accept?: string, method = 'GET') {
  const url = new URL(path, 'https://ms');
  return handleMetricsRequest(src, requestInfo(method, url), url, accept);
}

test('NodeMetrics: measured nodes only; a listed node without metrics is a 404 of nodemetrics', () => {
  const src = source();
  assert.deepEqual(call(src, '/apis/metrics.k8s.io/v1beta1/nodes/n1').body, {
    kind: 'NodeMetrics',
    apiVersion: 'metrics.k8s.io/v1beta1',
    metadata: { name: 'n1', creationTimestamp: '2026-01-01T00:00:11Z', labels: { zone: 'a' } },
    timestamp: '2026-01-01T00:00:10Z',
    window: '10s',
    usage: { cpu: '100m', memory: '4Ki' },
  });
  assert.deepEqual((call(src, '/apis/metrics.k8s.io/v1beta1/nodes').body as { items: unknown[] }).items.length, 1);
  const n2 = call(src, '/apis/metrics.k8s.io/v1beta1/nodes/n2');
  assert.equal(n2.code, 404);
  assert.equal((n2.body as { message: string }).message, 'nodemetrics.metrics.k8s.io "n2" not found');
  assert.equal((call(src, '/apis/metrics.k8s.io/v1beta1/nodes/n3').body as { message: string }).message, 'nodes "n3" not found');
});

test('PodMetrics: namespaces, selectors, 405 for writes, Tables with the pod\'s sums', () => {
  const src = source();
  const names = (path: string) => (call(src, path).body as { items: { metadata: { namespace: string; name: string } }[] }).items.map((i) => `${i.metadata.namespace}/${i.metadata.name}`);
  assert.deepEqual(names('/apis/metrics.k8s.io/v1beta1/pods'), ['data/db', 'default/web']);
  assert.deepEqual(names('/apis/metrics.k8s.io/v1beta1/namespaces/default/pods'), ['default/web']);
  assert.deepEqual(names('/apis/metrics.k8s.io/v1beta1/pods?labelSelector=app%3Dweb'), ['default/web']);
  assert.deepEqual(names('/apis/metrics.k8s.io/v1beta1/pods?fieldSelector=metadata.namespace%3Ddata'), ['data/db']);
  assert.equal(call(src, '/apis/metrics.k8s.io/v1beta1/pods?fieldSelector=bad').code, 400);
  assert.equal(call(src, '/apis/metrics.k8s.io/v1beta1/namespaces/default/pods/web', undefined, 'DELETE').code, 405);
  const table = call(src, '/apis/metrics.k8s.io/v1beta1/namespaces/default/pods', 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json');
  assert.equal(table.contentType, 'application/json;as=Table;v=v1;g=meta.k8s.io');
  assert.deepEqual((table.body as { rows: { cells: unknown[] }[] }).rows.map((r) => r.cells), [['web', '150m', '3Ki', '10s']]);
  assert.equal(call(src, '/apis/metrics.k8s.io/v1beta1/namespaces/default/pods/db').code, 404);
});
