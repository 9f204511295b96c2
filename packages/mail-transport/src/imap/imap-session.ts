// An IMAP session on imapflow (RFC 9051, RFC 3501): folder listing with SPECIAL-USE (RFC 6154),
// incremental fetch keyed on UIDVALIDITY and the last seen UID (RFC 9051 section 2.3.1.1),
// and APPEND for the Sent copy. TLS is required and verified, and credentials are never logged.

import { ImapFlow, type ImapFlowOptions, type Logger } from 'imapflow';

import { toImapCommandError, toImapConnectError } from './imap-errors.ts';
import { checkServerConfig, tlsOptions, type ServerConfig } from '../server-config.ts';
import { assertArgument } from '../transport-error.ts';

/** TCP and TLS handshake budget. On a working network the handshake takes well under a second. */
const CONNECTION_TIMEOUT_MS = 15_000;

/** Wait for the server greeting after connecting, which a server under load can send late. */
const GREETING_TIMEOUT_MS = 16_000;

/** Idle time before the socket is dropped, long enough for a large FETCH or APPEND on a slow link. */
const SOCKET_TIMEOUT_MS = 5 * 60_000;

/** Default number of messages one fetchNew call returns, bounding memory for a large folder. */
const DEFAULT_MAX_MESSAGES = 500;

export type ImapLogger = Logger;

export interface ImapConnectOptions extends ServerConfig {
  /** Structured logger for imapflow. False or absent turns its logging off. */
  logger?: ImapLogger | false;
}

export type SpecialUse =
  '\\Inbox' | '\\Sent' | '\\Drafts' | '\\Trash' | '\\Junk' | '\\Archive' | '\\All' | '\\Flagged';

const SPECIAL_USES: ReadonlyArray<string> = [
  '\\Inbox',
  '\\Sent',
  '\\Drafts',
  '\\Trash',
  '\\Junk',
  '\\Archive',
  '\\All',
  '\\Flagged',
];

export interface Folder {
  path: string;
  name: string;
  delimiter: string;
  specialUse: SpecialUse | null;
}

export interface FetchedMessage {
  uid: number;
  /** The message exactly as the server stores it. */
  raw: Uint8Array;
  flags: string[];
  internalDate: Date | null;
}

export interface FetchNewOptions {
  /** UIDVALIDITY stored with `lastUid`. When the server's value differs, fetching restarts at UID 1. */
  uidValidity?: number;
  /** Highest UID already stored. Fetching starts after it. */
  lastUid?: number;
  /** Maximum number of messages in one call (default 500). Call again while `hasMore` is true. */
  maxMessages?: number;
}

export interface FetchNewResult {
  uidValidity: number;
  uidValidityChanged: boolean;
  /** New messages in ascending UID order. */
  messages: FetchedMessage[];
  /** Highest UID now stored by the caller: the last returned UID, or the starting point when none. */
  highestUid: number;
  /** True when more new messages wait beyond `maxMessages`. */
  hasMore: boolean;
}

export class ImapSession {
  readonly #client: ImapFlow;

  private constructor(client: ImapFlow) {
    this.#client = client;
  }

  /**
   * Connects, upgrades to TLS ('starttls' requires it) and logs in. Raises IMAP_AUTH_FAILED,
   * IMAP_CONNECTION_FAILED or TLS_CERTIFICATE_INVALID.
   */
  static async connect(options: ImapConnectOptions): Promise<ImapSession> {
    const server = checkServerConfig(options, ['logger']);
    const logger = options.logger ?? false;

    const clientOptions: ImapFlowOptions = {
      host: server.host,
      port: server.port,
      secure: server.security === 'tls',
      doSTARTTLS: server.security === 'starttls' ? true : undefined,
      auth: { user: server.user, pass: server.password },
      tls: tlsOptions(server),
      logger,
      disableAutoIdle: true,
      connectionTimeout: CONNECTION_TIMEOUT_MS,
      greetingTimeout: GREETING_TIMEOUT_MS,
      socketTimeout: SOCKET_TIMEOUT_MS,
    };
    const servername = tlsOptions(server).servername;
    if (servername) clientOptions.servername = servername;

    const client = new ImapFlow(clientOptions);
    // imapflow emits 'error' for socket failures after connect, and without a listener Node would crash.
    client.on('error', (error: unknown) => {
      if (logger) logger.warn({ msg: 'IMAP connection error', err: error });
    });

    try {
      await client.connect();
    } catch (error) {
      client.close();
      throw toImapConnectError(error, server);
    }
    return new ImapSession(client);
  }

  /** Lists every folder with its SPECIAL-USE attribute (INBOX gets '\\Inbox'). */
  async listFolders(): Promise<Folder[]> {
    try {
      const folders = await this.#client.list();
      return folders.map((folder) => ({
        path: folder.path,
        name: folder.name,
        delimiter: folder.delimiter,
        specialUse:
          folder.specialUse && SPECIAL_USES.includes(folder.specialUse)
            ? (folder.specialUse as SpecialUse)
            : null,
      }));
    } catch (error) {
      throw toImapCommandError(error, 'LIST', null);
    }
  }

  /**
   * Fetches the messages after `lastUid` in `path`. When the folder's UIDVALIDITY differs from
   * `uidValidity`, the stored UIDs are void and fetching restarts at UID 1.
   * NOTE: flag changes and expunges of messages already stored are not reported, because this
   * session does not use CONDSTORE or QRESYNC yet.
   */
  async fetchNew(path: string, options: FetchNewOptions = {}): Promise<FetchNewResult> {
    assertArgument(
      typeof path === 'string' && path.length > 0,
      'path must be a folder path from listFolders()',
    );
    const maxMessages = options.maxMessages ?? DEFAULT_MAX_MESSAGES;
    assertArgument(
      Number.isInteger(maxMessages) && maxMessages > 0,
      `maxMessages ${maxMessages} must be a positive integer`,
    );
    assertArgument(
      options.lastUid === undefined || (Number.isInteger(options.lastUid) && options.lastUid >= 0),
      `lastUid ${options.lastUid} must be a non-negative integer`,
    );

    const wasOpen = this.#client.mailbox !== false && this.#client.mailbox.path === path;
    let lock;
    try {
      lock = await this.#client.getMailboxLock(path, { readOnly: true });
    } catch (error) {
      throw toImapCommandError(error, 'SELECT', path);
    }

    try {
      // A mailbox that stayed selected learns of new mail only through responses to a command.
      if (wasOpen) await this.#client.noop();
      const mailbox = this.#client.mailbox;
      if (!mailbox) throw new Error(`mailbox ${path} is not selected after SELECT`);
      const uidValidity = Number(mailbox.uidValidity);
      const uidValidityChanged =
        options.uidValidity !== undefined && options.uidValidity !== uidValidity;
      const lastUid = uidValidityChanged ? 0 : (options.lastUid ?? 0);
      const empty = {
        uidValidity,
        uidValidityChanged,
        messages: [],
        highestUid: lastUid,
        hasMore: false,
      };
      if (mailbox.exists === 0) return empty;

      const found = await this.#client.search({ uid: `${lastUid + 1}:*` }, { uid: true });
      // "n:*" includes the highest UID even when it is below n (RFC 9051 section 6.4.4), so filter.
      const uids = (found || []).filter((uid) => uid > lastUid).sort((a, b) => a - b);
      if (uids.length === 0) return empty;

      const batch = uids.slice(0, maxMessages);
      const fetched = await this.#client.fetchAll(
        batch.join(','),
        { uid: true, source: true, flags: true, internalDate: true },
        { uid: true },
      );

      const messages = fetched
        .filter((message) => message.source !== undefined && message.uid > lastUid)
        .sort((a, b) => a.uid - b.uid)
        .map((message) => ({
          uid: message.uid,
          raw: new Uint8Array(message.source as Buffer),
          flags: [...(message.flags ?? [])],
          internalDate: toDate(message.internalDate),
        }));
      const highestUid =
        messages.length > 0 ? (messages[messages.length - 1] as FetchedMessage).uid : lastUid;
      return {
        uidValidity,
        uidValidityChanged,
        messages,
        highestUid,
        hasMore: uids.length > batch.length,
      };
    } catch (error) {
      throw toImapCommandError(error, 'FETCH', path);
    } finally {
      lock.release();
    }
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

function toDate(value: Date | string | undefined): Date | null {
  if (value === undefined) return null;
  const date = value instanceof Date ? value : new Date(value);
  return Number.isNaN(date.getTime()) ? null : date;
}
