// `sealpost outbox [retry|discard]`: the messages that wait to be sent or that the server
// refused. Nothing leaves the outbox unsent unless the user discards it here with --yes.

import type { Command } from 'commander';
import { CoreError } from '../../core/errors.ts';
import type { Sealpost } from '../../core/sealpost.ts';
import { printJson, withSealpost } from '../context.ts';
import { terminalLine, truncateForDisplay } from '../terminal-text.ts';

export function registerOutboxCommands(program: Command): void {
  const outbox = program
    .command('outbox')
    .description('list the messages waiting to be sent and those that failed')
    .option('--json', 'print JSON')
    .action(async (options: { json?: boolean }, command: Command) => {
      await withSealpost(command, { unlock: true }, async (sealpost) => {
        const entries = sealpost.mail.listOutbox();
        if (options.json) return printJson(entries);
        if (entries.length === 0) {
          process.stdout.write('The outbox is empty.\n');
          return;
        }
        for (const entry of entries) {
          const next =
            entry.state === 'failed'
              ? 'not retried automatically'
              : entry.nextAttemptAt === null
                ? 'next retry at the next sync'
                : `next retry ${entry.nextAttemptAt}`;
          // The Subject is the user's own text, but it may hold terminal control characters.
          // Entries queued before subjects were stored show "-".
          const subject =
            entry.subject === null
              ? '-'
              : truncateForDisplay(terminalLine(entry.subject || '(no subject)'));
          process.stdout.write(
            `${entry.id}\t${entry.state}\t${entry.attempts} attempt(s)\t${entry.account} -> ${entry.to.join(', ')}\t${subject}\tqueued ${entry.createdAt}\t${next}\n`,
          );
          if (entry.lastError !== null) {
            process.stdout.write(`\tlast error: ${terminalLine(entry.lastError)}\n`);
          }
        }
        if (entries.some((entry) => entry.state === 'failed')) {
          process.stdout.write(
            'Send a failed message again with "sealpost outbox retry ID", or delete it with "sealpost outbox discard ID --yes".\n',
          );
        }
      });
    });

  outbox
    .command('retry')
    .description('send a queued or failed message now')
    .argument('<id>', 'outbox entry id from "sealpost outbox"')
    .action(async (id: string, _options: unknown, command: Command) => {
      const entryId = parseEntryId(id);
      await withSealpost(command, { unlock: true }, async (sealpost) => {
        const result = await sealpost.mail.retryOutbox(entryId);
        process.stdout.write(`Sent outbox entry ${entryId}.\n`);
        if (result.rejectedRecipients.length > 0) {
          process.stdout.write(
            `WARNING: the server refused ${result.rejectedRecipients.join(', ')}; they did not receive it.\n`,
          );
        }
      });
    });

  outbox
    .command('discard')
    .description('delete a queued or failed message without sending it')
    .argument('<id>', 'outbox entry id from "sealpost outbox"')
    .option('--yes', 'confirm that the message is deleted without being sent')
    .action(async (id: string, options: { yes?: boolean }, command: Command) => {
      const entryId = parseEntryId(id);
      if (options.yes !== true) {
        throw new CoreError(
          'CONFIRMATION_REQUIRED',
          `Discarding outbox entry ${entryId} deletes the message without sending it; add --yes to confirm.`,
        );
      }
      await withSealpost(command, { unlock: true }, async (sealpost) => {
        sealpost.mail.discardOutbox(entryId);
        process.stdout.write(`Discarded outbox entry ${entryId}; it was not sent.\n`);
      });
    });
}

/** Returns the one-line note `sync` prints when failed messages wait in the outbox, or null. */
export function failedOutboxNote(sealpost: Sealpost): string | null {
  const failed = sealpost.mail.outboxFailedCount();
  if (failed === 0) return null;
  return `${failed} message(s) in the outbox failed and are not retried automatically; see "sealpost outbox".`;
}

function parseEntryId(value: string): number {
  if (!/^[1-9][0-9]{0,15}$/.test(value)) {
    throw new CoreError(
      'INVALID_ARGUMENT',
      `Invalid outbox entry id "${value}"; expected a positive number from "sealpost outbox".`,
    );
  }
  return Number(value);
}
