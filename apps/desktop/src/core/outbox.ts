// Outbox: every outgoing message is stored before the first SMTP attempt and leaves the
// outbox only when the server accepted it. A failed attempt keeps it queued for the next
// sync, and the error names what happened.

import type { Logger } from 'pino';
import type { Store } from '@sealpost/storage';
import { ImapSession, sendMessage } from '@sealpost/mail-transport';
import type { AccountRecord, AccountService } from './accounts.ts';
import { errorCode } from './errors.ts';

/** A send failure that keeps the code of its cause and says where the message went. */
export class OutboxSendError extends Error {
  readonly code: string;

  constructor(cause: unknown) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    super(`${reason} The message is kept in the outbox and is sent again by "sealpost sync".`, {
      cause,
    });
    this.name = 'OutboxSendError';
    this.code = errorCode(cause);
  }
}

export interface OutboxEntry {
  id: number;
  account: string;
  to: string[];
  attempts: number;
  lastError: string | null;
  state: string;
}

export class Outbox {
  constructor(
    private readonly store: Store,
    private readonly accounts: AccountService,
    private readonly log: Logger,
  ) {}

  /** Stores the message, sends it, and returns the recipients the server rejected. */
  async enqueueAndSend(
    account: AccountRecord,
    envelope: { from: string; to: string[] },
    raw: Uint8Array,
  ): Promise<string[]> {
    const entry = this.store.outbox.enqueue({
      accountId: account.id,
      raw,
      envelopeFrom: envelope.from,
      envelopeTo: envelope.to,
    });
    const outcome = await this.#attempt(account, entry.id, envelope, raw, true);
    return outcome === false ? envelope.to : outcome;
  }

  /** Sends every queued message of `account`; returns how many the server accepted. */
  async flush(account: AccountRecord): Promise<number> {
    let sent = 0;
    for (const entry of this.store.outbox.listQueued(account.id)) {
      const envelope = { from: entry.envelopeFrom, to: entry.envelopeTo };
      if ((await this.#attempt(account, entry.id, envelope, entry.raw, false)) !== false) sent += 1;
    }
    return sent;
  }

  list(): OutboxEntry[] {
    const entries = [...this.store.outbox.listQueued(), ...this.store.outbox.listFailed()];
    return entries.map((entry) => ({
      id: entry.id,
      account: this.store.accounts.getById(entry.accountId)?.email ?? String(entry.accountId),
      to: entry.envelopeTo,
      attempts: entry.attempts,
      lastError: entry.lastError,
      state: entry.state,
    }));
  }

  /** Appends the sender's copy to the account's Sent folder; returns false when that failed. */
  async appendToSent(account: AccountRecord, raw: Uint8Array): Promise<boolean> {
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
      await session.append(sent.path, raw, ['\\Seen']);
      return true;
    } catch (error) {
      this.log.error({ err: error, accountId: account.id }, 'appending the sent copy failed');
      return false;
    } finally {
      await session?.close();
    }
  }

  async #attempt(
    account: AccountRecord,
    entryId: number,
    envelope: { from: string; to: string[] },
    raw: Uint8Array,
    rethrow: boolean,
  ): Promise<string[] | false> {
    this.store.outbox.markSending(entryId);
    try {
      const result = await sendMessage({
        server: this.accounts.smtpServer(account),
        envelope,
        raw,
      });
      // Accepted for some recipients means sent: queuing it again would duplicate it for them.
      this.store.outbox.markSent(entryId);
      this.store.outbox.remove(entryId);
      if (result.rejected.length > 0) {
        this.log.warn(
          { outboxId: entryId, rejectedCount: result.rejected.length },
          'the server rejected some recipients',
        );
      }
      return result.rejected;
    } catch (error) {
      // A recipient the server rejected stays rejected, so only other failures are retried.
      const retry = errorCode(error) !== 'SMTP_RECIPIENT_REJECTED';
      this.store.outbox.markFailed(entryId, `${errorCode(error)}: ${(error as Error).message}`, {
        retry,
      });
      this.log.error(
        { err: error, outboxId: entryId },
        'sending failed; the message stays in the outbox',
      );
      if (rethrow) throw new OutboxSendError(error);
      return false;
    }
  }
}
