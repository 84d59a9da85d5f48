import { resolve } from 'node:path';
import { defineConfig } from 'electron-vite';
import react from '@vitejs/plugin-react';
import { readFileSync } from 'node:fs';

const { version } = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };

// Main and preload are CommonJS: a sandboxed preload cannot be an ES module (DESIGN.md).
export default defineConfig({
  main: {
    define: { __PIPEDAI_VERSION__: JSON.stringify(version) },
    build: {
      outDir: 'out/main',
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
      lib: {
        entry: resolve('app/preload/index.ts'),
        formats: ['cjs'],
        fileName: () => 'index.cjs',
      },
    },
  },
  renderer: {
    root: 'app/renderer',
    plugins: [react()],
    build: {
      outDir: resolve('out/renderer'),
      rollupOptions: { input: resolve('app/renderer/index.html') },
    },
  },
});
