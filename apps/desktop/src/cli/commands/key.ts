// `sealpost key generate|export|import|list`: the user's own keys and certificates of others,
// and recovery-code backups of all own secret keys.

import { InvalidArgumentError } from 'commander';
import type { Command } from 'commander';
import { CoreError } from '../../core/errors.ts';
import { printJson, withSealpost } from '../context.ts';
import type { Sealpost } from '../../core/sealpost.ts';
import { promptSecret, readSecretFile } from '../secrets.ts';
import { setupCodeHint } from '../../core/setup-message.ts';
import { isBlankKeyData, KEY_DATA_EXPECTED } from '../../core/key-import.ts';
import { exportBackup, importBackup, readKeyFile, splitOptions } from './key-backup.ts';
import { checkOutputFile, writeOutputFile } from '../output-file.ts';

export function registerKeyCommands(program: Command): void {
  const key = program.command('key').description('manage your keys and import certificates');

  key
    .command('generate')
    .description('create an OpenPGP key (Ed25519 + Curve25519) for one of your addresses')
    .requiredOption('--address <address>', 'the e-mail address the key is for')
    .option('--name <name>', 'name in the User ID')
    .option(
      '--replace-revoked',
      'replace the revoked key of --address with the new key; mail to the old key stays readable',
    )
    .action(
      async (
        options: { address: string; name?: string; replaceRevoked?: boolean },
        command: Command,
      ) => {
        await withSealpost(command, { unlock: true }, async (sealpost) => {
          if (options.replaceRevoked) {
            const replaced = await sealpost.keys.replaceRevoked({
              address: options.address,
              name: options.name ?? null,
            });
            process.stdout.write(
              `Created key ${formatFingerprint(replaced.fingerprint)} for ${replaced.address} in place of the revoked ${formatFingerprint(replaced.replaced)}; ` +
                'messages are signed with the new key from now on, and contacts see it as a key change to accept.\n',
            );
            return;
          }
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
      },
    );

  key
    .command('list')
    .description('list your own keys')
    .option('--json', 'print JSON')
    .action(async (options: { json?: boolean }, command: Command) => {
      await withSealpost(command, { unlock: false }, async (sealpost) => {
        const identities = sealpost.keys.list();
        if (options.json) return printJson(identities);
        if (identities.length === 0) {
          process.stdout.write(
            'There are no keys in this data folder; create one with "sealpost key generate --address ADDRESS" or import one with "sealpost key import FILE".\n',
          );
        }
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
    .option(
      '--secret',
      'export the secret key, protected by the Sealpost passphrase (or by --key-passphrase-file)',
    )
    .option(
      '--key-passphrase-file <file>',
      'with --secret: protect the exported key with the passphrase in FILE; required when the data folder unlocks from the OS keychain or a FIDO2 key',
    )
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
          keyPassphraseFile?: string;
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
        if (options.keyPassphraseFile && !options.secret) {
          throw new CoreError('INVALID_ARGUMENT', '--key-passphrase-file needs --secret.');
        }
        const address = options.address;
        const secretOutput = options.secret === true || options.revocation === true;
        if (options.output) checkOutputFile(options.output, secretOutput);
        const keyPassphrase = options.keyPassphraseFile
          ? readSecretFile(options.keyPassphraseFile, 'key passphrase')
          : null;
        await withSealpost(command, { unlock: false }, async (sealpost, unlocked) => {
          let armored: string;
          if (options.secret) {
            armored = await sealpost.keys.exportSecretKeyWithPassphrase(
              address,
              exportPassphrase(keyPassphrase, unlocked.sealpostPassphrase),
            );
            process.stderr.write(
              keyPassphrase === null
                ? 'The exported secret key is protected by your Sealpost passphrase.\n'
                : `The exported secret key is protected by the passphrase in ${options.keyPassphraseFile}.\n`,
            );
          } else if (options.revocation) {
            armored = exportRevocation(sealpost, address);
          } else {
            armored = exportOwnCertificate(sealpost, address);
          }

          if (options.output) {
            const description = options.secret
              ? 'secret key file'
              : options.revocation
                ? 'revocation certificate file'
                : 'certificate file';
            writeOutputFile(options.output, armored, description, secretOutput);
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
        // Checked before unlocking, so an empty file does not cost a passphrase prompt.
        if (isBlankKeyData(data)) {
          throw new CoreError(
            'INVALID_ARGUMENT',
            `The key file ${file} is empty; it should contain ${KEY_DATA_EXPECTED}.`,
          );
        }
        if (
          Buffer.from(data.subarray(0, 64)).toString('latin1').includes('-----BEGIN PGP MESSAGE')
        ) {
          throw new CoreError(
            'INVALID_ARGUMENT',
            `${file} is an encrypted OpenPGP message, not a key; if it is a backup from "sealpost key export --backup", restore it with "sealpost key import --backup ${file}".`,
          );
        }
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
    .option('--yes', 'confirm the revocation, which cannot be undone')
    .action(async (options: { address: string; yes?: boolean }, command: Command) => {
      if (options.yes !== true) {
        throw new CoreError(
          'CONFIRMATION_REQUIRED',
          `Revoking the key of ${options.address} cannot be undone: sending from it fails until you make a new key, and contacts stop encrypting to it. Add --yes to confirm.`,
        );
      }
      await withSealpost(command, { unlock: true }, async (sealpost) => {
        const fingerprint = await sealpost.keys.revoke(options.address);
        process.stdout.write(
          `Revoked ${formatFingerprint(fingerprint)}. Sending fails until you make a new key with ` +
            `"sealpost key generate --address ${options.address} --replace-revoked"; then the next ` +
            'OpenPGP-mode message to each contact carries the revoked certificate, so they stop encrypting to it.\n',
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

/**
 * Chooses the passphrase for an exported secret key: the one in --key-passphrase-file, else the
 * Sealpost passphrase. A keychain or FIDO2 folder has no user passphrase, so the
 * export there requires the file rather than writing the key unprotected.
 */
function exportPassphrase(keyPassphrase: string | null, sealpostPassphrase: string | null): string {
  if (keyPassphrase !== null) return keyPassphrase;
  if (sealpostPassphrase !== null) return sealpostPassphrase;
  throw new CoreError(
    'PASSPHRASE_REQUIRED',
    'This data folder unlocks from the OS keychain or a FIDO2 key, so there is no Sealpost passphrase to protect the exported secret key; put a new passphrase for it on the first line of a file and pass --key-passphrase-file FILE.',
  );
}

/** Exports the stored revocation certificate; without one, the error points to key revoke. */
function exportRevocation(sealpost: Sealpost, address: string): string {
  try {
    return sealpost.keys.exportRevocationCertificate(address);
  } catch (error) {
    if (!(error instanceof CoreError) || error.code !== 'KEY_NOT_FOUND') throw error;
    throw new CoreError(
      'KEY_NOT_FOUND',
      `No revocation certificate is stored for ${address}, because its key was imported or restored. "sealpost key revoke --address ${address} --yes" signs one and revokes the key at once.`,
      { cause: error },
    );
  }
}

/** Exports the certificate of an own key; for a contact's address the error explains that. */
function exportOwnCertificate(sealpost: Sealpost, address: string): string {
  try {
    return sealpost.keys.exportCertificate(address);
  } catch (error) {
    const normalized = address.trim().toLowerCase();
    const contact = sealpost.contacts.list().find((entry) => entry.address === normalized);
    if (!(error instanceof CoreError) || error.code !== 'IDENTITY_NOT_FOUND' || !contact) {
      throw error;
    }
    throw new CoreError(
      'IDENTITY_NOT_FOUND',
      `${address} is a contact, not one of your keys: Sealpost stores their certificate to encrypt to them and exports only your own keys. "sealpost contacts" shows its fingerprint; ask ${address} for their certificate file, or see "sealpost key list" for your addresses.`,
      { cause: error },
    );
  }
}

/** Parses a whole-number option; commander puts the option's name in front of the error. */
function parseCount(value: string): number {
  if (!/^\d+$/.test(value)) {
    throw new InvalidArgumentError(
      `"${value}" is not a whole number; give digits only, such as 3.`,
    );
  }
  return Number(value);
}

/** Groups a hex fingerprint in blocks of four, as GnuPG prints it. */
export function formatFingerprint(fingerprint: string): string {
  return fingerprint.toUpperCase().replace(/(.{4})(?!$)/g, '$1 ');
}
