#!/usr/bin/env -S node --import tsx
// The `sealpost` command: account setup, keys, sending, syncing and reading encrypted mail.
// Every command prints one clear error with a stable code on failure and exits with status 1.

import { Command, CommanderError, Option } from 'commander';
import { errorCode } from '../core/errors.ts';
import { registerAccountCommands } from './commands/account.ts';
import { registerAuditCommands } from './commands/audit.ts';
import { registerCardCommands } from './commands/card.ts';
import { registerContactCommands } from './commands/contacts.ts';
import { registerKeyCommands } from './commands/key.ts';
import { registerFido2Commands } from './commands/fido2.ts';
import { registerMailCommands } from './commands/mail.ts';
import { registerMessageActionCommands } from './commands/message-actions.ts';
import { ignoreClosedStdout } from './closed-output.ts';
import { useInvocationDirectory } from './working-directory.ts';
import { sentence } from './sentence.ts';

useInvocationDirectory();
ignoreClosedStdout();
import { registerOutboxCommands } from './commands/outbox.ts';

const program = new Command('sealpost')
  .description('End-to-end encrypted mail over any IMAP/SMTP account.')
  .addOption(
    new Option(
      '--passphrase-file <file>',
      'read the Sealpost passphrase from the first line of a file',
    ),
  )
  .addOption(
    new Option(
      '--card-pin-file <file>',
      'read the OpenPGP card user PIN (PW1) from the first line of a file',
    ),
  )
  .addOption(
    new Option(
      '--fido2-pin-file <file>',
      'read the FIDO2 security key PIN from the first line of a file',
    ),
  )
  .addOption(
    new Option(
      '--fido2-recovery-code-file <file>',
      'unlock a data folder that requires its FIDO2 key with the recovery code in a file',
    ),
  )
  // Usage errors are thrown and printed below in the same one-line form as every other error.
  .exitOverride()
  .configureOutput({ outputError: () => undefined });

registerAccountCommands(program);
registerKeyCommands(program);
registerFido2Commands(program);
registerAuditCommands(program);
registerMailCommands(program);
registerMessageActionCommands(program);
registerContactCommands(program);
registerCardCommands(program);
registerOutboxCommands(program);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) {
    reportUsageError(error);
  } else {
    reportError(error);
  }
}

/** Help and version output end in a CommanderError too; only real usage errors fail. */
function reportUsageError(error: CommanderError): void {
  if (error.exitCode === 0) return;
  const message = error.message.replace(/^error: /, '');
  process.stderr.write(
    `sealpost: INVALID_ARGUMENT: ${sentence(`${message[0]!.toUpperCase()}${message.slice(1)}`)} See "sealpost --help".\n`,
  );
  process.exitCode = 1;
}

function reportError(error: unknown): void {
  const code = errorCode(error);
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`sealpost: ${code}: ${message}\n`);
  if (code === 'INTERNAL_ERROR' && error instanceof Error && error.stack) {
    process.stderr.write(`${error.stack}\n`);
  }
  process.exitCode = 1;
}
