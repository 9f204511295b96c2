// Opens the core services for one CLI command and unlocks the vault when the command needs
// secrets. Closing the context locks the vault and closes the database.

import type { Command } from 'commander';
import { createLogger } from '../core/logger.ts';
import { ensureDataPaths, resolveDataPaths } from '../core/paths.ts';
import { Sealpost } from '../core/sealpost.ts';
import { CoreError } from '../core/errors.ts';
import { promptSecret, readSecretFile } from './secrets.ts';

/** Runs `action` with an open Sealpost instance and always closes it afterwards. */
export async function withSealpost<T>(
  command: Command,
  options: { unlock: boolean },
  action: (sealpost: Sealpost) => Promise<T>,
): Promise<T> {
  const paths = resolveDataPaths();
  ensureDataPaths(paths);
  const sealpost = Sealpost.open(paths, createLogger(paths.logs));
  try {
    if (options.unlock) await unlockVault(command, sealpost);
    return await action(sealpost);
  } finally {
    sealpost.close();
  }
}

async function unlockVault(command: Command, sealpost: Sealpost): Promise<void> {
  const file = command.optsWithGlobals<{ passphraseFile?: string }>().passphraseFile;
  if (file) {
    sealpost.unlock(readSecretFile(file, 'passphrase'));
    return;
  }

  if (sealpost.hasVault()) {
    sealpost.unlock(await promptSecret('Sealpost passphrase: '));
    return;
  }

  // First use: the passphrase is chosen now, so ask twice to catch a typo.
  process.stderr.write(
    'Choose a Sealpost passphrase. It protects your keys and account passwords.\n',
  );
  const first = await promptSecret('New passphrase: ');
  const second = await promptSecret('Repeat the passphrase: ');
  if (first !== second) {
    throw new CoreError('INVALID_ARGUMENT', 'The two passphrases differ; run the command again.');
  }
  sealpost.unlock(first);
}

/** Prints `value` as indented JSON on standard output. */
export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}
