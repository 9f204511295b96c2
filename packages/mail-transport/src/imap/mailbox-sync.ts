// Mailbox synchronization commands on an imapflow client: SELECT state with HIGHESTMODSEQ,
// header-only and full fetches by UID, flag changes with CHANGEDSINCE and expunges with
// VANISHED (RFC 7162 sections 3.1.4 and 3.2.6), UID STORE, UID MOVE (RFC 6851), UID EXPUNGE
// (RFC 4315), UID SEARCH HEADER and IDLE (RFC 2177). Each call selects its mailbox read-write.

import type { FetchMessageObject, ImapFlow } from 'imapflow';

import { toImapCommandError } from './imap-errors.ts';

export interface MailboxState {
  path: string;
  uidValidity: number;
  uidNext: number;
  exists: number;
  /** HIGHESTMODSEQ, or null when the server does not keep mod-sequences for this mailbox. */
  highestModseq: bigint | null;
  /** Whether VANISHED reports expunges (QRESYNC enabled). Otherwise compare UID lists. */
  qresync: boolean;
}

export interface HeaderFetch {
  uid: number;
  /** The header section (BODY.PEEK[HEADER]), including the empty line that ends it. */
  header: Uint8Array;
  flags: string[];
  internalDate: Date | null;
  /** RFC822.SIZE of the whole message. */
  size: number;
}

export interface SourceFetch {
  uid: number;
  raw: Uint8Array;
}

export interface FlagChange {
  uid: number;
  flags: string[];
}

export interface FlagChangesResult {
  changes: FlagChange[];
  /** UIDs the server reported as expunged (VANISHED), or null when only a UID list comparison can tell. */
  vanished: number[] | null;
}

/** Collects VANISHED UIDs while a command that asked for them runs. */
export class VanishedCollector {
  #uids: number[] | null = null;

  start(): void {
    this.#uids = [];
  }

  add(uid: number): void {
    this.#uids?.push(uid);
  }

  stop(): number[] {
    const uids = this.#uids ?? [];
    this.#uids = null;
    return uids;
  }
}

/** Runs `work` with `path` selected read-write; IMAP failures become TransportErrors. */
export async function withMailbox<T>(
  client: ImapFlow,
  path: string,
  command: string,
  work: () => Promise<T>,
): Promise<T> {
  let lock;
  try {
    lock = await client.getMailboxLock(path);
  } catch (error) {
    throw toImapCommandError(error, 'SELECT', path);
  }
  try {
    return await work();
  } catch (error) {
    throw toImapCommandError(error, command, path);
  } finally {
    lock.release();
  }
}

export function readMailboxState(client: ImapFlow, path: string): MailboxState {
  const mailbox = client.mailbox;
  if (!mailbox || mailbox.path !== path) throw new Error(`mailbox ${path} is not selected`);
  const modseq = mailbox.noModseq ? null : (mailbox.highestModseq ?? null);
  return {
    path,
    uidValidity: Number(mailbox.uidValidity),
    uidNext: mailbox.uidNext,
    exists: mailbox.exists,
    highestModseq: modseq,
    qresync: modseq !== null && client.enabled.has('QRESYNC'),
  };
}

/** UID SEARCH for `range` ("1:*" for all); returns ascending UIDs. */
export async function searchUids(client: ImapFlow, range: string): Promise<number[]> {
  if (client.mailbox && client.mailbox.exists === 0) return [];
  const found = await client.search({ uid: range }, { uid: true });
  return [...new Set(found || [])].sort((a, b) => a - b);
}

export async function fetchHeaderSections(
  client: ImapFlow,
  uids: readonly number[],
): Promise<HeaderFetch[]> {
  if (uids.length === 0) return [];
  const fetched = await client.fetchAll(
    uids.join(','),
    { uid: true, flags: true, internalDate: true, size: true, headers: true },
    { uid: true },
  );
  const wanted = new Set(uids);
  return fetched
    .filter((message) => wanted.has(message.uid) && message.headers !== undefined)
    .map((message) => ({
      uid: message.uid,
      header: new Uint8Array(message.headers as Buffer),
      flags: flagList(message),
      internalDate: toDate(message.internalDate),
      size: message.size ?? 0,
    }));
}

export async function fetchSources(
  client: ImapFlow,
  uids: readonly number[],
): Promise<SourceFetch[]> {
  if (uids.length === 0) return [];
  const fetched = await client.fetchAll(uids.join(','), { uid: true, source: true }, { uid: true });
  const wanted = new Set(uids);
  return fetched
    .filter((message) => wanted.has(message.uid) && message.source !== undefined)
    .map((message) => ({ uid: message.uid, raw: new Uint8Array(message.source as Buffer) }));
}

/**
 * Fetches the flags of messages up to `maxUid`. With a mod-sequence only those changed since
 * `sinceModseq` come back (CONDSTORE), plus the expunged UIDs when QRESYNC is enabled.
 * Without one, every message's flags come back and `vanished` is null.
 */
export async function fetchFlagChanges(
  client: ImapFlow,
  state: MailboxState,
  options: { maxUid: number; sinceModseq: bigint | null },
  collector: VanishedCollector,
): Promise<FlagChangesResult> {
  if (options.maxUid < 1 || state.exists === 0) {
    return { changes: [], vanished: null };
  }
  const useModseq = state.highestModseq !== null && options.sinceModseq !== null;
  const collect = useModseq && state.qresync;
  if (collect) collector.start();
  let fetched: FetchMessageObject[];
  try {
    fetched = await client.fetchAll(
      `1:${options.maxUid}`,
      { uid: true, flags: true },
      useModseq ? { uid: true, changedSince: options.sinceModseq! } : { uid: true },
    );
  } finally {
    if (!collect) collector.stop();
  }
  const vanished = collect ? collector.stop() : null;
  const changes = fetched
    .filter((message) => message.uid <= options.maxUid)
    .map((message) => ({ uid: message.uid, flags: flagList(message) }));
  return { changes, vanished };
}

/** Sorted flags without \\Recent, which is per session and was dropped in RFC 9051 section 2.3.2. */
function flagList(message: FetchMessageObject): string[] {
  return [...(message.flags ?? [])].filter((flag) => flag !== '\\Recent').sort();
}

function toDate(value: Date | string | undefined): Date | null {
  if (value === undefined) return null;
  const date = value instanceof Date ? value : new Date(value);
  return Number.isNaN(date.getTime()) ? null : date;
}
