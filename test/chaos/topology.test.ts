import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { processNames, readTopology } from './topology.js';

test('topology.json is read as written; without it the single-node topology comes from the pid files and ports', () => {
  const state = mkdtempSync(join(tmpdir(), 'chaos-topology-'));
  try {
    mkdirSync(join(state, 'pids'));
    for (const n of ['etcd', 'apiserver', 'kubelet-node-2', 'kubelet-node-1']) writeFileSync(join(state, 'pids', n), '1');
    const t = readTopology(state, { TSKUBE_PORT: '7443', TSKUBE_ETCD_PORT: '3379', TSKUBE_SCHED_PORT: '1', TSKUBE_KUBELET_GIDS: '64001 64002' });
    assert.equal(t.mode, 'single');
    assert.equal(t.server, 'https://127.0.0.1:7443');
    assert.equal(t.etcd[0]!.clientURL, 'http://127.0.0.1:3379');
    assert.equal(t.schedulers[0]!.metricsURL, 'https://127.0.0.1:1/metrics');
    assert.deepEqual(t.kubelets, [
      { name: 'kubelet-node-1', node: 'node-1', gid: 64001 },
      { name: 'kubelet-node-2', node: 'node-2', gid: 64002 },
    ]);
    assert.deepEqual(processNames(t), ['etcd', 'apiserver', 'scheduler', 'controller-manager', 'kubelet-node-1', 'kubelet-node-2', 'kube-proxy']);

    const ha = { mode: 'ha', server: 'https://127.0.0.1:6443', kubeconfig: 'k', caFile: 'c', etcd: [], apiservers: [], schedulers: [], controllerManagers: [], kubelets: [], kubeProxy: { name: 'kube-proxy' }, haproxy: { name: 'haproxy', port: 6443 } };
    writeFileSync(join(state, 'topology.json'), JSON.stringify(ha));
    assert.deepEqual(readTopology(state, {}), { ...ha, state });
  } finally {
    rmSync(state, { recursive: true, force: true });
  }
});
