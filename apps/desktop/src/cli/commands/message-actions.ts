// `sealpost search|flag|move|delete`: find stored mail and change it. Changes are stored
// locally at once and reach the server with the next sync.

import type { Command } from 'commander';
import { CoreError } from '../../core/errors.ts';
import { printJson, withSealpost } from '../context.ts';
import { collect } from './mail.ts';
import { messageRow } from '../message-rows.ts';
import { terminalLine } from '../terminal-text.ts';
import { limitReachedNote, parseLimit } from '../result-limit.ts';
import { parseMessageId } from '../message-id.ts';

export function registerMessageActionCommands(program: Command): void {
  program
    .command('search')
    .description('search subject, sender, recipients and text of stored mail (read mail in full)')
    .argument('[words...]', 'words that must all occur; the last one also matches as a prefix')
    .option('--account <address>', 'only this account')
    .option('--folder <path>', 'only this folder')
    .option('--from <text>', 'sender address contains this text')
    .option('--since <date>', 'on or after this date (YYYY-MM-DD)')
    .option('--before <date>', 'before this date (YYYY-MM-DD)')
    .option('--has-attachment', 'only messages with attachments')
    .option('--encrypted', 'only encrypted messages')
    .option('--signed', 'only messages with a valid signature')
    .option('--limit <count>', 'maximum results per account', '50')
    .option('--json', 'print JSON')
    .action(async (words: string[], options: SearchOptions, command: Command) => {
      const limit = parseLimit(options.limit);
      await withSealpost(command, { unlock: false }, async (sealpost) => {
        const results = sealpost.mail.search({
          text: words.join(' '),
          account: options.account ?? null,
          ...(options.folder === undefined ? {} : { folder: options.folder }),
          ...(options.from === undefined ? {} : { from: options.from }),
          ...(options.since === undefined ? {} : { since: parseDate(options.since, '--since') }),
          ...(options.before === undefined
            ? {}
            : { before: parseDate(options.before, '--before') }),
          ...(options.hasAttachment ? { hasAttachment: true } : {}),
          ...(options.encrypted ? { encrypted: true } : {}),
          ...(options.signed ? { signed: true } : {}),
          limit,
        });
        if (options.json) return printJson(results);
        if (results.length === 0) process.stdout.write('No matching messages.\n');
        for (const result of results) {
          process.stdout.write(`${messageRow(result, [result.folder])}\n`);
        }
        const limitNote = limitReachedNote(results, limit, 'result');
        if (limitNote !== null) process.stdout.write(`${limitNote}\n`);
      });
    });

  program
    .command('flag')
    .description('set or clear IMAP flags; the server gets the change at the next sync')
    .argument('<id>', 'message id from "sealpost list"')
    .option('--add <flag>', 'flag to set, e.g. \\Seen or \\Flagged (repeatable)', collect, [])
    .option('--remove <flag>', 'flag to clear (repeatable)', collect, [])
    .action(async (id: string, options: { add: string[]; remove: string[] }, command: Command) => {
      if (options.add.length + options.remove.length === 0) {
        throw new CoreError(
          'INVALID_ARGUMENT',
          `No flag given for message ${id}; add --add FLAG or --remove FLAG, for example --add '\\Flagged'.`,
        );
      }
      await withSealpost(command, { unlock: false }, async (sealpost) => {
        const result = sealpost.mail.setFlags(parseMessageId(id), options);
        process.stdout.write(`Changed. ${waitingChanges(result.queued)}\n`);
      });
    });

  program
    .command('move')
    .description('move a message to another folder; the server gets the change at the next sync')
    .argument('<id>', 'message id from "sealpost list"')
    .argument('<folder>', 'target folder path')
    .option('--json', 'print JSON')
    .action(async (id: string, folder: string, options: { json?: boolean }, command: Command) => {
      const messageId = parseMessageId(id);
      await withSealpost(command, { unlock: false }, async (sealpost) => {
        const result = sealpost.mail.move(messageId, folder);
        // A message already in `folder` stays where it is, so no move is queued for it.
        const moved = sealpost.mail.pendingChange(messageId)?.kind === 'move';
        if (options.json) return printJson({ id: messageId, folder, moved, ...result });
        const sentence = moved
          ? `Moved message ${messageId} to ${folder}; its id stays ${messageId}.`
          : `Message ${messageId} is already in ${folder}; nothing changed.`;
        process.stdout.write(`${terminalLine(sentence)}\n${waitingChanges(result.queued)}\n`);
      });
    });

  program
    .command('delete')
    .description('move a message to Trash (or delete it for good with --permanent)')
    .argument('<id>', 'message id from "sealpost list"')
    .option('--permanent', 'expunge instead of moving to Trash')
    .action(async (id: string, options: { permanent?: boolean }, command: Command) => {
      await withSealpost(command, { unlock: false }, async (sealpost) => {
        const result = sealpost.mail.delete(parseMessageId(id), {
          permanent: options.permanent === true,
        });
        process.stdout.write(`Deleted. ${waitingChanges(result.queued)}\n`);
      });
    });
}

interface SearchOptions {
  account?: string;
  folder?: string;
  from?: string;
  since?: string;
  before?: string;
  hasAttachment?: boolean;
  encrypted?: boolean;
  signed?: boolean;
  limit: string;
  json?: boolean;
}

function waitingChanges(queued: number): string {
  return queued === 1
    ? '1 change waits for "sealpost sync".'
    : `${queued} changes wait for "sealpost sync".`;
}

function parseDate(text: string, option: string): Date {
  const date = new Date(/^\d{4}-\d{2}-\d{2}$/.test(text) ? `${text}T00:00:00Z` : text);
  if (Number.isNaN(date.getTime())) {
    throw new CoreError('INVALID_ARGUMENT', `${option} ${text} is not a date; use YYYY-MM-DD.`);
  }
  return date;
}
