// Bundles the preload and the MailApi method list it needs into one CommonJS file, because a
// sandboxed Electron preload can require nothing but `electron`.

import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { PRELOAD_BUNDLE } from '../main/window-options.ts';

export async function buildPreload(): Promise<string> {
  const { build } = await import('vite');
  await build({
    configFile: false,
    logLevel: 'warn',
    build: {
      outDir: path.dirname(PRELOAD_BUNDLE),
      emptyOutDir: false,
      lib: {
        entry: fileURLToPath(new URL('./preload.ts', import.meta.url)),
        formats: ['cjs'],
        fileName: () => path.basename(PRELOAD_BUNDLE),
      },
      rollupOptions: { external: ['electron'] },
      minify: false,
    },
  });
  return PRELOAD_BUNDLE;
}
