// `sealpost send|sync|list|read`: compose and send encrypted mail, fetch new mail, and show a
// message decrypted with its signature status in plain words.

import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { CoreError } from '../../core/errors.ts';
import type { ReadResult } from '../../core/read.ts';
import { describeEncryption, describeSignature } from '../../core/status-words.ts';
import { printJson, withSealpost } from '../context.ts';
import { guessContentType } from '../content-type.ts';

interface SendOptions {
  from?: string;
  to: string[];
  cc: string[];
  bcc: string[];
  subject: string;
  bodyFile?: string;
  attach: string[];
  allowPlaintext?: boolean;
}

const collect = (value: string, previous: string[]): string[] => [...previous, value];

export function registerMailCommands(program: Command): void {
  program
    .command('send')
    .description('encrypt, sign and send a message (body from --body-file or standard input)')
    .option('--from <address>', 'sending account (needed when there is more than one)')
    .option('--to <address>', 'recipient (repeatable)', collect, [])
    .option('--cc <address>', 'copy recipient (repeatable)', collect, [])
    .option('--bcc <address>', 'blind copy recipient (repeatable)', collect, [])
    .requiredOption('--subject <text>', 'subject line (travels encrypted)')
    .option('--body-file <file>', 'read the message text from a file instead of standard input')
    .option('--attach <file>', 'attach a file (repeatable)', collect, [])
    .option('--allow-plaintext', 'send signed but unencrypted when a recipient has no known key')
    .action(async (options: SendOptions, command: Command) => {
      if (options.to.length + options.cc.length + options.bcc.length === 0) {
        throw new CoreError('INVALID_ARGUMENT', 'No recipient given; add --to, --cc or --bcc.');
      }
      const text = options.bodyFile
        ? readFile(options.bodyFile, 'body').toString('utf8')
        : await readStdin();
      const attachments = options.attach.map((file) => ({
        filename: path.basename(file),
        contentType: guessContentType(file),
        content: readFile(file, 'attachment'),
      }));

      await withSealpost(command, { unlock: true }, async (sealpost) => {
        const result = await sealpost.mail.send({
          from: options.from ?? null,
          to: options.to,
          cc: options.cc,
          bcc: options.bcc,
          subject: options.subject,
          text,
          attachments,
          allowPlaintext: options.allowPlaintext === true,
        });
        const how =
          result.mode === 'openpgp' ? 'encrypted and signed (OpenPGP)' : 'signed, NOT encrypted';
        process.stdout.write(
          `Sent ${result.messageId} ${how} to ${result.recipients.join(', ')}.\n`,
        );
        if (result.rejectedRecipients.length > 0) {
          process.stdout.write(
            `WARNING: the server refused ${result.rejectedRecipients.join(', ')}; they did not receive it.\n`,
          );
        }
        if (!result.savedToSent) {
          process.stdout.write(
            'The copy for the Sent folder could not be stored; see the log for why.\n',
          );
        }
      });
    });

  program
    .command('sync')
    .description('fetch new mail from all folders of every account')
    .option('--account <address>', 'sync only this account')
    .action(async (options: { account?: string }, command: Command) => {
      await withSealpost(command, { unlock: true }, async (sealpost) => {
        const report = await sealpost.mail.sync({ account: options.account ?? null });
        for (const account of report.accounts) {
          const total = account.folders.reduce((sum, folder) => sum + folder.newMessages, 0);
          process.stdout.write(`${account.email}: ${total} new message(s)\n`);
          for (const folder of account.folders) {
            if (folder.newMessages > 0 || folder.uidValidityChanged) {
              const note = folder.uidValidityChanged
                ? ' (folder was recreated on the server; refetched)'
                : '';
              process.stdout.write(`  ${folder.path}: ${folder.newMessages}${note}\n`);
            }
          }
          for (const learned of account.learnedCertificates) {
            process.stdout.write(`  ${learned}\n`);
          }
        }
      });
    });

  program
    .command('list')
    .description('list stored messages, newest first')
    .option('--account <address>', 'only this account')
    .option('--folder <path>', 'only this folder', 'INBOX')
    .option('--json', 'print JSON')
    .action(
      async (options: { account?: string; folder: string; json?: boolean }, command: Command) => {
        await withSealpost(command, { unlock: false }, async (sealpost) => {
          const messages = sealpost.mail.list({
            account: options.account ?? null,
            folder: options.folder,
          });
          if (options.json) return printJson(messages);
          if (messages.length === 0)
            process.stdout.write(`No messages in ${options.folder}; run "sealpost sync".\n`);
          for (const message of messages) {
            const lock = message.encrypted ? 'encrypted' : 'plain    ';
            const subject = message.encrypted
              ? '(encrypted subject; use "sealpost read")'
              : message.subject;
            process.stdout.write(
              `${message.id}\t${message.date ?? '-'}\t${lock}\t${message.from ?? '-'}\t${subject}\n`,
            );
          }
        });
      },
    );

  program
    .command('read')
    .description('decrypt and verify a message and print it')
    .argument('<id>', 'message id from "sealpost list"')
    .option('--json', 'print JSON with every status field')
    .option('--save-attachments <folder>', 'write the attachments into this folder')
    .action(
      async (
        id: string,
        options: { json?: boolean; saveAttachments?: string },
        command: Command,
      ) => {
        const messageId = Number(id);
        if (!Number.isInteger(messageId) || messageId < 1) {
          throw new CoreError(
            'INVALID_ARGUMENT',
            `Message id ${id} is not valid; take an id from "sealpost list".`,
          );
        }

        await withSealpost(command, { unlock: true }, async (sealpost) => {
          const message = await sealpost.mail.read(messageId);
          if (options.saveAttachments) saveAttachments(message, options.saveAttachments);
          if (options.json) {
            return printJson({
              ...message,
              attachments: message.attachments.map(({ content: _content, ...rest }) => rest),
            });
          }
          printMessage(message);
        });
      },
    );
}

function printMessage(message: ReadResult): void {
  const lines = [
    `From:       ${message.from ?? '-'}`,
    `To:         ${message.to.join(', ') || '-'}`,
    ...(message.cc.length ? [`Cc:         ${message.cc.join(', ')}`] : []),
    `Date:       ${message.date ?? '-'}`,
    `Subject:    ${message.subject ?? '-'}`,
    `Encryption: ${describeEncryption(message)}`,
    ...(message.signatures.length
      ? message.signatures.map(
          (signature) => `Signature:  ${describeSignature(signature, message.from)}`,
        )
      : ['Signature:  none (the sender did not sign this message)']),
    ...message.attachments.map(
      (attachment) =>
        `Attachment: ${attachment.filename} (${attachment.contentType}, ${attachment.size} bytes)`,
    ),
    '',
    message.text ?? '(no text part)',
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

function saveAttachments(message: ReadResult, folder: string): void {
  mkdirSync(folder, { recursive: true });
  for (const attachment of message.attachments) {
    // Only the base name is used, so a crafted file name cannot write outside the folder.
    const name = path.basename(attachment.filename || 'attachment.bin');
    writeFileSync(path.join(folder, name), attachment.content);
    process.stdout.write(`Saved ${path.join(folder, name)}\n`);
  }
}

function readFile(file: string, what: string): Buffer {
  try {
    return readFileSync(file);
  } catch (error) {
    throw new CoreError(
      'INVALID_ARGUMENT',
      `Cannot read the ${what} file ${file}: ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  }
}

async function readStdin(): Promise<string> {
  if (process.stdin.isTTY) process.stderr.write('Type the message; end with Ctrl-D.\n');
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
