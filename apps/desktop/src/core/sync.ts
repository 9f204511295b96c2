// Sync: sends what waits in the outbox, replays the app's queued message actions, then brings
// every folder of every account up to date (sync/folder-sync.ts). Accounts sync in parallel,
// and at most one sync runs per account at a time. `watch` keeps a folder current with IDLE
// (RFC 2177) and polls the others.

import type { Logger } from 'pino';
import type { Store } from '@sealpost/storage';
import {
  effectiveDate,
  ImapSession,
  parseAutocryptHeaders,
  type MessageClassification,
} from '@sealpost/mail-transport';
import type { AccountRecord, AccountService } from './accounts.ts';
import type { ContactService } from './contacts.ts';
import { errorCode } from './errors.ts';
import type { Outbox } from './outbox.ts';
import type { SearchService } from './search.ts';
import { syncFolder, type FolderSyncReport, type SyncProgress } from './sync/folder-sync.ts';
import { replayPendingActions } from './sync/pending-replay.ts';

export type { FolderSyncReport, SyncProgress } from './sync/folder-sync.ts';

export interface AccountSyncReport {
  email: string;
  sentFromOutbox: number;
  /** Queued message actions (flags, moves, deletes) the server confirmed. */
  actionsReplayed: number;
  folders: FolderSyncReport[];
  learnedCertificates: string[];
}

export interface SyncReport {
  accounts: AccountSyncReport[];
}

export interface SyncOptions {
  account: string | null;
  /** Called after every stored batch of headers or bodies. */
  onProgress?: (progress: SyncProgress) => void;
  /** Send only outbox entries whose retry time has come (background syncs). Default false. */
  respectBackoff?: boolean;
}

export interface WatchOptions {
  account: string | null;
  /** The folder kept current with IDLE. */
  folder: string;
  /** How often the other folders are polled, in milliseconds. */
  pollIntervalMs: number;
  signal: AbortSignal;
  onSynced?: (report: SyncReport) => void;
  onError?: (error: unknown) => void;
}

/** Longest IDLE before it is renewed; RFC 2177 asks clients to end IDLE within 29 minutes. */
const MAX_IDLE_MS = 25 * 60_000;

export class SyncService {
  readonly #running = new Map<number, Promise<AccountSyncReport>>();

  constructor(
    private readonly store: Store,
    private readonly accounts: AccountService,
    private readonly contacts: ContactService,
    private readonly outbox: Outbox,
    private readonly search: SearchService,
    private readonly log: Logger,
    /** Rotates due own keys after a successful sync, at most once a day (`rotateDueOnce`). */
    private readonly rotateDueKeys: () => Promise<unknown> = async () => undefined,
  ) {}

  /**
   * Syncs the accounts in parallel. One account's failure does not stop the others; after all
   * finished, the first failure is raised.
   */
  async sync(options: SyncOptions): Promise<SyncReport> {
    const targets = this.#targets(options.account);
    const removedPacks = this.store.bodyPacks?.removeUnreferenced(
      this.store.messages.listPackNames(),
    );
    if (removedPacks?.length) {
      this.log.info({ count: removedPacks.length }, 'deleted body packs without a message');
    }
    const settled = await Promise.allSettled(
      targets.map((account) => this.#exclusive(account, options)),
    );
    const failure = settled.find((result) => result.status === 'rejected');
    if (failure) throw failure.reason;
    await this.rotateDueKeys();
    return {
      accounts: settled.map(
        (result) => (result as PromiseFulfilledResult<AccountSyncReport>).value,
      ),
    };
  }

  /**
   * Syncs until `signal` aborts: `folder` wakes the loop through IDLE, the other folders are
   * polled every `pollIntervalMs`. After each round the mail that arrived is indexed for
   * search. A failed round is reported to onError and retried at the next interval.
   */
  async watch(options: WatchOptions): Promise<void> {
    while (!options.signal.aborted) {
      try {
        options.onSynced?.(await this.sync({ account: options.account, respectBackoff: true }));
        await this.search.indexPending({ signal: options.signal });
      } catch (error) {
        this.log.warn({ err: error }, 'sync round failed; retrying at the next interval');
        options.onError?.(error);
      }
      if (options.signal.aborted) return;
      await this.#idleAll(options);
    }
  }

  async #idleAll(options: WatchOptions): Promise<void> {
    const waitMs = Math.min(options.pollIntervalMs, MAX_IDLE_MS);
    const sessions: ImapSession[] = [];
    try {
      const waits = this.#targets(options.account).map(async (account) => {
        const session = await ImapSession.connect(this.accounts.imapOptions(account));
        sessions.push(session);
        if (await this.#changedSinceSync(session, account, options.folder)) return true;
        return session.waitForChange(options.folder, waitMs, options.signal);
      });
      // The first account whose folder changed, or the poll interval, ends the wait.
      await Promise.race(waits);
    } catch (error) {
      this.log.warn({ err: error }, 'IDLE failed; polling instead');
      await sleep(waitMs, options.signal);
    } finally {
      await Promise.allSettled(sessions.map((session) => session.close()));
    }
  }

  /**
   * Returns true when the folder changed between the end of the last sync and this SELECT,
   * which IDLE would not report because it only announces changes made while it runs.
   * NOTE: without CONDSTORE (no HIGHESTMODSEQ) such a change waits for the next poll.
   */
  async #changedSinceSync(
    session: ImapSession,
    account: AccountRecord,
    folder: string,
  ): Promise<boolean> {
    const state = await session.mailboxState(folder);
    const stored = this.store.folders.getByPath(account.id, folder);
    if (!stored || stored.uidValidity !== state.uidValidity) return true;
    return state.highestModseq !== null && state.highestModseq !== stored.highestModseq;
  }

  #targets(account: string | null): AccountRecord[] {
    return account === null ? this.store.accounts.list() : [this.accounts.resolve(account)];
  }

  /** Runs one sync per account at a time; a second request waits for the running one first. */
  async #exclusive(account: AccountRecord, options: SyncOptions): Promise<AccountSyncReport> {
    const previous = this.#running.get(account.id);
    const next = (async () => {
      if (previous) await previous.catch(() => undefined);
      return this.#syncAccount(account, options);
    })();
    this.#running.set(account.id, next);
    try {
      return await next;
    } finally {
      if (this.#running.get(account.id) === next) this.#running.delete(account.id);
    }
  }

  async #syncAccount(account: AccountRecord, options: SyncOptions): Promise<AccountSyncReport> {
    const sentFromOutbox = await this.outbox.flush(account, {
      respectBackoff: options.respectBackoff === true,
    });
    const report: AccountSyncReport = {
      email: account.email,
      sentFromOutbox,
      actionsReplayed: 0,
      folders: [],
      learnedCertificates: [],
    };
    const log = this.log.child({ accountId: account.id });

    const session = await ImapSession.connect(this.accounts.imapOptions(account));
    try {
      report.actionsReplayed = await replayPendingActions(this.store, session, account.id, log);
      const context = {
        store: this.store,
        session,
        account,
        log,
        onProgress: options.onProgress ?? (() => {}),
        onBodyStored: async (_messageId: number, classified: MessageClassification | null) => {
          if (classified) await this.#learnFromAutocrypt(account, classified, report);
        },
      };
      for (const folder of await session.listFolders()) {
        report.folders.push(await syncFolder(context, folder));
      }
    } catch (error) {
      log.warn({ err: error, code: errorCode(error) }, 'sync stopped; the next sync resumes it');
      throw error;
    } finally {
      await session.close();
    }
    log.info({ folders: report.folders.length }, 'sync finished');
    return report;
  }

  async #learnFromAutocrypt(
    account: AccountRecord,
    classified: MessageClassification,
    report: AccountSyncReport,
  ): Promise<void> {
    const from = classified.headers.from?.address?.toLowerCase();
    if (!from || from === account.email) return;

    const header = parseAutocryptHeaders(classified.autocryptHeaders, from);
    // TODO: skip multipart/report messages here (Autocrypt Level 1 section 2.3).
    // MessageClassification does not expose the root media type yet, so delivery reports still
    // update last_seen.
    const date = effectiveDate(classified.headers.date ?? null, new Date());
    if (!header) {
      // Without a header the message can only move last_seen forward (Autocrypt Level 1
      // section 2.3). Sync fetches newest first, so most messages would rewrite the same row.
      const lastSeen = this.store.autocryptPeers.get(from)?.lastSeen;
      if (lastSeen && lastSeen.getTime() >= date.getTime()) return;
    }
    await this.contacts.observeMessage({ address: from, effectiveDate: date, header });
    if (!header) return;
    const learned = await this.contacts.learn({
      address: header.addr,
      keydata: header.keydata,
      source: 'autocrypt',
      preferEncrypt: header.preferEncrypt,
      seenAt: classified.headers.date ?? new Date(),
    });
    if (learned?.outcome === 'new') {
      report.learnedCertificates.push(
        `learned the key ${learned.fingerprint} of ${learned.address} from its Autocrypt header`,
      );
    } else if (learned?.outcome === 'changed-flagged') {
      report.learnedCertificates.push(
        `WARNING: ${learned.address} sent a different key ${learned.fingerprint}; it is not used ` +
          `until you check it and run "sealpost contacts accept-key ${learned.address} ${learned.fingerprint}"`,
      );
    }
    report.learnedCertificates.push(...(learned?.warnings ?? []));
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}
