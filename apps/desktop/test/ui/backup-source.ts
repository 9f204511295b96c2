// A Sealpost recovery-code backup made in a data folder of its own, as a user brings it from
// another computer to the first-run key step.

import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { CreatedBackup } from '../../src/core/backup.ts';
import { createSilentLogger } from '../../src/core/logger.ts';
import { ensureDataPaths, resolveDataPaths } from '../../src/core/paths.ts';
import { Sealpost } from '../../src/core/sealpost.ts';

/** Makes a backup of a new key for `address` in a data folder of its own. */
export async function backupFromOtherFolder(address: string): Promise<CreatedBackup> {
  const home = mkdtempSync(path.join(os.tmpdir(), 'sealpost-ui-backup-'));
  const paths = resolveDataPaths({ SEALPOST_HOME: home });
  ensureDataPaths(paths);
  const sealpost = await Sealpost.open(paths, createSilentLogger(), {
    keychain: null,
    passphrase: 'backup source passphrase',
  });
  try {
    await sealpost.keys.generate({ address, name: null });
    return await sealpost.keys.exportBackup();
  } finally {
    sealpost.close();
    rmSync(home, { recursive: true, force: true });
  }
}
