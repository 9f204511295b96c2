// `sealpost key export --backup` and `key import --backup`: all own secret keys in one file
// encrypted with a recovery code that is shown once, or split into Shamir shares.

import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { checkBackup } from '../../core/backup.ts';
import { CoreError } from '../../core/errors.ts';
import { shareQrCode, splitRecoveryCode } from '../../core/shamir.ts';
import { withSealpost } from '../context.ts';
import { promptSecret, readSecretFile } from '../secrets.ts';
import { checkNewPaths, writeNewFiles } from '../new-files.ts';
import type { NewFile } from '../new-files.ts';
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

const OLD_SHARES_ADVICE =
  'choose another --output-dir, or remove the old shares there if they are no longer needed.';

/** Returns share-1.txt, share-1.png, share-2.txt, ... in the output folder. */
function shareFilePaths(sharing: SplitOptions): string[] {
  const paths: string[] = [];
  for (let number = 1; number <= sharing.shares; number += 1) {
    const base = path.join(sharing.outputDir, `share-${number}`);
    paths.push(`${base}.txt`, `${base}.png`);
  }
  return paths;
}

export async function exportBackup(
  command: Command,
  file: string,
  sharing: SplitOptions | null,
): Promise<void> {
  const sharePaths = sharing ? shareFilePaths(sharing) : [];
  checkNewPaths([file], 'choose a new file name so an older backup and its code stay valid.');
  if (sharing) {
    checkNewPaths(sharePaths, OLD_SHARES_ADVICE, sharing.outputDir);
  }
  await withSealpost(command, { unlock: true }, async (sealpost) => {
    const backup = await sealpost.keys.exportBackup();
    // Split and draw the QR codes before writing anything, so invalid share options leave no
    // backup behind. Then the backup and every share are written together or not at all.
    const shares = sharing
      ? await splitRecoveryCode(backup.recoveryCode, sharing.shares, sharing.threshold)
      : null;
    const files: NewFile[] = [{ path: file, data: backup.armored, description: 'backup file' }];
    for (const [index, share] of (shares ?? []).entries()) {
      files.push({ path: sharePaths[2 * index]!, data: `${share}\n`, description: 'share file' });
      files.push({
        path: sharePaths[2 * index + 1]!,
        data: await shareQrCode(share),
        description: 'share QR code',
      });
    }
    writeNewFiles(
      files,
      sharing ? OLD_SHARES_ADVICE : 'choose a new file name.',
      sharing?.outputDir,
    );
    process.stdout.write(`Wrote ${backup.identities.length} secret key(s) to ${file}.\n\n`);

    if (sharing) {
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
  const data = readKeyFile(file, 'backup file');
  let recoveryCode: string;
  if (shareFiles) {
    recoveryCode = await combineShareFiles(shareFiles);
  } else if (recoveryCodeFile) {
    recoveryCode = readSecretFile(recoveryCodeFile, 'recovery code');
  } else {
    recoveryCode = await promptSecret('Recovery code: ', '--recovery-code-file');
  }
  // A wrong code or a damaged file is rejected here, before opening creates the data folder,
  // its keystore and a keychain entry for a folder that would stay empty.
  await checkBackup(data, recoveryCode).catch((error: unknown) => {
    throw nameBackupFile(shareFiles ? shareMismatchError(error) : error, file);
  });
  await withSealpost(command, { unlock: true }, async (sealpost) => {
    const restored = await sealpost.keys
      .importBackup(data, recoveryCode)
      .catch((error: unknown) => {
        throw nameBackupFile(shareFiles ? shareMismatchError(error) : error, file);
      });
    for (const entry of restored) {
      const verb = entry.outcome === 'restored' ? 'Restored' : 'Already present:';
      process.stdout.write(
        `${verb} ${formatFingerprint(entry.fingerprint)} for ${entry.address}\n`,
      );
    }
  });
}

/**
 * Names `file` in a RECOVERY_CODE_INVALID or BACKUP_CORRUPT error, which core raises without
 * knowing the path.
 */
function nameBackupFile(error: unknown, file: string): unknown {
  if (!(error instanceof CoreError)) return error;
  if (error.code === 'BACKUP_CORRUPT') {
    return new CoreError(error.code, `The backup file ${file} is unusable: ${error.message}`, {
      cause: error.cause ?? error,
    });
  }
  if (error.code !== 'RECOVERY_CODE_INVALID') return error;
  return new CoreError(error.code, error.message.replace('this backup', `the backup ${file}`), {
    cause: error.cause ?? error,
  });
}

/** Reads a key or backup file; `kind` names it in the error, for example "backup file". */
export function readKeyFile(file: string, kind = 'key file'): Uint8Array {
  try {
    return readFileSync(file);
  } catch (error) {
    throw new CoreError(
      'INVALID_ARGUMENT',
      `Cannot read the ${kind} ${file}: ${(error as Error).message}; check the path.`,
      {
        cause: error,
      },
    );
  }
}
