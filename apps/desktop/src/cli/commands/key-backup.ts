// `sealpost key export --backup` and `key import --backup`: all own secret keys in one file
// encrypted with a recovery code that is shown once, or split into Shamir shares.

import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { CoreError } from '../../core/errors.ts';
import { shareQrCode, splitRecoveryCode } from '../../core/shamir.ts';
import { withSealpost } from '../context.ts';
import { promptSecret, readSecretFile } from '../secrets.ts';
import { combineShareFiles, shareMismatchError } from '../share-files.ts';
import { formatFingerprint } from './key.ts';

export interface SplitOptions {
  shares: number;
  threshold: number;
  outputDir: string;
}

export function splitOptions(options: {
  shares?: number;
  threshold?: number;
  outputDir?: string;
}): SplitOptions | null {
  const given = [options.shares, options.threshold, options.outputDir].filter(
    (value) => value !== undefined,
  );
  if (given.length === 0) return null;
  if (given.length !== 3) {
    throw new CoreError(
      'INVALID_ARGUMENT',
      'Shamir shares need all of --shares, --threshold and --output-dir, for example --shares 5 --threshold 3 --output-dir shares.',
    );
  }
  return {
    shares: options.shares!,
    threshold: options.threshold!,
    outputDir: options.outputDir!,
  };
}

export async function exportBackup(
  command: Command,
  file: string,
  sharing: SplitOptions | null,
): Promise<void> {
  if (existsSync(file)) {
    throw new CoreError(
      'INVALID_ARGUMENT',
      `${file} already exists; choose a new file name so an older backup and its code stay valid.`,
    );
  }
  await withSealpost(command, { unlock: true }, async (sealpost) => {
    const backup = await sealpost.keys.exportBackup();
    // Split before writing anything, so invalid share options leave no backup behind.
    const shares = sharing
      ? await splitRecoveryCode(backup.recoveryCode, sharing.shares, sharing.threshold)
      : null;
    try {
      writeFileSync(file, backup.armored, { mode: 0o600, flag: 'wx' });
    } catch (error) {
      throw new CoreError(
        'INVALID_ARGUMENT',
        `Cannot write the backup file ${file}: ${(error as Error).message}; choose a path in a folder that exists and that you can write to.`,
        { cause: error },
      );
    }
    process.stdout.write(`Wrote ${backup.identities.length} secret key(s) to ${file}.\n\n`);

    if (shares && sharing) {
      mkdirSync(sharing.outputDir, { recursive: true, mode: 0o700 });
      for (const [index, share] of shares.entries()) {
        const base = path.join(sharing.outputDir, `share-${index + 1}`);
        writeFileSync(`${base}.txt`, `${share}\n`, { mode: 0o600, flag: 'wx' });
        writeFileSync(`${base}.png`, await shareQrCode(share), { mode: 0o600, flag: 'wx' });
      }
      sealpost.audit.record('backup-export', null, {
        shares: sharing.shares,
        threshold: sharing.threshold,
      });
      process.stdout.write(
        `The recovery code is split into ${sharing.shares} shares in ${sharing.outputDir} ` +
          `(share-N.txt and a QR code share-N.png); any ${sharing.threshold} restore it. ` +
          `Give them to different people or places; the code itself is not shown.\n` +
          `Restore with "sealpost key import --backup ${file} --share FILE...".\n`,
      );
      return;
    }

    process.stdout.write(
      `Recovery code (shown only now; write it down and keep it apart from the file):\n\n` +
        `    ${backup.recoveryCode}\n\n` +
        `Restore with "sealpost key import --backup ${file}". GnuPG reads it too:\n` +
        `gpg --decrypt ${file} | gpg --import, with the recovery code as passphrase.\n`,
    );
  });
}

export async function importBackup(
  command: Command,
  file: string,
  recoveryCodeFile: string | undefined,
  shareFiles: string[] | undefined,
): Promise<void> {
  if (recoveryCodeFile && shareFiles) {
    throw new CoreError(
      'INVALID_ARGUMENT',
      'Pass either --recovery-code-file or --share, not both.',
    );
  }
  const data = readKeyFile(file);
  let recoveryCode: string;
  if (shareFiles) {
    recoveryCode = await combineShareFiles(shareFiles);
  } else if (recoveryCodeFile) {
    recoveryCode = readSecretFile(recoveryCodeFile, 'recovery code');
  } else {
    recoveryCode = await promptSecret('Recovery code: ', '--recovery-code-file');
  }
  await withSealpost(command, { unlock: true }, async (sealpost) => {
    const restored = await sealpost.keys
      .importBackup(data, recoveryCode)
      .catch((error: unknown) => {
        throw shareFiles ? shareMismatchError(error) : error;
      });
    for (const entry of restored) {
      const verb = entry.outcome === 'restored' ? 'Restored' : 'Already present:';
      process.stdout.write(
        `${verb} ${formatFingerprint(entry.fingerprint)} for ${entry.address}\n`,
      );
    }
  });
}

export function readKeyFile(file: string): Uint8Array {
  try {
    return readFileSync(file);
  } catch (error) {
    throw new CoreError(
      'INVALID_ARGUMENT',
      `Cannot read the key file ${file}: ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  }
}
