#!/usr/bin/env node
// Bundles the dashboard's single-page app (dashboard/web/) with esbuild into
// dist/dashboard/public/: index.html + assets/ (JS chunks and one CSS file that includes
// xterm.js's and uPlot's stylesheets). Everything is local: the machine is offline, no CDN.
// Heavy widgets (CodeMirror, xterm.js, uPlot) are split into lazily loaded chunks so the
// overview's first paint only pays for Preact and the views.
import * as esbuild from 'esbuild';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'dist', 'dashboard', 'public');
const watch = process.argv.includes('--watch');
const dev = watch || process.argv.includes('--dev');

await rm(out, { recursive: true, force: true });
await mkdir(join(out, 'assets'), { recursive: true });

/** @type {esbuild.BuildOptions} */
const options = {
  absWorkingDir: root,
  entryPoints: { app: 'dashboard/web/main.tsx' },
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'browser',
  target: ['es2022', 'chrome110'],
  outdir: join(out, 'assets'),
  entryNames: '[name]',
  chunkNames: 'chunk-[hash]',
  assetNames: '[name]-[hash]',
  publicPath: '/assets',
  jsx: 'automatic',
  jsxImportSource: 'preact',
  minify: !dev,
  sourcemap: 'linked',
  legalComments: 'linked',
  logLevel: 'warning',
  define: { 'process.env.NODE_ENV': dev ? '"development"' : '"production"' },
  loader: { '.woff': 'file', '.woff2': 'file', '.ttf': 'file', '.svg': 'file' },
};

const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>tskube dashboard</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/assets/app.css">
<script type="module" src="/assets/app.js"></script>
</head>
<body>
<div id="app"><noscript>The tskube dashboard needs JavaScript.</noscript></div>
</body>
</html>
`;
await writeFile(join(out, 'index.html'), html);

if (watch) {
  const ctx = await esbuild.context(options);
  await ctx.watch();
  console.log(`watching dashboard/web → ${out}`);
} else {
  const result = await esbuild.build({ ...options, metafile: true });
  const bytes = Object.values(result.metafile.outputs).reduce((n, o) => n + o.bytes, 0);
  console.log(`dashboard: ${Object.keys(result.metafile.outputs).length} files, ${(bytes / 1024).toFixed(0)} KiB → ${out}`);
}
