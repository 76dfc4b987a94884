// The single-page app's files: `/` is index.html, `/assets/*` the esbuild output under
// --static-dir (dist/dashboard/public, made by scripts/build-dashboard.mjs). Paths are resolved
// inside the directory only. When the app was not built, `/` says so instead of a blank page.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import { extname, join, resolve, sep } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { errors } from '../../api/status.js';
import { SECURITY_HEADERS, sendStatus } from './reply.js';

// The handful of types esbuild emits (a full MIME database is not needed for our own bundle).
const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.ttf': 'font/ttf',
  '.txt': 'text/plain; charset=utf-8',
};

/**
 * The app's pages: scripts and styles from this origin only (CodeMirror, xterm.js and uPlot set
 * inline styles, hence 'unsafe-inline' for style-src), no framing, no plugins.
 */
export const PAGE_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'; form-action 'self'";

const PLACEHOLDER = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>tskube dashboard</title></head>
<body><h1>tskube dashboard</h1><p>The web app is not built: run <code>npm run build</code> (scripts/build-dashboard.mjs writes dist/dashboard/public).</p></body></html>
`;

/** The file a URL path names inside `root`, or undefined when it is not a static path or escapes it. */
export function staticFile(root: string, urlPath: string): string | undefined {
  if (urlPath === '/' || urlPath === '/index.html') return join(root, 'index.html');
  if (!urlPath.startsWith('/assets/')) return undefined;
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return undefined;
  }
  if (decoded.includes('\0')) return undefined;
  const base = resolve(root);
  const file = resolve(base, '.' + decoded);
  return file.startsWith(base + sep) ? file : undefined;
}

export async function serveStatic(res: ServerResponse, root: string, urlPath: string, head: boolean): Promise<void> {
  const file = staticFile(root, urlPath);
  const notFound = () => sendStatus(res, errors.notFound({ group: '', resource: '' }, urlPath));
  if (!file) return notFound();
  const isIndex = file === join(root, 'index.html');
  let size: number;
  try {
    const st = await stat(file);
    if (!st.isFile()) return notFound();
    size = st.size;
  } catch {
    if (!isIndex) return notFound();
    res.writeHead(200, { ...SECURITY_HEADERS, 'content-type': TYPES['.html']!, 'content-security-policy': PAGE_CSP });
    res.end(head ? undefined : PLACEHOLDER);
    return;
  }
  res.writeHead(200, {
    ...SECURITY_HEADERS,
    'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
    'content-length': size,
    // index.html names the current bundle: always revalidated; assets too (names are not hashed for sure).
    'cache-control': 'no-cache',
    ...(isIndex ? { 'content-security-policy': PAGE_CSP } : {}),
  });
  if (head) {
    res.end();
    return;
  }
  try {
    await pipeline(createReadStream(file), res);
  } catch {
    res.destroy();
  }
}
