// Locates Sealpost's data folder: the platform's application-data folder, or SEALPOST_HOME.

import { chmodSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import envPaths from 'env-paths';

export interface DataPaths {
  root: string;
  database: string;
  vault: string;
  /** keystore.json: where the key-encryption and database keys are kept. */
  keystore: string;
  logs: string;
}

export function resolveDataPaths(env: NodeJS.ProcessEnv = process.env): DataPaths {
  const root = env.SEALPOST_HOME
    ? path.resolve(env.SEALPOST_HOME)
    : envPaths('Sealpost', { suffix: '' }).data;
  return {
    root,
    database: path.join(root, 'sealpost.db'),
    vault: path.join(root, 'vault.json'),
    keystore: path.join(root, 'keystore.json'),
    logs: path.join(root, 'logs'),
  };
}

/** Creates the data folder with owner-only permissions, because it holds sealed secrets. */
export function ensureDataPaths(paths: DataPaths): void {
  mkdirSync(paths.root, { recursive: true, mode: 0o700 });
  mkdirSync(paths.logs, { recursive: true, mode: 0o700 });

  // mkdir leaves an existing folder's mode alone, so a folder the user made beforehand (with
  // the usual 0755) would let other users read the database and logs.
  chmodSync(paths.root, 0o700);
  chmodSync(paths.logs, 0o700);
}
