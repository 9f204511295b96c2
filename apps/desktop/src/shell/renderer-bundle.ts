// Builds the renderer bundle with Vite (packages/ui/vite.config.ts) when it is missing or
// older than any renderer source file, so `pnpm start` and the UI tests on a clean clone serve
// the current code. Concurrent callers in one process share one build.

import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { RENDERER_BUNDLE_DIR } from './bundle-files.ts';

const UI_PACKAGE_DIR = fileURLToPath(new URL('../../../../packages/ui/', import.meta.url));
const SOURCE_DIR = path.join(UI_PACKAGE_DIR, 'src');
const CONFIG_FILE = path.join(UI_PACKAGE_DIR, 'vite.config.ts');

let pending: Promise<string> | null = null;

/** Returns the bundle folder, building it first when it is stale. */
export function ensureRendererBundle(): Promise<string> {
  pending ??= (async () => {
    if (isStale()) await buildRendererBundle();
    return RENDERER_BUNDLE_DIR;
  })().finally(() => {
    pending = null;
  });
  return pending;
}

export async function buildRendererBundle(): Promise<void> {
  const { build } = await import('vite');
  await build({ configFile: CONFIG_FILE, logLevel: 'warn' });
}

function isStale(): boolean {
  let built: number;
  try {
    built = statSync(path.join(RENDERER_BUNDLE_DIR, 'index.html')).mtimeMs;
  } catch {
    return true;
  }
  return newestSource([SOURCE_DIR, CONFIG_FILE]) > built;
}

function newestSource(entries: string[]): number {
  let newest = 0;
  for (const entry of entries) {
    const stat = statSync(entry);
    if (stat.isDirectory()) {
      const children = readdirSync(entry).map((name) => path.join(entry, name));
      newest = Math.max(newest, newestSource(children));
    } else {
      newest = Math.max(newest, stat.mtimeMs);
    }
  }
  return newest;
}
