// `sealpost send|sync|list|read`: compose and send encrypted mail, fetch new mail, and show a
// message decrypted with its signature status in plain words.

import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { CoreError } from '../../core/errors.ts';
import type { SendPlan } from '../../core/compose-plan.ts';
import type { ReadResult } from '../../core/read.ts';
import { describeEncryption, describeSignature } from '../../core/status-words.ts';
import { printJson, withSealpost } from '../context.ts';
import { failedOutboxNote } from './outbox.ts';
import { terminalLine, terminalText, truncateForDisplay } from '../terminal-text.ts';
import { checkSubject, decodeBody, readAttachments, readInputFile } from '../send-input.ts';
import { withInterruptReport } from '../interrupted-send.ts';
import { htmlToPlainText } from '../html-text.ts';

interface SendOptions {
  from?: string;
  to: string[];
  cc: string[];
  bcc: string[];
  subject: string;
  bodyFile?: string;
  bodyCharset?: string;
  attach: string[];
  allowPlaintext?: boolean;
  openpgp?: boolean;
  dryRun?: boolean;
}

/** Collects a repeatable option's values. */
export const collect = (value: string, previous: string[]): string[] => [...previous, value];

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
    .option(
      '--body-charset <encoding>',
      'character encoding of --body-file when it is not UTF-8, e.g. iso-8859-1 or windows-1252',
    )
    .option('--attach <file>', 'attach a file (repeatable)', collect, [])
    .option('--allow-plaintext', 'send signed but unencrypted when a recipient has no known key')
    .option(
      '--openpgp',
      'send in OpenPGP mode even where ratchet mode is ready (for a contact who lost their ratchet sessions)',
    )
    .option('--dry-run', 'print the plan (mode, reason, keys, warnings) and send nothing')
    .action(async (options: SendOptions, command: Command) => {
      if (options.to.length + options.cc.length + options.bcc.length === 0) {
        throw new CoreError('INVALID_ARGUMENT', 'No recipient given; add --to, --cc or --bcc.');
      }
      if (options.bodyCharset !== undefined && options.bodyFile === undefined) {
        throw new CoreError('INVALID_ARGUMENT', '--body-charset needs --body-file FILE.');
      }
      // A dry run checks the same input as a send. It reads standard input only for a send, so
      // an interactive dry run does not wait for a message text.
      checkSubject(options.subject);
      const bodyFileText = options.bodyFile
        ? decodeBody(readInputFile(options.bodyFile, 'body'), options.bodyFile, options.bodyCharset)
        : null;
      const attachments = readAttachments(options.attach);
      if (options.dryRun) {
        await withSealpost(command, { unlock: false }, async (sealpost) => {
          const plan = await sealpost.planSend({
            from: options.from ?? null,
            to: options.to,
            cc: options.cc,
            bcc: options.bcc,
          });
          printPlan(plan);
        });
        return;
      }
      const text = bodyFileText ?? (await readStdin());

      await withSealpost(command, { unlock: true }, async (sealpost) => {
        const result = await withInterruptReport(sealpost, () =>
          sealpost.mail.send({
            from: options.from ?? null,
            to: options.to,
            cc: options.cc,
            bcc: options.bcc,
            subject: options.subject,
            text,
            attachments,
            allowPlaintext: options.allowPlaintext === true,
            openpgp: options.openpgp === true,
          }),
        );
        const how =
          result.mode === 'signed-plaintext'
            ? 'signed, NOT encrypted'
            : result.mode === 'ratchet'
              ? RATCHET_MODE_WORDS
              : result.postQuantum
                ? 'encrypted (OpenPGP, post-quantum ML-KEM-768+X25519) and signed'
                : 'encrypted (OpenPGP, classical) and signed';
        process.stdout.write(`Mode: ${how}, because ${result.modeReason}.\n`);
        for (const warning of result.warnings) process.stdout.write(`WARNING: ${warning}.\n`);
        process.stdout.write(`Sent ${result.messageId} to ${result.recipients.join(', ')}.\n`);
        if (result.unencryptedFor.length > 0) {
          process.stdout.write(
            `WARNING: everyone received this message unencrypted, because no key is known for ${result.unencryptedFor.join(', ')}.\n`,
          );
        }
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
        const outboxNote = failedOutboxNote(sealpost);
        if (outboxNote !== null) process.stdout.write(`${outboxNote}\n`);
      });
    });

  program
    .command('list')
    .description('list stored messages of each account, the ones the server received last first')
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
            const lock = message.decryptionFailed
              ? 'UNREADABLE'
              : message.encrypted
                ? 'encrypted '
                : 'plain     ';
            const subject = message.encrypted
              ? '(encrypted subject; use "sealpost read")'
              : truncateForDisplay(terminalLine(message.subject ?? '(no subject)'));
            const from = truncateForDisplay(terminalLine(message.from)) || '-';
            process.stdout.write(
              `${message.id}\t${message.date ?? '-'}\t${lock}\t${from}\t${subject}\n`,
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

/** `sealpost search|flag|move|delete`: full-text search and message actions. */
function printMessage(message: ReadResult): void {
  // The status lines come first and every untrusted field is escaped, so message content
  // can neither imitate nor hide them.
  const lines = [
    `Encryption: ${describeEncryption(message)}`,
    ...(message.signatures.length
      ? message.signatures.map(
          (signature) => `Signature:  ${terminalLine(describeSignature(signature, message.from))}`,
        )
      : ['Signature:  none (the sender did not sign this message)']),
    `From:       ${terminalLine(message.from) || '-'}`,
    `To:         ${terminalLine(message.to.join(', ')) || '-'}`,
    ...(message.cc.length ? [`Cc:         ${terminalLine(message.cc.join(', '))}`] : []),
    `Date:       ${message.date ?? '-'}`,
    `Subject:    ${terminalLine(message.subject) || '-'}`,
    ...(message.senderVerifiedBy
      ? [
          `Sender key: verified by ${message.senderVerifiedBy === 'qr-code' ? 'QR code' : 'fingerprint'}`,
        ]
      : []),
    ...(message.negotiation
      ? [
          `Sent as:    ${message.negotiation.mode === 'signed-plaintext' ? 'signed, NOT encrypted' : message.negotiation.mode === 'ratchet' ? 'ratchet mode, post-quantum' : `OpenPGP, ${message.negotiation.encryption === 'pq' ? 'post-quantum' : 'classical'}`}, because ${terminalLine(message.negotiation.reason)}`,
          ...message.negotiation.warnings.map((warning) => `Warning:    ${terminalLine(warning)}`),
        ]
      : []),
    ...message.attachments.map(
      (attachment) =>
        `Attachment: ${terminalLine(attachment.filename)} (${terminalLine(attachment.contentType)}, ${attachment.size} bytes)`,
    ),
    '',
    messageBody(message),
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

/** Returns the text part, or a labelled text rendering of an HTML-only message. */
function messageBody(message: ReadResult): string {
  if (message.text !== null) return terminalText(message.text);
  if (message.html === null) return '(no text part)';
  return `(converted from the HTML part; formatting and images are not shown)\n\n${terminalText(htmlToPlainText(message.html))}`;
}

const RATCHET_MODE_WORDS =
  'encrypted in ratchet mode (forward secrecy, ML-KEM-768+X25519) and signed';

function printPlan(plan: SendPlan): void {
  const how =
    plan.mode === 'signed-plaintext'
      ? 'signed, NOT encrypted'
      : plan.mode === 'ratchet'
        ? RATCHET_MODE_WORDS
        : plan.postQuantum
          ? 'encrypted (OpenPGP, post-quantum ML-KEM-768+X25519) and signed'
          : 'encrypted (OpenPGP, classical) and signed';
  const lines = [`Plan: ${how}, because ${plan.reason}.`];
  for (const recipient of plan.recipients) {
    const key = recipient.fingerprint ?? 'no key';
    const details = [
      recipient.status,
      recipient.postQuantum ? 'post-quantum' : null,
      recipient.verified ? 'verified' : null,
      recipient.reason,
    ].filter((part) => part !== null);
    lines.push(`  ${recipient.address}  ${key}  (${details.join(', ')})`);
  }
  for (const warning of plan.warnings) lines.push(`WARNING: ${warning}.`);
  lines.push('Nothing was sent (--dry-run).');
  process.stdout.write(`${lines.join('\n')}\n`);
}

function saveAttachments(message: ReadResult, folder: string): void {
  mkdirSync(folder, { recursive: true });
  for (const attachment of message.attachments) {
    // Only the base name is used, so a crafted file name cannot write outside the folder, and
    // an existing file is never replaced: a free name like "report (2).pdf" is chosen instead.
    const name = path.basename(terminalLine(attachment.filename) || 'attachment.bin');
    const target = writeNewFile(folder, name, attachment.content);
    process.stdout.write(`Saved ${terminalLine(target)}\n`);
  }
}

const MAX_NAME_ATTEMPTS = 1000;

function writeNewFile(folder: string, name: string, content: Uint8Array): string {
  const extension = path.extname(name);
  const stem = name.slice(0, name.length - extension.length) || 'attachment';
  for (let attempt = 1; attempt <= MAX_NAME_ATTEMPTS; attempt += 1) {
    const candidate = path.join(folder, attempt === 1 ? name : `${stem} (${attempt})${extension}`);
    try {
      writeFileSync(candidate, content, { flag: 'wx', mode: 0o600 });
      return candidate;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
  throw new CoreError(
    'INVALID_ARGUMENT',
    `${folder} already holds ${MAX_NAME_ATTEMPTS} files named like ${name}; choose an empty folder.`,
  );
}

async function readStdin(): Promise<string> {
  if (process.stdin.isTTY) process.stderr.write('Type the message; end with Ctrl-D.\n');
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return decodeBody(Buffer.concat(chunks), 'standard input');
}
