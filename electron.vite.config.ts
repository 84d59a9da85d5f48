import { resolve } from 'node:path';
import { defineConfig } from 'electron-vite';
import react from '@vitejs/plugin-react';
import { readFileSync } from 'node:fs';
import type { Plugin } from 'vite';
import { cspMetaTag } from './app/renderer/csp.ts';

const { version } = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };

/** The built dashboard carries its own CSP (app/renderer/csp.ts), first thing in <head>. */
const cspMeta = (): Plugin => ({
  name: 'pipedai-csp-meta',
  apply: 'build',
  transformIndexHtml: (html) => {
    const at = html.indexOf('<meta charset');
    if (at === -1) throw new Error('index.html has no <meta charset> to put the CSP after');
    const end = html.indexOf('>', at) + 1;
    return `${html.slice(0, end)}\n    ${cspMetaTag()}${html.slice(end)}`;
  },
});

// Main and preload are CommonJS: a sandboxed preload cannot be an ES module (DESIGN.md).
export default defineConfig({
  main: {
    define: { __PIPEDAI_VERSION__: JSON.stringify(version) },
    // electron-store's atomically hooks a dozen process signals at load through when-exit and
    // re-raises them, which can end the app before its drain: app/main/shell/exit-only.ts keeps
    // its exit callback and hooks no signal (package:check asserts the bundle hooks none).
    resolve: { alias: { 'when-exit': resolve('app/main/shell/exit-only.ts') } },
    build: {
      outDir: 'out/main',
      // Runtime dependencies stay external (node_modules ships in the app) except the ESM-only
      // ones, which a CommonJS main cannot require: got (and its deps) is bundled. Dev
      // dependencies used by main (electron-store, ESM-only and importing electron) are bundled
      // too, since electron-vite externalizes `dependencies` only.
      externalizeDeps: { exclude: ['got'] },
      lib: {
        entry: resolve('app/main/shell/index.ts'),
        formats: ['cjs'],
        fileName: () => 'index.cjs',
      },
    },
  },
  preload: {
    build: {
      outDir: 'out/preload',
      // A sandboxed preload can require only `electron`: everything else is bundled in.
      externalizeDeps: false,
      lib: {
        entry: resolve('app/preload/index.ts'),
        formats: ['cjs'],
        fileName: () => 'index.cjs',
      },
    },
  },
  renderer: {
    root: 'app/renderer',
    // Relative asset URLs: the bundle is served from `/` by the control server and loaded from
    // file:// by the Electron window.
    base: './',
    plugins: [react(), cspMeta()],
    build: {
      // Nothing inline (the CSP allows scripts from 'self' only) and no source of secrets: keep
      // every asset a file.
      assetsInlineLimit: 0,
      minify: true,
      outDir: resolve('out/renderer'),
      rollupOptions: { input: resolve('app/renderer/index.html') },
    },
  },
});
