// `docker compose up` for real (the slowest test): scripts/compose-up builds the image from
// ./Dockerfile on a local base image and starts every component in containers; the two-tier
// example applied with `kc` answers on NodePort 30001 from the host; scripts/compose-down
// tears it all down and leaves no pod container, pod network or kube-proxy chain behind.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { lockHostNetwork } from '../harness/host-lock.js';
import { freePort, waitFor } from '../harness/ports.js';
import { ROOT, frontendsSeen, hostLeftovers, runScript } from './cluster-harness.js';

let release: (() => Promise<void>) | undefined;
let env: NodeJS.ProcessEnv;
let kubeconfig: string;
let before0: Awaited<ReturnType<typeof hostLeftovers>>;
let up = false;

const kc = (...args: string[]) => runScript(process.execPath, [join(ROOT, 'dist/kubectl/main.js'), '--kubeconfig', kubeconfig, ...args], env, 60_000);

before(async () => {
  release = await lockHostNetwork();
  before0 = await hostLeftovers();
  const dir = mkdtempSync(join(tmpdir(), 'tskube-compose-'));
  const port = await freePort();
  env = {
    ...process.env,
    HOME: dir,
    COMPOSE_PROJECT_NAME: `tskubetest${process.pid}`,
    TSKUBE_PORT: String(port),
    TSKUBE_DNS_PORT: String(await freePort()),
  };
  kubeconfig = join(dir, 'kubeconfig');
  writeFileSync(
    kubeconfig,
    `apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster:\n    server: http://127.0.0.1:${port}\ncontexts:\n- name: c\n  context:\n    cluster: c\n    user: u\n    namespace: default\ncurrent-context: c\nusers:\n- name: u\n  user: {}\n`,
  );
});

after(async () => {
  if (up) await runScript(join(ROOT, 'scripts/compose-down'), ['--volumes'], env, 300_000).catch(() => undefined);
  await release?.();
});

test('compose up runs the cluster; the two-tier example applied with kc answers on 30001', async () => {
  up = true;
  await runScript(join(ROOT, 'scripts/compose-up'), [], env, 900_000);
  await waitFor('two Ready nodes', async () => {
    const out = await kc('get', 'nodes').catch(() => '');
    return (out.match(/\sReady\s/g) ?? []).length === 2;
  }, 180_000, 1000);
  const applied = await kc('apply', '-f', join(ROOT, 'examples/two-tier.yaml'));
  assert.match(applied, /replicationcontroller\/frontend created/);
  await waitFor('3 ready pods', async () => {
    const out = await kc('get', 'pods', '--no-headers').catch(() => '');
    return (out.match(/\s1\/1\s+Running\s/g) ?? []).length === 3;
  }, 180_000, 1000);
  const seen = await waitFor('both frontends on 127.0.0.1:30001', async () => {
    const s = await frontendsSeen('127.0.0.1', 30001);
    return s.size === 2 ? s : undefined;
  }, 90_000, 1000);
  assert.equal(seen.size, 2);
});

test('compose down removes the cluster and what it made on the host', async () => {
  await runScript(join(ROOT, 'scripts/compose-down'), ['--volumes'], env, 300_000);
  up = false;
  const left = await hostLeftovers();
  assert.deepEqual(left.containers, []);
  assert.deepEqual(left.kubeChains, before0.kubeChains);
  assert.deepEqual(left.routes, before0.routes);
  if (!before0.network) assert.equal(left.network, false);
});
