// Synchronizes one IMAP folder into the store. A changed UIDVALIDITY drops the folder's local
// copies (RFC 9051 section 2.3.1.1). Flag changes and expunges come from CHANGEDSINCE and
// VANISHED where the server has CONDSTORE/QRESYNC (RFC 7162), else from full flag fetches and a
// UID list comparison. New messages arrive headers-first and newest first in bounded batches,
// and their bodies follow in batches. Progress is saved after every batch, so a dropped
// connection or a killed process resumes without a lost or duplicated message.

import type { Logger } from 'pino';
import type { BodyPending, Folder, Store } from '@sealpost/storage';
import type { ImapSession } from '@sealpost/mail-transport';
import { headerFields, messageFields } from './header-fields.ts';
import { fetchLargeBodies } from './large-messages.ts';

/** Messages per header batch: one FETCH response of about 1 KiB each, so memory stays small. */
export const HEADER_BATCH_SIZE = 500;

/** Maximum messages per body batch. */
export const BODY_BATCH_SIZE = 400;

/**
 * Bytes of the first body batch of a sync (by RFC822.SIZE). On a link that drops every few
 * hundred KiB, each connection still finishes a batch, so every sync makes progress.
 */
export const FIRST_BODY_BATCH_BYTES = 256 * 1024;

/** Messages without body listed at a time; their batches are fetched one after another. */
const BODY_LIST_SIZE = 2_000;

/**
 * Largest body batch in bytes (by RFC822.SIZE; one larger message still goes alone), which
 * bounds memory. Each batch that arrives whole doubles the next one up to this size, because
 * fewer, larger batches cut the cost per FETCH and per transaction. A 10,000-message sync took
 * about a quarter less time with 1 MiB batches than with 256 KiB ones (BENCHMARKS.md).
 */
export const BODY_BATCH_BYTES = 1024 * 1024;

export interface SyncProgress {
  account: string;
  folder: string;
  phase: 'headers' | 'bodies';
  done: number;
  total: number;
}

export interface FolderSyncReport {
  path: string;
  newMessages: number;
  uidValidityChanged: boolean;
  flagsChanged: number;
  expunged: number;
}

type ClassifiedBody = ReturnType<typeof messageFields>['classified'];

/** Callback for each message once the batch that stored its body has committed (key learning). */
export type BodyStored = (messageId: number, classified: ClassifiedBody) => Promise<void>;

export interface FolderSyncContext {
  store: Store;
  session: ImapSession;
  account: { id: number; email: string };
  log: Logger;
  onProgress: (progress: SyncProgress) => void;
  onBodyStored: BodyStored;
}

export async function syncFolder(
  context: FolderSyncContext,
  folder: { path: string; specialUse: string | null },
): Promise<FolderSyncReport> {
  const { store, session, account } = context;
  let stored =
    store.folders.getByPath(account.id, folder.path) ??
    store.folders.upsert({
      accountId: account.id,
      path: folder.path,
      specialUse: folder.specialUse,
    });
  const report: FolderSyncReport = {
    path: folder.path,
    newMessages: 0,
    uidValidityChanged: false,
    flagsChanged: 0,
    expunged: 0,
  };

  const state = await session.mailboxState(folder.path);
  if (stored.uidValidity !== state.uidValidity) {
    // The UIDs stored name other messages now: drop them and their index in one transaction.
    report.uidValidityChanged = stored.uidValidity !== null;
    store.folders.resetUidValidity(stored.id, state.uidValidity);
    stored = store.folders.get(stored.id)!;
    context.log.info(
      { folderId: stored.id, uidValidity: state.uidValidity, changed: report.uidValidityChanged },
      'folder UIDVALIDITY set; fetching the folder again',
    );
  }
  const uidValidity = state.uidValidity;

  // Changes to messages already stored: flags and expunges.
  const changes = await session.fetchFlagChanges(folder.path, {
    maxUid: stored.lastUid,
    sinceModseq: stored.highestModseq,
  });
  report.flagsChanged = store.messageSync.applyServerFlags(stored.id, uidValidity, changes.changes);

  let serverUids: number[] | null = null;
  let vanished = changes.vanished;
  if (vanished === null) {
    serverUids = await session.searchUids(folder.path, '1:*');
    const present = new Set(serverUids);
    vanished = store.messageSync
      .listUids(stored.id, uidValidity)
      .filter((uid) => !present.has(uid));
  }
  report.expunged = store.messageSync.removeByUids(stored.id, uidValidity, vanished);

  // New messages: every server UID above lastUid that is not stored yet (a crash may have
  // stored some of them already, newest first).
  const candidates =
    serverUids === null
      ? await session.searchUids(folder.path, `${stored.lastUid + 1}:*`)
      : serverUids.filter((uid) => uid > stored.lastUid);
  const local = new Set(store.messageSync.listUids(stored.id, uidValidity));
  const fresh = candidates.filter((uid) => uid > stored.lastUid && !local.has(uid));
  // Headers stored above lastUid by an interrupted run whose message is gone since.
  const offered = new Set(candidates);
  const orphans = [...local].filter((uid) => uid > stored.lastUid && !offered.has(uid));
  report.expunged += store.messageSync.removeByUids(stored.id, uidValidity, orphans);
  report.newMessages = await fetchHeadersNewestFirst(context, stored, uidValidity, fresh);

  // Everything up to the highest UID seen is stored now, so progress can be recorded. The
  // mod-sequence is the one from before the flag fetch, so a change made meanwhile is fetched
  // again next time rather than missed.
  const lastUid = Math.max(stored.lastUid, ...candidates.slice(-1));
  store.folders.updateSyncState(stored.id, {
    lastUid,
    highestModseq: changes.state.highestModseq ?? null,
  });

  await fetchBodies(context, stored);
  return report;
}

async function fetchHeadersNewestFirst(
  context: FolderSyncContext,
  folder: Folder,
  uidValidity: number,
  uids: number[],
): Promise<number> {
  const newestFirst = [...uids].sort((a, b) => b - a);
  const batches: number[][] = [];
  for (let start = 0; start < newestFirst.length; start += HEADER_BATCH_SIZE) {
    batches.push(newestFirst.slice(start, start + HEADER_BATCH_SIZE));
  }
  if (batches.length === 0) return 0;

  // The next batch is requested before this one is stored, as in fetchBodies.
  let inserted = 0;
  let done = 0;
  let next = context.session.fetchHeaders(folder.path, batches[0]!);
  for (let index = 0; index < batches.length; index += 1) {
    const fetched = await next;
    if (index + 1 < batches.length) {
      next = context.session.fetchHeaders(folder.path, batches[index + 1]!);
      next.catch(() => undefined);
      await sendPendingCommands();
    }
    // Not flushed to disk, like the bodies: lastUid is only saved after all header batches,
    // by a flushed commit that also flushes them, so a lost batch is fetched again.
    context.store.unflushedTransaction(`store ${fetched.length} headers of ${folder.path}`, () => {
      for (const message of fetched) {
        const result = context.store.messageSync.insertHeaders({
          folderId: folder.id,
          uidValidity,
          uid: message.uid,
          header: message.header,
          flags: message.flags,
          internalDate: message.internalDate ?? new Date(),
          serverSize: message.size,
          ...headerFields(message.header),
        });
        if (result.inserted) inserted += 1;
      }
    });
    done += batches[index]!.length;
    context.onProgress({
      account: context.account.email,
      folder: folder.path,
      phase: 'headers',
      done,
      total: newestFirst.length,
    });
  }
  return inserted;
}

async function fetchBodies(context: FolderSyncContext, folder: Folder): Promise<void> {
  // Large messages are streamed into encrypted files first, so none is left for the batches.
  await fetchLargeBodies(context, folder);
  const total = context.store.messageSync.countBodyPending(folder.id);
  let done = 0;
  let batchBytes = FIRST_BODY_BATCH_BYTES;
  for (;;) {
    let rest = context.store.messageSync.listBodyPending(folder.id, BODY_LIST_SIZE);
    if (rest.length === 0) return;
    const takeBatch = (): BodyPending[] => {
      const batch = takeByBytes(rest.slice(0, BODY_BATCH_SIZE), batchBytes);
      rest = rest.slice(batch.length);
      return batch;
    };

    // FETCH of the next batch is sent before the current one is stored, so the server
    // sends while SQLite writes. A rejected prefetch is raised by the await that takes it.
    let next: Promise<FetchedBatch> | null = fetchBatch(context, folder, takeBatch());
    while (next !== null) {
      const current: FetchedBatch = await next;
      batchBytes = Math.min(batchBytes * 2, BODY_BATCH_BYTES);
      next = null;
      if (rest.length > 0) {
        next = fetchBatch(context, folder, takeBatch());
        next.catch(() => undefined);
        await sendPendingCommands();
      }
      const stored = storeBodies(context, folder, current);
      for (const { id, classified } of stored) await context.onBodyStored(id, classified);
      done += current.byUid.size;
      context.onProgress({
        account: context.account.email,
        folder: folder.path,
        phase: 'bodies',
        done: Math.min(done, total),
        total,
      });
    }
  }
}

/**
 * Waits one turn of the event loop, so that a FETCH issued just before is written to the
 * socket. imapflow (2.10) takes the mailbox lock and writes commands in promise callbacks,
 * which cannot run while a synchronous SQLite transaction blocks the thread.
 */
function sendPendingCommands(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

interface FetchedBatch {
  /** The requested UIDs and the ids of their header rows. */
  byUid: Map<number, number>;
  fetched: Awaited<ReturnType<ImapSession['fetchSources']>>;
}

async function fetchBatch(
  context: FolderSyncContext,
  folder: Folder,
  pending: BodyPending[],
): Promise<FetchedBatch> {
  const byUid = new Map(pending.map((message) => [message.uid, message.id]));
  const fetched = await context.session.fetchSources(folder.path, [...byUid.keys()]);
  return { byUid, fetched };
}

/** Stores one fetched batch; returns the messages whose body it stored. */
function storeBodies(
  context: FolderSyncContext,
  folder: Folder,
  { byUid, fetched }: FetchedBatch,
): Array<{ id: number; classified: ClassifiedBody }> {
  const returned = new Set<number>();
  const stored: Array<{ id: number; classified: ClassifiedBody }> = [];

  // One transaction per batch, not flushed to disk: a power loss can only drop the newest
  // batches, whose messages stay 'headers' and are fetched again by the next sync.
  context.store.unflushedTransaction(`store ${fetched.length} bodies of ${folder.path}`, () => {
    for (const message of fetched) {
      const id = byUid.get(message.uid);
      if (id === undefined) continue;
      returned.add(message.uid);
      const { fields, classified } = messageFields(message.raw);
      // completeBody queues the message for search indexing, which runs after the sync.
      if (context.store.messageSync.completeBody(id, message.raw, fields)) {
        stored.push({ id, classified });
      }
    }

    // A UID the server did not return was expunged meanwhile; drop its headers.
    const gone = [...byUid.keys()].filter((uid) => !returned.has(uid));
    const { uidValidity } = context.store.folders.get(folder.id)!;
    if (gone.length > 0 && uidValidity !== null) {
      context.store.messageSync.removeByUids(folder.id, uidValidity, gone);
    }
  });
  return stored;
}

/** Returns the first messages whose sizes add up to at most `maxBytes`, and at least one. */
function takeByBytes<T extends { serverSize: number | null }>(
  messages: T[],
  maxBytes: number,
): T[] {
  let bytes = 0;
  let count = 0;
  for (const message of messages) {
    bytes += message.serverSize ?? 0;
    if (count > 0 && bytes > maxBytes) break;
    count += 1;
  }
  return messages.slice(0, count);
}
