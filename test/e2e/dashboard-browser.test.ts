// The dashboard (issue 14) in a real browser: Debian's headless Chromium (puppeteer-core)
// against a cluster started by scripts/up on random ports, the SPA driven only through its
// data-testid hooks (DASH-CONTRACT §4). The admin logs in with scripts/up's one-time link, sees
// both nodes, creates a Deployment from YAML, watches its pods turn Running without a reload,
// reads a pod's live logs, runs a command in an exec terminal, scales to 3 with the button,
// opens the trace waterfall; a ServiceAccount with only `view` is refused Scale with the
// apiserver's 403 message; invalid YAML shows the parser's line and column; the apiserver
// going away shows a banner and the page recovers when it is back; the Deployment is deleted.
// Every view is saved as a screenshot under test-artifacts/dashboard/; the overview and the
// trace also under docs/ (the README shows them).
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser } from 'puppeteer-core';
import { lockHostNetwork } from '../harness/host-lock.js';
import { KUBECTL } from '../harness/kubectl.js';
import { freePort, waitFor } from '../harness/ports.js';
import { click, launchBrowser, loginOnce, loginWithToken, newUserPage, screenshot, testid, waitCount, waitText, waitVisible, type UserPage } from '../harness/browser.js';
import type { PageGlobals } from '../harness/page-globals.js';
import { ROOT, logTail, pidOf, processAlive, runScript, scriptsUpEnv, tearDownCluster } from './cluster-harness.js';

let release: (() => Promise<void>) | undefined;
let env: NodeJS.ProcessEnv;
let state: string;
let up = false;
let browser: Browser | undefined;
let admin: UserPage;

const kubectl = (...args: string[]) => runScript(KUBECTL, ['--kubeconfig', join(state, 'kubeconfig'), ...args], env, 60_000);

// Block style, as users paste it; the container writes a numbered line a second (live logs).
const DEPLOYMENT = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: default
spec:
  replicas: 2
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      terminationGracePeriodSeconds: 1
      containers:
      - name: main
        image: busybox:1.35
        command: ["sh", "-c", "i=0; while true; do echo tick $i; i=$((i+1)); sleep 1; done"]
`;

const row = (id: string, name: string) => testid(id, { 'data-name': name });
/** Inside a row: `[data-testid=row][data-name=name] [data-testid=button]`. */
const inRow = (id: string, name: string, button: string) => `${row(id, name)} ${testid(button)}`;

/** Replaces the YAML editor's text as a user does: select all, then type (CodeMirror gets real key input). */
async function typeYaml(u: UserPage, text: string): Promise<void> {
  await click(u, testid('yaml-editor'));
  await u.page.keyboard.down('Control');
  await u.page.keyboard.press('KeyA');
  await u.page.keyboard.up('Control');
  await u.page.keyboard.press('Backspace');
  // sendCharacter inserts text like an input method: no auto-indent or bracket closing to fight.
  await u.page.keyboard.sendCharacter(text);
}

/** Closes the open dialog (Escape, with the focus taken off a terminal that would keep the key) and waits until `gone` has left the DOM. */
async function dismiss(u: UserPage, gone: string): Promise<void> {
  await u.page.evaluate(() => {
    const { document } = globalThis as unknown as PageGlobals & { document: { activeElement: { blur?: () => void } | null } };
    document.activeElement?.blur?.();
  });
  await u.page.keyboard.press('Escape');
  await waitCount(u, testid(gone), 0);
}

before(async () => {
  release = await lockHostNetwork();
  state = mkdtempSync(join(tmpdir(), 'tskube-dashboard-'));
  env = await scriptsUpEnv(state, await freePort());
  up = true;
  await runScript(join(ROOT, 'scripts/up'), [], env, 240_000);
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close().catch(() => undefined);
  await tearDownCluster({ state, env, up, release });
});

test('the admin logs in with the one-time link (once) and sees both nodes', async () => {
  const link = readFileSync(join(state, 'dashboard-url'), 'utf8').trim();
  assert.match(link, new RegExp(`^http://127\\.0\\.0\\.1:${env.TSKUBE_DASHBOARD_PORT}/login\\?once=\\S+$`));
  admin = await newUserPage(browser!, new URL(link).origin);
  await loginOnce(admin, link);
  await waitVisible(admin, row('node-row', 'node-1'));
  await waitVisible(admin, row('node-row', 'node-2'));
  await screenshot(admin, 'overview-empty');
  // The link was consumed: a second use gets no session.
  const again = await fetch(link, { redirect: 'manual' });
  assert.equal(again.status, 401);
});

test('a Deployment created from YAML: its pods turn Running in the open page, no reload', async () => {
  // A marker in the page's global scope: a reload would drop it.
  await admin.page.evaluate(() => Object.assign(globalThis, { __sameDocument: true }));
  await click(admin, testid('create-yaml'));
  await waitVisible(admin, testid('yaml-editor'));
  await typeYaml(admin, DEPLOYMENT);
  await screenshot(admin, 'create-yaml');
  await click(admin, testid('yaml-apply'));
  await waitCount(admin, testid('yaml-editor'), 0);
  await click(admin, testid('nav-pods'));
  await waitCount(admin, `${testid('pod-row')}[data-name^="web-"]`, 2, { atLeast: true, timeoutMs: 30_000 });
  await waitCount(admin, `${testid('pod-row')}[data-name^="web-"][data-phase="Running"]`, 2, { timeoutMs: 120_000 });
  await screenshot(admin, 'pods');
  assert.equal(await admin.page.evaluate(() => (globalThis as unknown as { __sameDocument?: boolean }).__sameDocument), true, 'the page was not reloaded');
});

test("a pod's live logs and an exec terminal that runs a command", async () => {
  const pod = await admin.page.$eval(`${testid('pod-row')}[data-name^="web-"][data-phase="Running"]`, (el) => el.getAttribute('data-name') ?? '');
  await click(admin, inRow('pod-row', pod, 'logs-button'));
  const first = Number(/tick (\d+)/.exec(await waitText(admin, testid('logs-view'), /tick \d+/))![1]);
  // Live: lines the container writes after the view opened appear in it.
  await waitText(admin, testid('logs-view'), new RegExp(`tick ${first + 2}\\b`), 15_000);
  await screenshot(admin, 'logs');
  await dismiss(admin, 'logs-view');

  await click(admin, inRow('pod-row', pod, 'exec-button'));
  await click(admin, testid('exec-terminal'));
  // The shell evaluates the arithmetic: "42-from-exec" is output, not the echo of the keys typed.
  await waitFor('the terminal answers', async () => {
    await admin.page.keyboard.type('echo $((6*7))-from-$(hostname)\n');
    return waitText(admin, testid('exec-terminal'), new RegExp(`42-from-${pod}`), 3000).then(() => true, () => false);
  }, 30_000, 0);
  await screenshot(admin, 'exec');
  await dismiss(admin, 'exec-terminal');
});

test('scale to 3 with the button; the trace waterfall of the Deployment', async () => {
  await click(admin, testid('nav-workloads'));
  await click(admin, inRow('deploy-row', 'web', 'scale-button'));
  const input = await waitVisible(admin, testid('scale-input'));
  await input.click({ count: 3 });
  await input.type('3');
  await click(admin, testid('scale-submit'));
  await waitVisible(admin, `${row('deploy-row', 'web')}[data-ready="3/3"]`, 120_000);
  await screenshot(admin, 'workloads');

  await click(admin, inRow('deploy-row', 'web', 'trace-button'));
  await waitVisible(admin, testid('trace-waterfall'), 30_000);
  await waitCount(admin, testid('trace-step'), 3, { atLeast: true });
  await screenshot(admin, 'trace', 'docs/dashboard-trace.png');
  await dismiss(admin, 'trace-waterfall');
  await click(admin, testid('nav-overview'));
  await waitVisible(admin, row('node-row', 'node-2'));
  await screenshot(admin, 'overview', 'docs/dashboard-overview.png');
});

test('a ServiceAccount with only `view` is refused Scale with the API\'s 403 message', async () => {
  await kubectl('create', 'serviceaccount', 'viewer');
  await kubectl('create', 'clusterrolebinding', 'dashboard-viewer', '--clusterrole=view', '--serviceaccount=default:viewer');
  const token = (await kubectl('create', 'token', 'viewer')).trim();
  const viewer = await newUserPage(browser!, admin.base);
  try {
    await loginWithToken(viewer, token);
    await click(viewer, testid('nav-workloads'));
    await click(viewer, inRow('deploy-row', 'web', 'scale-button'));
    const input = await waitVisible(viewer, testid('scale-input'));
    await input.click({ count: 3 });
    await input.type('5');
    await click(viewer, testid('scale-submit'));
    const msg = await waitText(viewer, testid('error-message'), /forbidden/);
    assert.match(msg, /deployments\.apps "web" is forbidden: User "system:serviceaccount:default:viewer" cannot (patch|update) resource "deployments\/scale" in API group "apps" in the namespace "default"/);
    await screenshot(viewer, 'forbidden');
  } finally {
    await viewer.context.close();
  }
  assert.match(await kubectl('get', 'deploy', 'web', '-o', 'jsonpath={.spec.replicas}'), /^3$/);
});

test("invalid YAML shows the parser's line and column", async () => {
  await click(admin, testid('create-yaml'));
  await waitVisible(admin, testid('yaml-editor'));
  // Line 3: a flow mapping never closed; the parser reports where.
  await typeYaml(admin, 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: broken\ndata:\n  a: b\n');
  await click(admin, testid('yaml-dry-run'));
  const msg = await waitText(admin, testid('yaml-error'), /line \d+, column \d+/);
  assert.match(msg, /line [345], column \d+/);
  await screenshot(admin, 'yaml-error');
  await dismiss(admin, 'yaml-editor');
});

test('the apiserver going away shows a banner, never a blank page; the page recovers when it is back', async () => {
  await click(admin, testid('nav-pods'));
  await waitCount(admin, `${testid('pod-row')}[data-name^="web-"]`, 3, { atLeast: true });
  const pid = pidOf(state, 'apiserver')!;
  process.kill(pid, 'SIGTERM');
  await waitVisible(admin, testid('apiserver-banner'), 60_000);
  await waitVisible(admin, testid('nav-overview'));
  await waitCount(admin, `${testid('pod-row')}[data-name^="web-"]`, 3, { atLeast: true });
  await screenshot(admin, 'apiserver-down');
  // scripts/up starts again what is not running (once it has exited: it drains its requests first).
  await waitFor('the apiserver process gone', () => !processAlive(state, 'apiserver'), 60_000, 200).catch((e: Error) => {
    throw new Error(`${e.message}\n--- the end of apiserver.log:\n${logTail(state, 'apiserver')}`);
  });
  await runScript(join(ROOT, 'scripts/up'), [], env, 240_000);
  await waitCount(admin, testid('apiserver-banner'), 0, { timeoutMs: 60_000 });
  // Live again: a change made elsewhere reaches the open page.
  await kubectl('scale', 'deploy', 'web', '--replicas=2');
  await waitCount(admin, `${testid('pod-row')}[data-name^="web-"]:not([data-status="Terminating"])`, 2, { timeoutMs: 60_000 });
});

test('the Deployment is deleted from its row', async () => {
  await click(admin, testid('nav-workloads'));
  await click(admin, inRow('deploy-row', 'web', 'delete-button'));
  await click(admin, testid('confirm-delete'));
  await waitCount(admin, row('deploy-row', 'web'), 0, { timeoutMs: 30_000 });
  await waitFor('the Deployment gone from the apiserver', async () => !(await kubectl('get', 'deploy', '-o', 'name')).includes('deployment.apps/web'), 30_000, 500);
  await screenshot(admin, 'deleted');
});
