// An IMAP session on imapflow (RFC 9051, RFC 3501): one logged-in connection with the commands
// the sync engine and the outbox use. Connecting is in imap-connect.ts, folder listing in
// folder-list.ts, the sync commands in mailbox-sync.ts and the message actions in
// mailbox-actions.ts. TLS is required and verified, and credentials are never logged.

import type { ImapFlow } from 'imapflow';

import { checkFlag, checkPath, checkUids } from './imap-arguments.ts';
import { downloadSource } from './download-source.ts';
import { fetchNewMessages, type FetchNewOptions, type FetchNewResult } from './fetch-new.ts';
import { createFolder, listFolders, type Folder } from './folder-list.ts';
import { toImapCommandError } from './imap-errors.ts';
import { openImapClient, type ImapConnectOptions } from './imap-connect.ts';
import {
  expungeMessages,
  idleUntilChange,
  moveMessages,
  searchMessageId,
  storeFlags,
  type MoveResult,
} from './mailbox-actions.ts';
import {
  fetchFlagChanges,
  fetchHeaderSections,
  fetchSources,
  readMailboxState,
  searchUids,
  type VanishedCollector,
  withMailbox,
  type FlagChangesResult,
  type HeaderFetch,
  type MailboxState,
  type SourceFetch,
} from './mailbox-sync.ts';
import { assertArgument } from '../transport-error.ts';

export type { FetchedMessage, FetchNewOptions, FetchNewResult } from './fetch-new.ts';
export type { Folder, SpecialUse } from './folder-list.ts';
export type { ImapConnectOptions, ImapLogger } from './imap-connect.ts';

export class ImapSession {
  readonly #client: ImapFlow;
  readonly #vanished: VanishedCollector;

  private constructor(client: ImapFlow, vanished: VanishedCollector) {
    this.#client = client;
    this.#vanished = vanished;
  }

  /**
   * Connects, upgrades to TLS ('starttls' requires it) and logs in. Raises IMAP_AUTH_FAILED,
   * IMAP_CONNECTION_FAILED or TLS_CERTIFICATE_INVALID.
   */
  static async connect(options: ImapConnectOptions): Promise<ImapSession> {
    const { client, vanished } = await openImapClient(options);
    return new ImapSession(client, vanished);
  }

  /** Lists every folder with its SPECIAL-USE attribute (INBOX gets '\\Inbox'). */
  async listFolders(): Promise<Folder[]> {
    return listFolders(this.#client);
  }

  /** Creates and subscribes `path`; `created` is false when it existed already. */
  async createFolder(
    path: string,
  ): Promise<{ path: string; created: boolean; subscribed: boolean }> {
    checkPath(path);
    return createFolder(this.#client, path);
  }

  /**
   * Fetches the messages after `lastUid` in `path`. When the folder's UIDVALIDITY differs from
   * `uidValidity`, the stored UIDs are void and fetching restarts at UID 1.
   * Flag changes and expunges come from fetchFlagChanges instead.
   */
  async fetchNew(path: string, options: FetchNewOptions = {}): Promise<FetchNewResult> {
    return fetchNewMessages(this.#client, path, options);
  }

  /** False once the connection is closed or lost; commands then fail without reaching the server. */
  get usable(): boolean {
    return this.#client.usable;
  }

  /** Selects `path` and returns its UIDVALIDITY, UIDNEXT, HIGHESTMODSEQ and QRESYNC state. */
  async mailboxState(path: string): Promise<MailboxState> {
    checkPath(path);
    return withMailbox(this.#client, path, 'SELECT', async () => {
      return readMailboxState(this.#client, path);
    });
  }

  /** Returns the UIDs in `range` (e.g. "1:*" or "501:*"), ascending. */
  async searchUids(path: string, range = '1:*'): Promise<number[]> {
    checkPath(path);
    return withMailbox(this.#client, path, 'UID SEARCH', () => searchUids(this.#client, range));
  }

  /** Fetches the header section, flags, INTERNALDATE and RFC822.SIZE of `uids`. */
  async fetchHeaders(path: string, uids: readonly number[]): Promise<HeaderFetch[]> {
    checkPath(path);
    checkUids(uids);
    return withMailbox(this.#client, path, 'UID FETCH', () =>
      fetchHeaderSections(this.#client, uids),
    );
  }

  /** Fetches the whole messages `uids` exactly as the server stores them. */
  async fetchSources(path: string, uids: readonly number[]): Promise<SourceFetch[]> {
    checkPath(path);
    checkUids(uids);
    return withMailbox(this.#client, path, 'UID FETCH', () => fetchSources(this.#client, uids));
  }

  /**
   * Streams the whole message `uid` exactly as the server stores it to `consume`, in chunks,
   * holding the mailbox while `consume` runs. Returns false when the message is gone.
   */
  async downloadSource(
    path: string,
    uid: number,
    consume: (source: AsyncIterable<Uint8Array>) => Promise<void>,
  ): Promise<boolean> {
    checkPath(path);
    checkUids([uid]);
    return withMailbox(this.#client, path, 'UID FETCH', () =>
      downloadSource(this.#client, uid, consume),
    );
  }

  /**
   * Fetches flag changes of UIDs up to `maxUid` since `sinceModseq` (all flags when null or
   * when the server lacks CONDSTORE), plus VANISHED UIDs under QRESYNC, and the mailbox state
   * as selected before the fetch: store its highestModseq only after applying the changes.
   */
  async fetchFlagChanges(
    path: string,
    options: { maxUid: number; sinceModseq: bigint | null },
  ): Promise<FlagChangesResult & { state: MailboxState }> {
    checkPath(path);
    return withMailbox(this.#client, path, 'UID FETCH', async () => {
      const state = readMailboxState(this.#client, path);
      const result = await fetchFlagChanges(this.#client, state, options, this.#vanished);
      return { ...result, state };
    });
  }

  /** Adds and removes flags on `uids`. */
  async storeFlags(
    path: string,
    uids: readonly number[],
    change: { add: string[]; remove: string[] },
  ): Promise<void> {
    checkPath(path);
    checkUids(uids);
    for (const flag of [...change.add, ...change.remove]) checkFlag(flag);
    return withMailbox(this.#client, path, 'UID STORE', () =>
      storeFlags(this.#client, uids, change),
    );
  }

  /** Moves `uids` to `targetPath` and returns their new UIDs when the server tells them. */
  async move(path: string, uids: readonly number[], targetPath: string): Promise<MoveResult> {
    checkPath(path);
    checkPath(targetPath);
    checkUids(uids);
    return withMailbox(this.#client, path, 'UID MOVE', () =>
      moveMessages(this.#client, uids, targetPath),
    );
  }

  /** Deletes `uids` for good: \\Deleted, then UID EXPUNGE. */
  async expunge(path: string, uids: readonly number[]): Promise<void> {
    checkPath(path);
    checkUids(uids);
    return withMailbox(this.#client, path, 'UID EXPUNGE', () =>
      expungeMessages(this.#client, uids),
    );
  }

  /** Returns the UIDs in `path` whose Message-ID header contains `messageId`. */
  async searchMessageId(path: string, messageId: string): Promise<number[]> {
    checkPath(path);
    assertArgument(
      typeof messageId === 'string' && /^<?[^\s<>]+>?$/.test(messageId),
      `messageId ${JSON.stringify(messageId)} is invalid: expected <local@domain>`,
    );
    return withMailbox(this.#client, path, 'UID SEARCH', () =>
      searchMessageId(this.#client, messageId),
    );
  }

  /**
   * Selects `path` and waits in IDLE until a message arrives, is expunged or changes flags,
   * or until `timeoutMs` passes or `signal` aborts. Returns true when the mailbox changed.
   */
  async waitForChange(path: string, timeoutMs: number, signal?: AbortSignal): Promise<boolean> {
    checkPath(path);
    assertArgument(Number.isInteger(timeoutMs) && timeoutMs > 0, 'timeoutMs must be positive');
    return withMailbox(this.#client, path, 'IDLE', () =>
      idleUntilChange(this.#client, timeoutMs, signal),
    );
  }

  /** Appends a message to `path`, e.g. the Sent folder with flags ['\\Seen']. */
  async append(
    path: string,
    raw: Uint8Array,
    flags: string[] = [],
    internalDate?: Date,
  ): Promise<{ uid: number | null; uidValidity: number | null }> {
    assertArgument(
      typeof path === 'string' && path.length > 0,
      'path must be a folder path from listFolders()',
    );
    assertArgument(
      raw instanceof Uint8Array && raw.length > 0,
      'raw must be a non-empty Uint8Array',
    );
    assertArgument(
      Array.isArray(flags) &&
        flags.every((flag) => typeof flag === 'string' && /^\\?[^\s()[\]{}%*"\\]+$/.test(flag)),
      `flags ${JSON.stringify(flags)} are invalid: expected IMAP flags such as \\Seen`,
    );

    try {
      const response = await this.#client.append(path, Buffer.from(raw), flags, internalDate);
      if (!response) throw new Error('server did not confirm APPEND');
      return {
        uid: response.uid ?? null,
        uidValidity: response.uidValidity === undefined ? null : Number(response.uidValidity),
      };
    } catch (error) {
      throw toImapCommandError(error, 'APPEND', path);
    }
  }

  /** Logs out and closes the connection. A failed LOGOUT closes the socket instead of raising. */
  async close(): Promise<void> {
    try {
      await this.#client.logout();
    } catch {
      this.#client.close();
    }
  }
}
