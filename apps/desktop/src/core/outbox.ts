// Outbox: every outgoing message is stored before the first SMTP attempt and leaves the
// outbox only when the server accepted it and its copy is in the Sent folder. A failed attempt
// keeps it queued with a retry time that backs off exponentially, and the error names what
// happened. The Sent copy is appended at most once: before APPEND the Sent folder is searched
// for the Message-ID (RFC 9051 section 6.4.4), so a retry after a crash finds the first copy.
// NOTE: delivery is at-least-once, not exactly-once. SMTP has no idempotent retry, so when the
// process dies or the connection drops after the server accepted DATA but before 'sent' is
// committed locally, the retry sends a second copy. 'sent' is committed right after the reply,
// which keeps that window to one local commit. The Sent folder cannot close it: Bcc copies
// share one Message-ID, and the Sent copy is appended only after the 'sent' commit.
// A large message is kept in a file of the outbox folder (outbox-files.ts) that its entry names,
// sent and appended from there as a stream, and deleted when the entry leaves the outbox.

import type { Logger } from 'pino';
import type { OutboxEntry as StoredEntry, OutboxState, Store } from '@sealpost/storage';
import {
  appendFile,
  ImapSession,
  sendMessage,
  type RawMessageFile,
} from '@sealpost/mail-transport';
import type { AccountRecord, AccountService } from './accounts.ts';
import { CoreError, errorCode } from './errors.ts';
import { OutboxFiles, readHeaderSection, type MessageFile } from './outbox-files.ts';

/** Returns true when the SMTP server rejected for good (a 5xx reply to RCPT or DATA), so a retry cannot help. */
function isPermanentFailure(error: unknown): boolean {
  const code = errorCode(error);
  return code === 'SMTP_RECIPIENT_REJECTED' || code === 'SMTP_MESSAGE_REJECTED';
}

/** A send failure that keeps the code of its cause and states where the message went. */
export class OutboxSendError extends Error {
  readonly code: string;

  constructor(
    cause: unknown,
    /** The outbox entry that keeps the message. */
    readonly outboxId: number,
  ) {
    const reason = (cause instanceof Error ? cause.message : String(cause)).replace(/\.?\s*$/, '.');
    const next = isPermanentFailure(cause)
      ? 'The server refused it for good, so it stays in the outbox as failed and is not sent again.'
      : 'The message is kept in the outbox and is sent again at the next sync.';
    super(`${reason} ${next}`, { cause });
    this.name = 'OutboxSendError';
    this.code = errorCode(cause);
  }
}

export interface OutboxEntry {
  id: number;
  account: string;
  to: string[];
  /** The Subject the user wrote, or null for entries queued before it was stored. */
  subject: string | null;
  attempts: number;
  lastError: string | null;
  state: string;
  /** ISO time of the next automatic attempt, or null for the next sync. */
  nextAttemptAt: string | null;
  /** ISO time the message was queued. */
  createdAt: string;
}

/** Result of a retry the user started: the recipients the server rejected. */
export interface OutboxRetryResult {
  id: number;
  rejectedRecipients: string[];
}

/** First retry delay after a temporary failure; each further failure doubles it. */
export const RETRY_BASE_MS = 30_000;

/** Longest retry delay, so a message is tried at least this often while the app runs. */
export const RETRY_MAX_MS = 60 * 60_000;

/** How often a process renews the heartbeat of the entry it is sending. */
export const SENDING_HEARTBEAT_MS = 2_000;

/**
 * Age of the last heartbeat after which an entry in 'sending' counts as abandoned by a process
 * that died, and is queued again. NOTE: a process whose event loop stalls this long while
 * sending would see its entry sent a second time by another process.
 */
export const STALE_SENDING_MS = 10_000;

/** Returns the delay before attempt `attempts + 1`, after `attempts` failed ones. */
export function retryDelayMs(attempts: number): number {
  return Math.min(RETRY_MAX_MS, RETRY_BASE_MS * 2 ** Math.max(0, attempts - 1));
}

export class Outbox {
  /** Folder of the large messages kept as files, or null to keep every message in the database. */
  readonly files: OutboxFiles | null;

  constructor(
    private readonly store: Store,
    private readonly accounts: AccountService,
    private readonly log: Logger,
    filesFolder: string | null = null,
  ) {
    this.files = filesFolder === null ? null : new OutboxFiles(filesFolder);
  }

  #lastEnqueuedId: number | null = null;

  /**
   * Returns the entry the last enqueueAndSend of this instance stored and its state now
   * ('removed' once sent with its Sent copy stored, or discarded), or null when none was
   * stored. An interrupted send reports with it whether the message waits in the outbox.
   */
  lastEnqueued(): { id: number; state: OutboxState | 'removed' } | null {
    if (this.#lastEnqueuedId === null) return null;
    const entry = this.store.outbox.get(this.#lastEnqueuedId);
    return { id: this.#lastEnqueuedId, state: entry ? entry.state : 'removed' };
  }

  /**
   * Stores the message with the user's `subject` for outbox lists, sends it, and returns the
   * recipients the server rejected.
   */
  async enqueueAndSend(
    account: AccountRecord,
    envelope: { from: string; to: string[] },
    raw: Uint8Array,
    subject: string | null = null,
  ): Promise<string[]> {
    const entry = this.store.outbox.enqueue({
      accountId: account.id,
      raw,
      envelopeFrom: envelope.from,
      envelopeTo: envelope.to,
      subject,
    });
    this.#lastEnqueuedId = entry.id;
    const outcome = await this.#attempt(account, entry.id, envelope, raw, true);
    return outcome === false ? envelope.to : outcome;
  }

  /**
   * Like enqueueAndSend for a message in a file of `files` (see OutboxFiles.write). The entry
   * refers to the file, which is deleted when the entry leaves the outbox.
   */
  async enqueueFileAndSend(
    account: AccountRecord,
    envelope: { from: string; to: string[] },
    file: MessageFile,
    subject: string | null = null,
  ): Promise<string[]> {
    const files = this.#requireFiles();
    const path = files.pathOf(file.name);
    const entry = this.store.outbox.enqueue({
      accountId: account.id,
      raw: await readHeaderSection(path),
      envelopeFrom: envelope.from,
      envelopeTo: envelope.to,
      file,
      subject,
    });
    this.#lastEnqueuedId = entry.id;
    const outcome = await this.#attempt(account, entry.id, envelope, this.#messageOf(entry), true);
    return outcome === false ? envelope.to : outcome;
  }

  /**
   * Sends the queued messages of `account` (with `respectBackoff`, only those whose retry time
   * has come), then stores the Sent copies still missing. Returns how many the server accepted.
   */
  async flush(account: AccountRecord, options: { respectBackoff?: boolean } = {}): Promise<number> {
    const abandoned = this.store.outboxSchedule.requeueStale(
      account.id,
      new Date(Date.now() - STALE_SENDING_MS),
    );
    if (abandoned.length > 0) {
      this.log.warn(
        { accountId: account.id, outboxIds: abandoned },
        'requeued messages whose sending was interrupted; they are sent again',
      );
    }
    await this.#removeOrphanFiles();
    const due = options.respectBackoff
      ? new Set(this.store.outboxSchedule.listDue(account.id, new Date()))
      : null;
    let sent = 0;
    for (const entry of this.store.outbox.listQueued(account.id)) {
      if (due && !due.has(entry.id)) continue;
      const envelope = { from: entry.envelopeFrom, to: entry.envelopeTo };
      const message = this.#messageOf(entry);
      if ((await this.#attempt(account, entry.id, envelope, message, false)) !== false) sent += 1;
    }
    await this.#finishSent(account);
    return sent;
  }

  /** Lists the messages waiting to be sent and those that failed for good, oldest first. */
  list(): OutboxEntry[] {
    const entries = [...this.store.outbox.listQueued(), ...this.store.outbox.listFailed()];
    return entries.map((entry) => ({
      id: entry.id,
      account: this.store.accounts.getById(entry.accountId)?.email ?? String(entry.accountId),
      to: entry.envelopeTo,
      subject: entry.subject,
      attempts: entry.attempts,
      lastError: entry.lastError,
      state: entry.state,
      nextAttemptAt: this.store.outboxSchedule.nextAttemptAt(entry.id)?.toISOString() ?? null,
      createdAt: entry.createdAt.toISOString(),
    }));
  }

  /** Returns how many messages failed for good and wait for the user to retry or discard them. */
  failedCount(): number {
    return this.store.outbox.listFailed().length;
  }

  /**
   * Sends a queued or failed entry now, ignoring its retry time. Raises OutboxSendError when
   * this attempt fails too; the entry then stays in the outbox as before.
   */
  async retry(id: number): Promise<OutboxRetryResult> {
    const entry = this.#requireWaiting(id, 'retry');
    const account = this.store.accounts.getById(entry.accountId);
    if (!account) {
      throw new CoreError(
        'ACCOUNT_NOT_FOUND',
        `The account of outbox entry ${id} no longer exists; discard the entry with "sealpost outbox discard ${id} --yes".`,
      );
    }
    if (entry.state === 'failed') this.store.outbox.requeue(id);
    this.store.outboxSchedule.setNextAttempt(id, null);
    const envelope = { from: entry.envelopeFrom, to: entry.envelopeTo };
    const outcome = await this.#attempt(account, id, envelope, this.#messageOf(entry), true);
    return { id, rejectedRecipients: outcome === false ? envelope.to : outcome };
  }

  /** Deletes a queued or failed entry for good; only the user's explicit request calls this. */
  discard(id: number): void {
    const entry = this.#requireWaiting(id, 'discard');
    this.store.outbox.remove(id);
    this.log.info({ outboxId: id }, 'the user discarded an outbox entry');
    this.#removeFile(entry);
  }

  /** Returns entry `id` when it is queued or failed, else raises a CoreError naming its state. */
  #requireWaiting(id: number, action: 'retry' | 'discard') {
    const entry = this.store.outbox.get(id);
    if (!entry) {
      throw new CoreError(
        'OUTBOX_ENTRY_NOT_FOUND',
        `Outbox entry ${id} not found; it may have been sent meanwhile. List the outbox with "sealpost outbox".`,
      );
    }
    if (entry.state === 'sending' || entry.state === 'sent') {
      const now =
        entry.state === 'sending'
          ? 'is being sent right now'
          : 'was accepted by the server and waits for its Sent copy';
      throw new CoreError(
        'OUTBOX_ENTRY_BUSY',
        `Outbox entry ${id} ${now}, so it cannot be ${action === 'retry' ? 'retried' : 'discarded'} now; list the outbox again after the next sync.`,
      );
    }
    return entry;
  }

  /**
   * Appends the sender's copy to the account's Sent folder; returns false when that failed.
   * With `file`, the copy is streamed from that file and `raw` is only its header section.
   */
  async appendToSent(
    account: AccountRecord,
    raw: Uint8Array,
    file: MessageFile | null = null,
  ): Promise<boolean> {
    let session: ImapSession | null = null;
    try {
      session = await ImapSession.connect(this.accounts.imapOptions(account));
      const folders = await session.listFolders();
      const sent =
        folders.find((folder) => folder.specialUse === '\\Sent') ??
        folders.find((folder) => folder.path === 'Sent');
      if (!sent) {
        this.log.warn(
          { accountId: account.id },
          'no Sent folder on the server; the sent copy was not stored',
        );
        return false;
      }
      const messageId = messageIdOf(raw);
      if (messageId && (await session.searchMessageId(sent.path, messageId)).length > 0) {
        return true;
      }
      if (file) {
        // The streamed APPEND opens its own connection; this one is closed first.
        await session.close();
        session = null;
        await appendFile(this.accounts.imapOptions(account), {
          path: sent.path,
          file: this.#requireFiles().pathOf(file.name),
          size: file.size,
          flags: ['\\Seen'],
        });
      } else {
        await session.append(sent.path, raw, ['\\Seen']);
      }
      return true;
    } catch (error) {
      this.log.error({ err: error, accountId: account.id }, 'appending the sent copy failed');
      return false;
    } finally {
      await session?.close();
    }
  }

  #requireFiles(): OutboxFiles {
    if (!this.files) throw new Error('this outbox keeps no message files');
    return this.files;
  }

  /** Returns what #attempt sends for an entry: its file, or its raw bytes. */
  #messageOf(entry: StoredEntry): Uint8Array | RawMessageFile {
    if (!entry.file) return entry.raw;
    return { path: this.#requireFiles().pathOf(entry.file.name), size: entry.file.size };
  }

  /** Deletes the message file of an entry that left the outbox; a failure is only logged. */
  #removeFile(entry: StoredEntry): void {
    if (!entry.file || !this.files) return;
    try {
      this.files.remove(entry.file.name);
    } catch (error) {
      // removeOrphans deletes it at a later flush.
      this.log.warn({ err: error, outboxId: entry.id }, 'deleting a sent message file failed');
    }
  }

  /** Deletes message files that no entry refers to, left by a process that died. */
  async #removeOrphanFiles(): Promise<void> {
    if (!this.files) return;
    try {
      const removed = await this.files.removeOrphans(new Set(this.store.outbox.listFileNames()));
      if (removed.length > 0) {
        this.log.info({ count: removed.length }, 'deleted outbox message files of no entry');
      }
    } catch (error) {
      this.log.warn({ err: error }, 'deleting orphaned outbox message files failed');
    }
  }

  /** Appends the Sent copy of every accepted entry that still lacks one, then removes the entry. */
  async #finishSent(account: AccountRecord): Promise<void> {
    const seen = new Set<string>();
    for (const id of this.store.outboxSchedule.listSent(account.id)) {
      const entry = this.store.outbox.get(id);
      if (!entry) continue;
      // Bcc copies share the Message-ID of the main copy, and one Sent copy covers them all.
      const messageId = messageIdOf(entry.raw);
      if (messageId === null || !seen.has(messageId)) {
        if (!(await this.appendToSent(account, entry.raw, entry.file))) return;
        if (messageId !== null) seen.add(messageId);
      }
      this.store.outbox.remove(id);
      this.#removeFile(entry);
    }
  }

  async #attempt(
    account: AccountRecord,
    entryId: number,
    envelope: { from: string; to: string[] },
    raw: Uint8Array | RawMessageFile,
    rethrow: boolean,
  ): Promise<string[] | false> {
    this.store.outbox.markSending(entryId);
    const heartbeat = setInterval(() => {
      try {
        this.store.outboxSchedule.touchSending(entryId, new Date());
      } catch (error) {
        this.log.warn({ err: error, outboxId: entryId }, 'renewing the sending heartbeat failed');
      }
    }, SENDING_HEARTBEAT_MS);
    try {
      const result = await sendMessage({
        server: this.accounts.smtpServer(account),
        envelope,
        raw,
      });
      // Accepted for some recipients means sent: queuing it again would duplicate it for them.
      // The entry stays in state 'sent' until its Sent copy is stored (#finishSent).
      this.store.outbox.markSent(entryId);
      if (result.rejected.length > 0) {
        this.log.warn(
          { outboxId: entryId, rejectedCount: result.rejected.length },
          'the server rejected some recipients',
        );
      }
      await this.#finishSent(account).catch((error: unknown) => {
        this.log.error(
          { err: error, outboxId: entryId },
          'storing the Sent copy failed; the next sync retries',
        );
      });
      return result.rejected;
    } catch (error) {
      // A refused recipient or message (5xx) stays refused, so only other failures are retried.
      const retry = !isPermanentFailure(error);
      const failed = this.store.outbox.markFailed(
        entryId,
        `${errorCode(error)}: ${(error as Error).message}`,
        { retry },
      );
      if (retry) {
        const at = new Date(Date.now() + retryDelayMs(failed.attempts));
        this.store.outboxSchedule.setNextAttempt(entryId, at);
      }
      this.log.error(
        { err: error, outboxId: entryId },
        'sending failed; the message stays in the outbox',
      );
      if (rethrow) throw new OutboxSendError(error, entryId);
      return false;
    } finally {
      clearInterval(heartbeat);
    }
  }
}

/** Reads the Message-ID header of a raw message, or null when it has none. */
function messageIdOf(raw: Uint8Array): string | null {
  const head = Buffer.from(raw.subarray(0, 64 * 1024)).toString('latin1');
  const end = head.search(/\r?\n\r?\n/);
  const header = end === -1 ? head : head.slice(0, end);
  const match = /^message-id:[ \t]*(?:\r?\n[ \t]+)?(<[^<>\s]+>)/im.exec(header);
  return match ? match[1]! : null;
}
