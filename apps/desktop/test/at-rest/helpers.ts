// Helpers for the at-rest tests: fresh data folders and Sealpost opened on them without the
// mail stack. The OS keychain is the Secret Service that test/keyring-setup.ts starts.

import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { KeyAccess } from '../../src/core/keystore/open-keys.ts';
import { createLogger, createSilentLogger } from '../../src/core/logger.ts';
import { ensureDataPaths, resolveDataPaths } from '../../src/core/paths.ts';
import type { DataPaths } from '../../src/core/paths.ts';
import { Sealpost } from '../../src/core/sealpost.ts';

export interface DataFolder {
  paths: DataPaths;
  open(access?: KeyAccess, options?: { logToFile?: boolean }): Promise<Sealpost>;
  remove(): void;
}

export function makeDataFolder(prefix = 'sealpost-at-rest-'): DataFolder {
  const home = mkdtempSync(path.join(os.tmpdir(), prefix));
  const paths = resolveDataPaths({ SEALPOST_HOME: home });
  ensureDataPaths(paths);
  return {
    paths,
    open: (access = {}, options = {}) =>
      Sealpost.open(
        paths,
        options.logToFile ? createLogger(paths.logs, 'debug') : createSilentLogger(),
        access,
      ),
    remove: () => rmSync(home, { recursive: true, force: true }),
  };
}

/** Generates a local address; these tests never send mail, so it needs no mailbox. */
export function localAddress(role: string): string {
  return `${role}-${process.pid}-${Math.floor(Math.random() * 1e9)}@sealpost.test`;
}
