// Whole-message fetch of the UIDs after the last one stored, keyed on UIDVALIDITY (RFC 9051
// section 2.3.1.1): when the folder's UIDVALIDITY changed, the stored UIDs are void and
// fetching restarts at UID 1. The sync engine uses the finer steps of mailbox-sync.ts instead.

import type { ImapFlow } from 'imapflow';

import { toImapCommandError } from './imap-errors.ts';
import { assertArgument } from '../transport-error.ts';

/** Default number of messages one fetchNew call returns, bounding memory for a large folder. */
const DEFAULT_MAX_MESSAGES = 500;

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

/**
 * Fetches the messages after `lastUid` in `path`, at most `maxMessages` of them.
 * NOTE: flag changes and expunges of messages already stored are not reported; the sync engine
 * gets them from fetchFlagChanges (CONDSTORE/QRESYNC) instead.
 */
export async function fetchNewMessages(
  client: ImapFlow,
  path: string,
  options: FetchNewOptions,
): Promise<FetchNewResult> {
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

  const wasOpen = client.mailbox !== false && client.mailbox.path === path;
  let lock;
  try {
    lock = await client.getMailboxLock(path, { readOnly: true });
  } catch (error) {
    throw toImapCommandError(error, 'SELECT', path);
  }

  try {
    // A mailbox that stayed selected learns of new mail only through responses to a command.
    if (wasOpen) await client.noop();
    const mailbox = client.mailbox;
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

    const found = await client.search({ uid: `${lastUid + 1}:*` }, { uid: true });
    // "n:*" includes the highest UID even when it is below n (RFC 9051 section 6.4.4), so filter.
    const uids = (found || []).filter((uid) => uid > lastUid).sort((a, b) => a - b);
    if (uids.length === 0) return empty;

    const batch = uids.slice(0, maxMessages);
    const fetched = await client.fetchAll(
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

function toDate(value: Date | string | undefined): Date | null {
  if (value === undefined) return null;
  const date = value instanceof Date ? value : new Date(value);
  return Number.isNaN(date.getTime()) ? null : date;
}
