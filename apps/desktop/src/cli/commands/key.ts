// `sealpost key generate|export|import|list`: the user's own keys and certificates of others,
// and recovery-code backups of all own secret keys.

import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { CoreError } from '../../core/errors.ts';
import { printJson, withSealpost } from '../context.ts';
import { promptSecret, readSecretFile } from '../secrets.ts';
import { setupCodeHint } from '../../core/setup-message.ts';
import { combineShares, shareQrCode, splitRecoveryCode } from '../../core/shamir.ts';

export function registerKeyCommands(program: Command): void {
  const key = program.command('key').description('manage your keys and import certificates');

  key
    .command('generate')
    .description('create an OpenPGP key (Ed25519 + Curve25519) for one of your addresses')
    .requiredOption('--address <address>', 'the e-mail address the key is for')
    .option('--name <name>', 'name in the User ID')
    .action(async (options: { address: string; name?: string }, command: Command) => {
      await withSealpost(command, { unlock: true }, async (sealpost) => {
        const identity = await sealpost.keys.generate({
          address: options.address,
          name: options.name ?? null,
        });
        process.stdout.write(
          `Created key ${formatFingerprint(identity.fingerprint)} for ${identity.address}.\n`,
        );
        process.stdout.write(
          'A revocation certificate is stored with it ("sealpost key export --revocation").\n',
        );
      });
    });

  key
    .command('list')
    .description('list your own keys')
    .option('--json', 'print JSON')
    .action(async (options: { json?: boolean }, command: Command) => {
      await withSealpost(command, { unlock: false }, async (sealpost) => {
        const identities = sealpost.keys.list();
        if (options.json) return printJson(identities);
        for (const identity of identities) {
          process.stdout.write(`${identity.address}  ${formatFingerprint(identity.fingerprint)}\n`);
        }
      });
    });

  key
    .command('export')
    .description(
      'print your certificate (public key), or with --secret your passphrase-protected secret key',
    )
    .option('--address <address>', 'whose key to export (required unless --backup)')
    .option('--secret', 'export the secret key, protected by the Sealpost passphrase')
    .option('--revocation', 'export the revocation certificate made when the key was created')
    .option(
      '--backup <file>',
      'write all your secret keys to FILE, encrypted with a new recovery code that is shown once',
    )
    .option(
      '--shares <n>',
      'with --backup: split the recovery code into n Shamir shares',
      parseCount,
    )
    .option('--threshold <k>', 'with --shares: how many shares restore the code', parseCount)
    .option('--output-dir <dir>', 'with --shares: folder for share-N.txt and share-N.png')
    .option('--output <file>', 'write to a file instead of standard output')
    .action(
      async (
        options: {
          address?: string;
          secret?: boolean;
          revocation?: boolean;
          backup?: string;
          output?: string;
          shares?: number;
          threshold?: number;
          outputDir?: string;
        },
        command: Command,
      ) => {
        if (options.backup !== undefined) {
          if (options.address || options.secret || options.revocation || options.output) {
            throw new CoreError(
              'INVALID_ARGUMENT',
              '--backup covers every key; drop --address, --secret, --revocation and --output.',
            );
          }
          await exportBackup(command, options.backup, splitOptions(options));
          return;
        }
        if (options.shares !== undefined || options.threshold !== undefined) {
          throw new CoreError('INVALID_ARGUMENT', '--shares and --threshold need --backup FILE.');
        }
        if (!options.address) {
          throw new CoreError('INVALID_ARGUMENT', 'Pass --address, or --backup FILE for all keys.');
        }
        if (options.secret && options.revocation) {
          throw new CoreError('INVALID_ARGUMENT', 'Choose one of --secret and --revocation.');
        }
        const address = options.address;
        await withSealpost(command, { unlock: false }, async (sealpost) => {
          let armored: string;
          if (options.secret) armored = sealpost.keys.exportSecretKey(address);
          else if (options.revocation) armored = sealpost.keys.exportRevocationCertificate(address);
          else armored = sealpost.keys.exportCertificate(address);

          if (options.output) {
            writeFileSync(options.output, armored, {
              mode: options.secret || options.revocation ? 0o600 : 0o644,
            });
          } else {
            process.stdout.write(armored);
          }
        });
      },
    );

  key
    .command('import')
    .description(
      'import a certificate of a contact, your own secret key (for example from GnuPG), or a backup',
    )
    .argument('[file]', 'armored or binary OpenPGP key file')
    .option(
      '--key-passphrase-file <file>',
      'passphrase of an imported secret key, if it differs from the Sealpost passphrase',
    )
    .option(
      '--replace',
      'make this the pinned key for its address, replacing a different one (after checking it with the contact)',
    )
    .option('--backup <file>', 'restore the keys of a backup made by "key export --backup"')
    .option(
      '--recovery-code-file <file>',
      "read the backup's recovery code from a file instead of asking",
    )
    .option(
      '--share <files...>',
      'restore the recovery code from Shamir share files (share-N.txt) instead of asking for it',
    )
    .action(
      async (
        file: string | undefined,
        options: {
          keyPassphraseFile?: string;
          replace?: boolean;
          backup?: string;
          recoveryCodeFile?: string;
          share?: string[];
        },
        command: Command,
      ) => {
        if (options.backup !== undefined) {
          if (file !== undefined) {
            throw new CoreError('INVALID_ARGUMENT', `Pass either ${file} or --backup, not both.`);
          }
          await importBackup(command, options.backup, options.recoveryCodeFile, options.share);
          return;
        }
        if (file === undefined) {
          throw new CoreError('INVALID_ARGUMENT', 'Pass a key file, or --backup FILE.');
        }
        const data = readKeyFile(file);
        const keyPassphrase = options.keyPassphraseFile
          ? readSecretFile(options.keyPassphraseFile, 'key passphrase')
          : null;

        await withSealpost(command, { unlock: true }, async (sealpost) => {
          const results = await sealpost.keys.import(data, {
            keyPassphrase,
            replacePinned: options.replace === true,
          });
          for (const result of results) {
            process.stdout.write(`${result.summary}\n`);
          }
        });
      },
    );

  key
    .command('rotate')
    .description(
      'bind new encryption subkeys now (old ones stay, so old mail stays readable), or set the schedule',
    )
    .option('--address <address>', 'rotate only this key (default: every key)')
    .option('--interval-days <days>', 'set the automatic rotation interval in days', parseCount)
    .action(async (options: { address?: string; intervalDays?: number }, command: Command) => {
      await withSealpost(command, { unlock: true }, async (sealpost) => {
        if (options.intervalDays !== undefined) {
          sealpost.keys.setRotationIntervalDays(options.intervalDays);
          process.stdout.write(
            `Encryption subkeys are now due for rotation every ${options.intervalDays} days.\n`,
          );
          return;
        }
        const addresses = options.address
          ? [options.address]
          : sealpost.keys.list().map((identity) => identity.address);
        for (const address of addresses) {
          const result = await sealpost.keys.rotate(address);
          process.stdout.write(
            `Rotated ${result.address}: new subkeys ${result.subkeyFingerprints.map(formatFingerprint).join(', ')}. ` +
              'The next message you send carries the updated certificate in its Autocrypt header.\n',
          );
        }
      });
    });

  key
    .command('extend')
    .description('move the expiry of your key and its subkeys to a number of years from now')
    .requiredOption('--address <address>', 'whose key to extend')
    .requiredOption('--years <years>', 'years from now until the key expires (1 to 10)', parseCount)
    .action(async (options: { address: string; years: number }, command: Command) => {
      await withSealpost(command, { unlock: true }, async (sealpost) => {
        const result = await sealpost.keys.extend(options.address, options.years);
        process.stdout.write(
          `${formatFingerprint(result.fingerprint)} of ${result.address} now expires on ` +
            `${result.expires.toISOString()}. The next message you send carries the updated ` +
            'certificate in its Autocrypt header.\n',
        );
      });
    });

  key
    .command('revoke')
    .description(
      'revoke your key with the revocation certificate made when it was created, or with one signed now for imported or restored keys',
    )
    .requiredOption('--address <address>', 'whose key to revoke')
    .action(async (options: { address: string }, command: Command) => {
      await withSealpost(command, { unlock: true }, async (sealpost) => {
        const fingerprint = await sealpost.keys.revoke(options.address);
        process.stdout.write(
          `Revoked ${formatFingerprint(fingerprint)}. The revoked certificate goes out in the ` +
            'Autocrypt header of the next messages you send, so contacts stop encrypting to it; ' +
            'create a new key with "sealpost key generate" in a new data folder.\n',
        );
      });
    });

  key
    .command('import-setup-message')
    .description('import your secret key from an Autocrypt Setup Message sent by another client')
    .argument('<file>', 'the setup message as saved from the mail client, or its attachment')
    .option(
      '--setup-code-file <file>',
      'read the 36-digit setup code from a file instead of asking',
    )
    .action(async (file: string, options: { setupCodeFile?: string }, command: Command) => {
      const data = readKeyFile(file);
      const hint = setupCodeHint(data);
      const setupCode = options.setupCodeFile
        ? readSecretFile(options.setupCodeFile, 'setup code')
        : await promptSecret(
            `Setup code${hint ? ` (starts with ${hint})` : ''}: `,
            '--setup-code-file',
          );
      await withSealpost(command, { unlock: true }, async (sealpost) => {
        for (const result of await sealpost.importSetupMessage(data, setupCode)) {
          process.stdout.write(`${result.summary}\n`);
        }
      });
    });
}

interface SplitOptions {
  shares: number;
  threshold: number;
  outputDir: string;
}

function splitOptions(options: {
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

function parseCount(value: string): number {
  if (!/^\d+$/.test(value)) {
    throw new CoreError('INVALID_ARGUMENT', `"${value}" is not a whole number.`);
  }
  return Number(value);
}

async function exportBackup(
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
    writeFileSync(file, backup.armored, { mode: 0o600, flag: 'wx' });
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

async function importBackup(
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
    const texts = shareFiles.map((shareFile) => readSecretFile(shareFile, 'Shamir share'));
    recoveryCode = await combineShares(texts);
  } else if (recoveryCodeFile) {
    recoveryCode = readSecretFile(recoveryCodeFile, 'recovery code');
  } else {
    recoveryCode = await promptSecret('Recovery code: ', '--recovery-code-file');
  }
  await withSealpost(command, { unlock: true }, async (sealpost) => {
    for (const entry of await sealpost.keys.importBackup(data, recoveryCode)) {
      const verb = entry.outcome === 'restored' ? 'Restored' : 'Already present:';
      process.stdout.write(
        `${verb} ${formatFingerprint(entry.fingerprint)} for ${entry.address}\n`,
      );
    }
  });
}

function readKeyFile(file: string): Uint8Array {
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

/** Groups a hex fingerprint in blocks of four, as GnuPG prints it. */
export function formatFingerprint(fingerprint: string): string {
  return fingerprint.toUpperCase().replace(/(.{4})(?!$)/g, '$1 ');
}
