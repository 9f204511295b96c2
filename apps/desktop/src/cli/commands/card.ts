// `sealpost card status|move-key|use-key|forget`: OpenPGP cards (YubiKey, Nitrokey and other
// cards with the OpenPGP application 3.x) over PC/SC. PINs come from files or the terminal.
import type { Command } from 'commander';
import { CoreError } from '../../core/errors.ts';
import type { CardStatus } from '../../core/hardware/card-service.ts';
import type { Sealpost } from '../../core/sealpost.ts';
import { terminalPinPrompt } from '../card-pin-prompt.ts';
import { printJson, withSealpost } from '../context.ts';

interface PinOptions {
  pinFile?: string;
  adminPinFile?: string;
}

/** Sets the PIN prompt with this command's PIN files; --pin-file wins over --card-pin-file. */
function usePinFiles(sealpost: Sealpost, options: PinOptions, command: Command): void {
  const globalFile = command.optsWithGlobals<{ cardPinFile?: string }>().cardPinFile;
  sealpost.cards.setPinPrompt(
    terminalPinPrompt({
      userPinFile: options.pinFile ?? globalFile,
      adminPinFile: options.adminPinFile,
    }),
  );
}

function printStatus(status: CardStatus): void {
  const lines = [
    `Reader:          ${status.readerName}`,
    `Serial number:   ${status.serial} (OpenPGP card ${status.version}, manufacturer ${status.manufacturer})`,
    `Signature key:   ${status.signatureFingerprint ?? '(empty)'}`,
    `Decryption key:  ${status.decryptionFingerprint ?? '(empty)'}`,
    `Authentication:  ${status.authenticationFingerprint ?? '(empty)'}`,
    `PIN retries:     user ${status.userPinRetries}, admin ${status.adminPinRetries}` +
      (status.userPinRetries === 0 ? ' (user PIN blocked)' : ''),
    `Used for:        ${status.boundAddresses.join(', ') || '(no address)'}`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

export function registerCardCommands(program: Command): void {
  const card = program
    .command('card')
    .description('use an OpenPGP card (YubiKey, Nitrokey) for signing and decryption');

  card
    .command('status')
    .description("show the card's serial number, key fingerprints and PIN retry counters")
    .option('--json', 'print JSON')
    .action(async (options: { json?: boolean }, command: Command) => {
      await withSealpost(command, { unlock: true }, async (sealpost) => {
        const status = await sealpost.cards.status();
        if (options.json) return printJson(status);
        printStatus(status);
      });
    });

  card
    .command('move-key')
    .description(
      'import your key into the card, check it there, then keep or destroy the disk copy',
    )
    .requiredOption('--address <address>', 'the address whose key moves to the card')
    .option('--keep-disk-copy', 'keep the encrypted secret key on disk as a backup')
    .option(
      '--destroy-disk-copy',
      'delete the secret key from disk once the card passed a test signature and decryption',
    )
    .option('--admin-pin-file <file>', 'read the admin PIN (PW3) from the first line of a file')
    .option('--pin-file <file>', 'read the user PIN (PW1) from the first line of a file')
    .action(
      async (
        options: PinOptions & {
          address: string;
          keepDiskCopy?: boolean;
          destroyDiskCopy?: boolean;
        },
        command: Command,
      ) => {
        if (Boolean(options.keepDiskCopy) === Boolean(options.destroyDiskCopy)) {
          throw new CoreError(
            'INVALID_ARGUMENT',
            'Choose --keep-disk-copy or --destroy-disk-copy. Without a disk copy, losing or resetting the card loses the key, and mail encrypted to it can no longer be read.',
          );
        }
        if (options.destroyDiskCopy) {
          process.stderr.write(
            'WARNING: the secret key will exist only on the card. If the card is lost, broken or reset, mail encrypted to this key can no longer be read. Make a backup first with "sealpost key export --backup FILE" and keep it in a safe place.\n',
          );
        }
        await withSealpost(command, { unlock: true }, async (sealpost) => {
          usePinFiles(sealpost, options, command);
          const binding = await sealpost.cards.moveKey({
            address: options.address,
            keepDiskCopy: Boolean(options.keepDiskCopy),
          });
          process.stdout.write(
            `The key of ${binding.address} is on card ${binding.serial} and passed a test signature and decryption. ` +
              (binding.diskCopy
                ? 'The encrypted disk copy was kept.\n'
                : 'The disk copy was destroyed; the certificate no longer offers the ML-KEM subkey, so export and share it again.\n'),
          );
        });
      },
    );

  card
    .command('use-key')
    .description('use the key already on the card for an address whose certificate matches it')
    .requiredOption('--address <address>', 'the address whose key is on the card')
    .option('--pin-file <file>', 'read the user PIN (PW1) from the first line of a file')
    .action(async (options: PinOptions & { address: string }, command: Command) => {
      await withSealpost(command, { unlock: true }, async (sealpost) => {
        usePinFiles(sealpost, options, command);
        const binding = await sealpost.cards.useKey({ address: options.address });
        process.stdout.write(
          `Sealpost now signs and decrypts for ${binding.address} with card ${binding.serial}.\n`,
        );
      });
    });

  card
    .command('forget')
    .description('stop using the card for an address whose key is still on disk')
    .requiredOption('--address <address>', 'the address to use the disk key for again')
    .action(async (options: { address: string }, command: Command) => {
      await withSealpost(command, { unlock: true }, async (sealpost) => {
        sealpost.cards.forget(options.address);
        process.stdout.write(`Sealpost uses the disk key of ${options.address} again.\n`);
      });
    });
}
