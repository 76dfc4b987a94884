import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cpuQuantity, memoryQuantity, MetricsStorage, resourceUsage } from './storage.js';
import type { MetricsBatch, MetricsPoint } from './types.js';

const T0 = Date.parse('2026-01-01T00:00:00Z');
const at = (s: number) => new Date(T0 + s * 1000);
const pt = (s: number, cpuSeconds: number, mem: number, start?: number): MetricsPoint => ({
  timestamp: at(s),
  cumulativeCpuUsed: cpuSeconds * 1e9,
  memoryUsage: mem,
  ...(start !== undefined ? { startTime: at(start) } : {}),
});

function batch(nodes: Record<string, MetricsPoint>, pods: Record<string, Record<string, MetricsPoint>> = {}): MetricsBatch {
  return {
    nodes: new Map(Object.entries(nodes)),
    pods: new Map(Object.entries(pods).map(([k, cs]) => [k, { containers: new Map(Object.entries(cs)) }])),
  };
}

test('quantities are written as the API writes them', () => {
  assert.equal(cpuQuantity(123456789), '123456789n');
  assert.equal(cpuQuantity(5_000_000), '5m');
  assert.equal(cpuQuantity(2e9), '2');
  assert.equal(cpuQuantity(0), '0');
  assert.equal(memoryQuantity(1234 * 1024), '1234Ki');
  assert.equal(memoryQuantity(3 * 1024 * 1024), '3Mi');
  assert.equal(memoryQuantity(1000), '1000');
});

test('CPU is the rate of the cumulative counter between two points; memory the last working set', () => {
  const r = resourceUsage(pt(15, 3, 2048), pt(0, 1.5, 1024));
  assert.deepEqual(r, { usage: { cpu: '100m', memory: '2Ki' }, time: { timestamp: at(15), windowMs: 15_000 } });
  assert.equal(resourceUsage(pt(15, 1, 0), pt(0, 2, 0)), undefined, 'a counter going backwards has no rate');
  assert.equal(resourceUsage(pt(15, 3, 0, 10), pt(0, 1, 0, 5)) !== undefined, true);
  assert.equal(resourceUsage(pt(15, 3, 0, 1), pt(0, 1, 0, 5)), undefined, 'start time going backwards');
});

test('a node has metrics only after its second point', () => {
  const s = new MetricsStorage(15_000);
  s.store(batch({ n1: pt(0, 10, 100) }));
  assert.equal(s.nodeMetrics('n1'), undefined);
  s.store(batch({ n1: pt(10, 12, 200) }));
  assert.deepEqual(s.nodeMetrics('n1'), { usage: { cpu: '200m', memory: '200' }, time: { timestamp: at(10), windowMs: 10_000 } });
  // The kubelet answered with the same reading: the older pair is kept.
  s.store(batch({ n1: pt(10, 12, 200) }));
  assert.deepEqual(s.nodeMetrics('n1')?.time, { timestamp: at(10), windowMs: 10_000 });
  s.store(batch({ n1: pt(20, 13, 300) }));
  assert.deepEqual(s.nodeMetrics('n1')?.usage, { cpu: '100m', memory: '300' });
  // A node missing from a scrape is forgotten, and starts over.
  s.store(batch({}));
  assert.equal(s.nodeMetrics('n1'), undefined);
  s.store(batch({ n1: pt(40, 20, 1) }));
  assert.equal(s.nodeMetrics('n1'), undefined);
});

test('a pod is served only when all its containers have two points; timestamp is the earliest', () => {
  const s = new MetricsStorage(15_000);
  s.store(batch({}, { 'ns/p': { a: pt(0, 0, 1024) } }));
  s.store(batch({}, { 'ns/p': { a: pt(10, 1, 2048), b: pt(9, 0, 0) } }));
  assert.equal(s.podMetrics('ns', 'p'), undefined, 'b has one point');
  s.store(batch({}, { 'ns/p': { a: pt(20, 2, 2048), b: pt(19, 0.5, 4096) } }));
  assert.deepEqual(s.podMetrics('ns', 'p'), {
    containers: [
      { name: 'a', usage: { cpu: '100m', memory: '2Ki' } },
      { name: 'b', usage: { cpu: '50m', memory: '4Ki' } },
    ],
    time: { timestamp: at(19), windowMs: 10_000 },
  });
  assert.equal(s.podMetrics('ns', 'other'), undefined);
  assert.deepEqual(s.pointCounts(), { node: 0, container: 2 });
});

test('a restarted container starts over; a fresh one is measured from its start', () => {
  const s = new MetricsStorage(15_000);
  s.store(batch({}, { 'ns/p': { a: pt(0, 5, 1, -100) } }));
  s.store(batch({}, { 'ns/p': { a: pt(10, 6, 1, -100) } }));
  assert.ok(s.podMetrics('ns', 'p'));
  // Restarted at t=11 (after the stored point): no rate across the restart.
  s.store(batch({}, { 'ns/p': { a: pt(30, 0.1, 1, 11) } }));
  assert.equal(s.podMetrics('ns', 'p'), undefined);
  // A container 12 s old (≥ 10 s, < the 15 s resolution) gets its rate from its start.
  const fresh = new MetricsStorage(15_000);
  fresh.store(batch({}, { 'ns/q': { a: pt(12, 1.2, 1, 0) } }));
  assert.deepEqual(fresh.podMetrics('ns', 'q')?.containers, [{ name: 'a', usage: { cpu: '100m', memory: '1' } }]);
});
