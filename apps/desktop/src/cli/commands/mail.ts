// `sealpost send|sync|list|read`: compose and send encrypted mail, fetch new mail, and show a
// message decrypted with its signature status in plain words.

import { existsSync, mkdirSync, statSync } from 'node:fs';
import { open, rm, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Command } from 'commander';
import { CoreError } from '../../core/errors.ts';
import type { Sealpost } from '../../core/sealpost.ts';
import type { SendPlan } from '../../core/compose-plan.ts';
import type { ReadResult } from '../../core/read.ts';
import { attachmentChunks, releaseAttachments } from '../../core/read-attachments.ts';
import { describeEncryption, describeSignature } from '../../core/status-words.ts';
import { printJson, withSealpost } from '../context.ts';
import { failedOutboxNote } from './outbox.ts';
import { terminalLine, terminalText } from '../terminal-text.ts';
import { messageRow } from '../message-rows.ts';
import { checkSubject, decodeBody, readAttachments, readBodyFile } from '../send-input.ts';
import { withInterruptReport } from '../interrupted-send.ts';
import { withFailedSendNote } from '../failed-send.ts';
import { withSyncInterruptReport } from '../interrupted-sync.ts';
import { outboxAttempts, unsentOutboxLines } from '../unsent-outbox.ts';
import { htmlToPlainText } from '../html-text.ts';
import { sentence } from '../sentence.ts';
import { formatByteSize } from '@sealpost/ui';
import { limitReachedNote, parseLimit } from '../result-limit.ts';
import { parseMessageId } from '../message-id.ts';
import { attachmentNameParts, candidateName, type NameParts } from '../attachment-names.ts';

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
      const bodyFileText =
        options.bodyFile !== undefined
          ? decodeBody(readBodyFile(options.bodyFile), options.bodyFile, options.bodyCharset)
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
            attachments: [],
            attachmentFiles: attachments,
            allowPlaintext: options.allowPlaintext === true,
            openpgp: options.openpgp === true,
          }),
        ).catch((error: unknown) => {
          throw withFailedSendNote(error, sealpost.mail.lastEnqueuedOutboxEntry());
        });
        const how =
          result.mode === 'signed-plaintext'
            ? 'signed, NOT encrypted'
            : result.mode === 'ratchet'
              ? RATCHET_MODE_WORDS
              : result.postQuantum
                ? 'encrypted (OpenPGP, post-quantum ML-KEM-768+X25519) and signed'
                : 'encrypted (OpenPGP, classical) and signed';
        process.stdout.write(`Mode: ${how}, because ${result.modeReason}.\n`);
        for (const warning of result.warnings)
          process.stdout.write(`WARNING: ${sentence(warning)}\n`);
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
        const attemptsBefore = outboxAttempts(sealpost);
        const report = await withSyncInterruptReport(sealpost, () =>
          sealpost.mail.sync({ account: options.account ?? null }),
        );
        for (const account of report.accounts) {
          const total = account.folders.reduce((sum, folder) => sum + folder.newMessages, 0);
          process.stdout.write(
            `${account.email}: ${total} new ${total === 1 ? 'message' : 'messages'}\n`,
          );
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
        // A send that failed during this sync makes the command fail like "sealpost send" does.
        const unsent = unsentOutboxLines(sealpost, attemptsBefore);
        for (const line of unsent) process.stderr.write(`sealpost: ${line}\n`);
        if (unsent.length > 0) process.exitCode = 1;
      });
    });

  program
    .command('list')
    .description(
      'list stored messages of every account, the ones the server received last first; with more than one account, each row shows its account after the date',
    )
    .option('--account <address>', 'only this account')
    .option('--folder <path>', 'only this folder', 'INBOX')
    .option('--limit <count>', 'maximum messages per account', '100')
    .option('--json', 'print JSON')
    .action(
      async (
        options: { account?: string; folder: string; limit: string; json?: boolean },
        command: Command,
      ) => {
        const limit = parseLimit(options.limit);
        await withSealpost(command, { unlock: false }, async (sealpost) => {
          const messages = sealpost.mail.list({
            account: options.account ?? null,
            folder: options.folder,
            limit,
          });
          if (options.json) return printJson(messages);
          if (messages.length === 0)
            process.stdout.write(`No messages in ${options.folder}; run "sealpost sync".\n`);
          const accounts = new Set(messages.map((message) => message.account));
          for (const message of messages) {
            const extra = accounts.size > 1 ? [message.account] : [];
            process.stdout.write(`${messageRow(message, extra)}\n`);
          }
          const limitNote = limitReachedNote(messages, limit, 'message');
          if (limitNote !== null) process.stdout.write(`${limitNote}\n`);
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
        const messageId = parseMessageId(id);

        if (options.saveAttachments !== undefined) checkAttachmentFolder(options.saveAttachments);
        await withSealpost(command, { unlock: true }, async (sealpost) => {
          const message = await readOrExplain(sealpost, messageId);
          // Large attachments wait in encrypted temporary files until they are saved.
          try {
            if (options.saveAttachments !== undefined)
              await saveAttachments(message, options.saveAttachments);
            if (options.json) {
              return printJson({
                ...message,
                attachments: message.attachments.map(
                  ({ content: _content, stored: _stored, ...rest }) => rest,
                ),
              });
            }
            printMessage(message);
          } finally {
            releaseAttachments(message.attachments);
          }
        });
      },
    );
}

/** Reads message `id`; when it is missing, the error names a delete that waits for the sync. */
async function readOrExplain(sealpost: Sealpost, id: number): Promise<ReadResult> {
  try {
    return await sealpost.mail.read(id);
  } catch (error) {
    if (!(error instanceof CoreError) || error.code !== 'MESSAGE_NOT_FOUND') throw error;
    if (sealpost.mail.pendingChange(id)?.kind !== 'expunge') throw error;
    throw new CoreError(
      'MESSAGE_NOT_FOUND',
      `Message ${id} was deleted; the server deletes it at the next "sealpost sync".`,
      { cause: error },
    );
  }
}

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
          `Sent as:    ${message.negotiation.mode === 'signed-plaintext' ? 'signed, NOT encrypted' : message.negotiation.mode === 'ratchet' ? 'ratchet mode, forward secrecy, post-quantum' : `OpenPGP, ${message.negotiation.encryption === 'pq' ? 'post-quantum' : 'classical'}`}, because ${terminalLine(message.negotiation.reason)}`,
          ...message.negotiation.warnings.map((warning) => `Warning:    ${terminalLine(warning)}`),
        ]
      : []),
    ...message.attachments.map(
      (attachment) =>
        `Attachment: ${terminalLine(attachment.filename)} (${terminalLine(attachment.contentType)}, ${formatByteSize(attachment.size)})`,
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
  for (const warning of plan.warnings) lines.push(`WARNING: ${sentence(warning)}`);
  lines.push('Nothing was sent (--dry-run).');
  process.stdout.write(`${lines.join('\n')}\n`);
}

/** Raises INVALID_ARGUMENT when `folder` is empty, or exists but is not a folder. */
function checkAttachmentFolder(folder: string): void {
  if (folder === '') {
    throw new CoreError(
      'INVALID_ARGUMENT',
      '--save-attachments needs a folder name, but the value is empty; give a folder such as --save-attachments attachments.',
    );
  }
  if (existsSync(folder) && !statSync(folder).isDirectory()) {
    throw new CoreError(
      'INVALID_ARGUMENT',
      `--save-attachments ${folder} is a file; give a folder (a new one is created).`,
    );
  }
}

async function saveAttachments(message: ReadResult, folder: string): Promise<void> {
  checkAttachmentFolder(folder);
  try {
    mkdirSync(folder, { recursive: true });
  } catch (error) {
    throw new CoreError(
      'INVALID_ARGUMENT',
      `Cannot create the folder ${folder} for --save-attachments: ${(error as Error).message}; give a folder you can write to.`,
      { cause: error },
    );
  }
  for (const attachment of message.attachments) {
    // An existing file is never replaced: a free name like "report (2).pdf" is chosen instead.
    const parts = attachmentNameParts(attachment.filename);
    const target = await writeNewFile(folder, parts, () => attachmentChunks(attachment));
    process.stdout.write(`Saved ${terminalLine(target)}\n`);
  }
}

const MAX_NAME_ATTEMPTS = 1000;

/**
 * Streams `content` into a new file of `folder` and returns its path. A failed write removes
 * the partial file, so no truncated attachment is left behind.
 */
async function writeNewFile(
  folder: string,
  parts: NameParts,
  content: () => AsyncIterable<Uint8Array>,
): Promise<string> {
  for (let attempt = 1; attempt <= MAX_NAME_ATTEMPTS; attempt += 1) {
    const candidate = path.join(folder, candidateName(parts, attempt));
    let handle: FileHandle;
    try {
      handle = await open(candidate, 'wx', 0o600);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') continue;
      throw error;
    }
    try {
      await pipeline(Readable.from(content()), handle.createWriteStream());
    } catch (error) {
      await handle.close().catch(() => undefined);
      await rm(candidate, { force: true });
      throw error;
    }
    return candidate;
  }
  throw new CoreError(
    'INVALID_ARGUMENT',
    `${folder} already contains ${MAX_NAME_ATTEMPTS} files named like ${candidateName(parts, 1)}; choose an empty folder.`,
  );
}

async function readStdin(): Promise<string> {
  if (process.stdin.isTTY) process.stderr.write('Type the message; end with Ctrl-D.\n');
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return decodeBody(Buffer.concat(chunks), 'standard input');
}
