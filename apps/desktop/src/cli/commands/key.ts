// `sealpost key generate|export|import|list`: the user's own keys and certificates of others.

import { readFileSync, writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { CoreError } from '../../core/errors.ts';
import { printJson, withSealpost } from '../context.ts';
import { promptSecret, readSecretFile } from '../secrets.ts';
import { setupCodeHint } from '../../core/setup-message.ts';

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
    .requiredOption('--address <address>', 'whose key to export')
    .option('--secret', 'export the secret key, protected by the Sealpost passphrase')
    .option('--revocation', 'export the revocation certificate made when the key was created')
    .option('--output <file>', 'write to a file instead of standard output')
    .action(
      async (
        options: { address: string; secret?: boolean; revocation?: boolean; output?: string },
        command: Command,
      ) => {
        if (options.secret && options.revocation) {
          throw new CoreError('INVALID_ARGUMENT', 'Choose one of --secret and --revocation.');
        }
        await withSealpost(command, { unlock: false }, async (sealpost) => {
          let armored: string;
          if (options.secret) armored = sealpost.keys.exportSecretKey(options.address);
          else if (options.revocation)
            armored = sealpost.keys.exportRevocationCertificate(options.address);
          else armored = sealpost.keys.exportCertificate(options.address);

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
      'import a certificate of a contact, or your own secret key (for example from GnuPG)',
    )
    .argument('<file>', 'armored or binary OpenPGP key file')
    .option(
      '--key-passphrase-file <file>',
      'passphrase of an imported secret key, if it differs from the Sealpost passphrase',
    )
    .option(
      '--replace',
      'make this the pinned key for its address, replacing a different one (after checking it with the contact)',
    )
    .action(
      async (
        file: string,
        options: { keyPassphraseFile?: string; replace?: boolean },
        command: Command,
      ) => {
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
