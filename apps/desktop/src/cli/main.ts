#!/usr/bin/env -S node --import tsx
// The `sealpost` command: account setup, keys, sending, syncing and reading encrypted mail.
// Every command prints one clear error with a stable code on failure and exits with status 1.

import { Command, Option } from 'commander';
import { errorCode } from '../core/errors.ts';
import { registerAccountCommands } from './commands/account.ts';
import { registerContactCommands } from './commands/contacts.ts';
import { registerKeyCommands } from './commands/key.ts';
import { registerMailCommands } from './commands/mail.ts';

const program = new Command('sealpost')
  .description('End-to-end encrypted mail over any IMAP/SMTP account.')
  .addOption(
    new Option(
      '--passphrase-file <file>',
      'read the Sealpost passphrase from the first line of a file',
    ),
  )
  .showHelpAfterError()
  .configureOutput({ outputError: (text, write) => write(text) });

registerAccountCommands(program);
registerKeyCommands(program);
registerMailCommands(program);
registerContactCommands(program);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  const code = errorCode(error);
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`sealpost: ${code}: ${message}\n`);
  if (code === 'INTERNAL_ERROR' && error instanceof Error && error.stack) {
    process.stderr.write(`${error.stack}\n`);
  }
  process.exitCode = 1;
}
