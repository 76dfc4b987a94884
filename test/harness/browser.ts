// Headless Chromium for the dashboard's browser tests and benchmarks: Debian's /usr/bin/chromium
// driven by puppeteer-core (no browser download), each user in a browser context of its own
// (its own cookie jar), the SPA found by its data-testid hooks (DASH-CONTRACT §4), waits with
// deadlines (never sleeps), and one screenshot per view saved as a test artefact under
// test-artifacts/dashboard/ (gitignored).
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import puppeteer, { type Browser, type BrowserContext, type Page } from 'puppeteer-core';
import type { PageGlobals } from './page-globals.js';

type Handle = NonNullable<Awaited<ReturnType<Page['waitForSelector']>>>;

export const CHROMIUM = process.env.TSKUBE_CHROMIUM ?? '/usr/bin/chromium';
const ROOT = new URL('../../..', import.meta.url).pathname.replace(/\/$/, '');
export const ARTIFACTS = join(ROOT, 'test-artifacts', 'dashboard');

/** Headless Chromium. The flags keep it off the network (no updates, no sync, no metrics) and working as root in a container. */
export function launchBrowser(): Promise<Browser> {
  return puppeteer.launch({
    executablePath: CHROMIUM,
    headless: true,
    defaultViewport: { width: 1280, height: 800 },
    args: ['--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu', '--no-first-run', '--no-default-browser-check', '--disable-sync', '--disable-features=Translate,OptimizationHints,MediaRouter'],
  });
}

/** A page with what it said recently (console, page errors, failed requests), for failure messages. */
export interface UserPage {
  page: Page;
  context: BrowserContext;
  base: string;
  /** The last lines the page logged, oldest first. */
  log: string[];
}

/** A fresh browser context (its own cookies) and a page in it on the dashboard at `base`. */
export async function newUserPage(browser: Browser, base: string): Promise<UserPage> {
  const context = await browser.createBrowserContext();
  const page = await context.newPage();
  const log: string[] = [];
  const keep = (line: string) => {
    log.push(line);
    if (log.length > 50) log.shift();
  };
  page.on('console', (m) => keep(`console.${m.type()}: ${m.text()}`));
  page.on('pageerror', (e) => keep(`pageerror: ${e instanceof Error ? e.message : String(e)}`));
  page.on('requestfailed', (r) => keep(`requestfailed: ${r.method()} ${r.url()} ${r.failure()?.errorText ?? ''}`));
  page.on('response', (r) => {
    if (r.status() >= 400) keep(`HTTP ${r.status()} ${r.request().method()} ${r.url()}`);
  });
  return { page, context, base: base.replace(/\/$/, ''), log };
}

/** `[data-testid="id"]` with optional attribute equalities, e.g. testid('pod-row', { 'data-name': 'x' }). */
export function testid(id: string, attrs: Record<string, string> = {}): string {
  return `[data-testid="${id}"]` + Object.entries(attrs).map(([k, v]) => `[${k}="${v.replace(/"/g, '\\"')}"]`).join('');
}

/** Adds the page's recent log to an error, so a failed wait says what the page saw. */
function explain(u: UserPage, what: string, e: unknown): Error {
  return new Error(`${what}: ${e instanceof Error ? e.message : String(e)}\n--- page log (${u.page.url()}):\n${u.log.join('\n')}`);
}

/** Waits (deadline `timeoutMs`) for a visible element matching `selector`. */
export async function waitVisible(u: UserPage, selector: string, timeoutMs = 20_000): Promise<Handle> {
  try {
    const el = await u.page.waitForSelector(selector, { visible: true, timeout: timeoutMs });
    if (!el) throw new Error('no element');
    return el;
  } catch (e) {
    throw explain(u, `waiting for ${selector}`, e);
  }
}

/**
 * Waits (deadline `timeoutMs`) until `fn(arg)` is truthy in the page, checked on each DOM
 * mutation — or every `pollMs` for a condition that no mutation announces (paint entries).
 */
export async function waitInPage<A>(u: UserPage, what: string, fn: (arg: A) => unknown, arg: A, timeoutMs = 20_000, pollMs?: number): Promise<void> {
  try {
    await u.page.waitForFunction(fn as (a: unknown) => unknown, { timeout: timeoutMs, polling: pollMs ?? 'mutation' }, arg);
  } catch (e) {
    throw explain(u, `waiting for ${what}`, e);
  }
}

/** Waits until `count` elements match `selector` (exactly, or at least with atLeast). */
export async function waitCount(u: UserPage, selector: string, count: number, opts: { atLeast?: boolean; timeoutMs?: number } = {}): Promise<void> {
  await waitInPage(u, `${opts.atLeast ? '≥' : ''}${count} × ${selector}`, ({ s, n, min }) => {
    const { document } = globalThis as unknown as PageGlobals;
    const k = document.querySelectorAll(s).length;
    return min ? k >= n : k === n;
  }, { s: selector, n: count, min: opts.atLeast ?? false }, opts.timeoutMs);
}

/** Waits until some element matching `selector` has text matching `re` (given as source + flags); returns that text. */
export async function waitText(u: UserPage, selector: string, re: RegExp, timeoutMs = 20_000): Promise<string> {
  await waitInPage(u, `${selector} ~ ${re}`, ({ s, src, flags }) => {
    const { document } = globalThis as unknown as PageGlobals;
    return [...document.querySelectorAll(s)].some((el) => new RegExp(src, flags).test(el.textContent ?? ''));
  }, { s: selector, src: re.source, flags: re.flags }, timeoutMs);
  return u.page.$$eval(selector, (els, src, flags) => els.map((el) => el.textContent ?? '').find((t) => new RegExp(src, flags).test(t)) ?? '', re.source, re.flags);
}

/** Clicks the first visible element matching `selector` (waiting for it). */
export async function click(u: UserPage, selector: string, timeoutMs = 20_000): Promise<void> {
  const el = await waitVisible(u, selector, timeoutMs);
  await el.click();
}

/** Follows scripts/up's one-time login link; the session cookie is set and the SPA shows its navigation. */
export async function loginOnce(u: UserPage, link: string): Promise<void> {
  await u.page.goto(link, { waitUntil: 'domcontentloaded' });
  await waitVisible(u, testid('nav-overview'), 30_000);
}

/** Logs in on the login page by pasting a bearer token. */
export async function loginWithToken(u: UserPage, token: string): Promise<void> {
  await u.page.goto(u.base + '/', { waitUntil: 'domcontentloaded' });
  const input = await waitVisible(u, testid('login-token'));
  await input.type(token);
  await click(u, testid('login-submit'));
  await waitVisible(u, testid('nav-overview'), 30_000);
}

/** A full-page screenshot `test-artifacts/dashboard/<name>.png` (one per view); returns its path. */
export async function screenshot(u: UserPage, name: string, copyTo?: string): Promise<string> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const path = join(ARTIFACTS, `${name}.png`);
  await u.page.screenshot({ path, fullPage: true });
  if (copyTo) {
    mkdirSync(dirname(join(ROOT, copyTo)), { recursive: true });
    await u.page.screenshot({ path: join(ROOT, copyTo), fullPage: false });
  }
  return path;
}
