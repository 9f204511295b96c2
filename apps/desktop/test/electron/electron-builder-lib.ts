// Loads the parts of electron-builder's app-builder-lib that `pnpm dist` runs before it needs
// the Electron binary: the configuration loader and schema check, and the pnpm node_modules
// collector that decides which packages go into the app. They are internal modules of
// app-builder-lib 26 (out/util/config, out/node-module-collector), resolved through the
// installed electron-builder, so a major upgrade of electron-builder may move them.

import { createRequire } from 'node:module';
import path from 'node:path';

const requireFromDesktop = createRequire(new URL('../../package.json', import.meta.url));
const requireFromBuilder = createRequire(requireFromDesktop.resolve('electron-builder'));
const LIB_DIR = path.dirname(requireFromBuilder.resolve('app-builder-lib/package.json'));

export interface BuilderConfiguration {
  extraMetadata?: { main?: string };
  files?: Array<{ filter: string[] }>;
  extraResources?: Array<{ from: string; to: string }>;
  npmRebuild?: boolean;
  buildDependenciesFromSource?: boolean;
  asar?: boolean;
}

interface ConfigModule {
  getConfig(
    projectDir: string,
    configPath: string | null,
    options: null,
  ): Promise<BuilderConfiguration>;
  validateConfiguration(
    config: BuilderConfiguration,
    debugLogger: { isEnabled: boolean; add(key: string, value: unknown): void },
  ): Promise<void>;
}

interface NodeModuleInfo {
  name: string;
  dependencies?: NodeModuleInfo[];
}

interface CollectorModule {
  PM: { PNPM: string };
  getCollectorByPackageManager(
    pm: string,
    rootDir: string,
    tempDir: unknown,
  ): {
    getNodeModules(options: { packageName: string }): Promise<{ nodeModules: NodeModuleInfo[] }>;
  };
}

/** Loads electron-builder.yml of `projectDir` as electron-builder does and checks its schema. */
export async function loadBuilderConfiguration(projectDir: string): Promise<BuilderConfiguration> {
  const config = requireFromBuilder(
    path.join(LIB_DIR, 'out/util/config/config.js'),
  ) as ConfigModule;
  const loaded = await config.getConfig(projectDir, null, null);
  await config.validateConfiguration(loaded, { isEnabled: false, add: () => undefined });
  return loaded;
}

/**
 * Returns the package names electron-builder would copy into the app's node_modules, nested
 * ones as "parent>child", from its pnpm collector (which runs `pnpm list --prod`).
 */
export async function collectPackagedModules(
  projectDir: string,
  packageName: string,
): Promise<string[]> {
  const collector = requireFromBuilder(
    path.join(LIB_DIR, 'out/node-module-collector/index.js'),
  ) as CollectorModule;
  const { TmpDir } = requireFromBuilder('temp-file') as {
    TmpDir: new (name: string) => { cleanup(): Promise<void> };
  };
  const tempDir = new TmpDir('sealpost-collect');
  try {
    const { nodeModules } = await collector
      .getCollectorByPackageManager(collector.PM.PNPM, projectDir, tempDir)
      .getNodeModules({ packageName });
    const names: string[] = [];
    const walk = (modules: NodeModuleInfo[], prefix: string) => {
      for (const module of modules) {
        names.push(prefix + module.name);
        if (module.dependencies) walk(module.dependencies, `${prefix}${module.name}>`);
      }
    };
    walk(nodeModules, '');
    return names;
  } finally {
    await tempDir.cleanup();
  }
}
