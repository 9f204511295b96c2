// Builds the renderer bundle into packages/ui/dist. Relative asset URLs let the same bundle
// load from Electron's app: protocol and from the browser shell's HTTP server.

import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

export default defineConfig({
  root: fileURLToPath(new URL('./src/renderer', import.meta.url)),
  base: './',
  // Oxc compiles TSX with React's automatic runtime, so no React plugin is needed.
  oxc: { jsx: { runtime: 'automatic' } },
  build: {
    outDir: fileURLToPath(new URL('./dist', import.meta.url)),
    emptyOutDir: true,
    // The policy forbids inline script, so even the module preload helper stays in a file.
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    sourcemap: false,
  },
  logLevel: 'warn',
});
