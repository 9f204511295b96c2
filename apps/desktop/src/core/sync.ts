// Sync: sends what waits in the outbox, then fetches new messages of every folder by UID
// since the last sync, stores each raw message exactly as received, and learns keys from
// Autocrypt headers. A changed UIDVALIDITY drops the folder's local copies and refetches.

import type { Logger } from 'pino';
import type { MessageKind, Store } from '@sealpost/storage';
import { ImapSession, parseAutocryptHeaders, parseMessage } from '@sealpost/mail-transport';
import type { AccountRecord, AccountService } from './accounts.ts';
import type { ContactService } from './contacts.ts';

type ParsedKind = ReturnType<typeof parseMessage>['kind'];
import type { Outbox } from './outbox.ts';

export interface FolderSyncReport {
  path: string;
  newMessages: number;
  uidValidityChanged: boolean;
}

export interface AccountSyncReport {
  email: string;
  sentFromOutbox: number;
  folders: FolderSyncReport[];
  learnedCertificates: string[];
}

export interface SyncReport {
  accounts: AccountSyncReport[];
}

export class SyncService {
  constructor(
    private readonly store: Store,
    private readonly accounts: AccountService,
    private readonly contacts: ContactService,
    private readonly outbox: Outbox,
    private readonly log: Logger,
  ) {}

  async sync(options: { account: string | null }): Promise<SyncReport> {
    const targets =
      options.account === null
        ? this.store.accounts.list()
        : [this.accounts.resolve(options.account)];
    const reports: AccountSyncReport[] = [];
    for (const account of targets) {
      reports.push(await this.#syncAccount(account));
    }
    return { accounts: reports };
  }

  async #syncAccount(account: AccountRecord): Promise<AccountSyncReport> {
    const sentFromOutbox = await this.outbox.flush(account);
    const report: AccountSyncReport = {
      email: account.email,
      sentFromOutbox,
      folders: [],
      learnedCertificates: [],
    };

    const session = await ImapSession.connect(this.accounts.imapOptions(account));
    try {
      for (const folder of await session.listFolders()) {
        report.folders.push(await this.#syncFolder(session, account, folder, report));
      }
    } finally {
      await session.close();
    }
    this.log.info({ accountId: account.id, folders: report.folders.length }, 'sync finished');
    return report;
  }

  async #syncFolder(
    session: ImapSession,
    account: AccountRecord,
    folder: { path: string; specialUse: string | null },
    report: AccountSyncReport,
  ): Promise<FolderSyncReport> {
    const stored =
      this.store.folders.getByPath(account.id, folder.path) ??
      this.store.folders.upsert({
        accountId: account.id,
        path: folder.path,
        specialUse: folder.specialUse,
      });
    let uidValidity = stored.uidValidity;
    let lastUid = stored.lastUid;
    let uidValidityChanged = false;
    let newMessages = 0;

    // Batches keep memory bounded on large folders; each batch is stored before the next.
    for (;;) {
      const fetched = await session.fetchNew(folder.path, {
        uidValidity: uidValidity ?? undefined,
        lastUid,
      });

      // A new UIDVALIDITY means the UIDs we hold name other messages now (RFC 3501 2.3.1.1).
      if (uidValidity !== fetched.uidValidity) {
        uidValidityChanged ||= uidValidity !== null;
        this.store.folders.resetUidValidity(stored.id, fetched.uidValidity);
        uidValidity = fetched.uidValidity;
        lastUid = 0;
      }

      for (const message of fetched.messages) {
        if (await this.#storeMessage(account, stored.id, fetched.uidValidity, message, report)) {
          newMessages += 1;
        }
      }

      // Record progress only after the messages are stored, so a crash refetches, never skips.
      if (fetched.highestUid > lastUid) {
        lastUid = fetched.highestUid;
        this.store.folders.updateSyncState(stored.id, { lastUid });
      }
      if (!fetched.hasMore) break;
    }
    return { path: folder.path, newMessages, uidValidityChanged };
  }

  async #storeMessage(
    account: AccountRecord,
    folderId: number,
    uidValidity: number,
    message: { uid: number; raw: Uint8Array; flags: string[]; internalDate?: Date | null },
    report: AccountSyncReport,
  ): Promise<boolean> {
    const parsed = safeParse(message.raw);
    const { inserted } = this.store.messages.insertReceived({
      folderId,
      uid: message.uid,
      uidValidity,
      raw: message.raw,
      flags: message.flags,
      internalDate: message.internalDate ?? new Date(),
      messageId: parsed?.headers.messageId ?? null,
      fromAddress: parsed?.headers.from?.address?.toLowerCase() ?? null,
      subject: parsed?.headers.subject ?? null,
      date: parsed?.headers.date ?? null,
      kind: parsed ? storedKind(parsed.kind) : 'malformed',
    });
    if (inserted && parsed) await this.#learnFromAutocrypt(account, parsed, report);
    return inserted;
  }

  async #learnFromAutocrypt(
    account: AccountRecord,
    parsed: ReturnType<typeof parseMessage>,
    report: AccountSyncReport,
  ): Promise<void> {
    const from = parsed.headers.from?.address?.toLowerCase();
    if (!from || from === account.email) return;

    const header = parseAutocryptHeaders(parsed.autocryptHeaders, from);
    if (!header) return;
    const learned = await this.contacts.learn({
      address: header.addr,
      keydata: header.keydata,
      source: 'autocrypt',
      preferEncrypt: header.preferEncrypt,
      seenAt: parsed.headers.date ?? new Date(),
    });
    if (learned?.outcome === 'new') {
      report.learnedCertificates.push(
        `learned the key ${learned.fingerprint} of ${learned.address} from its Autocrypt header`,
      );
    } else if (learned?.outcome === 'changed-flagged') {
      report.learnedCertificates.push(
        `WARNING: ${learned.address} sent a different key ${learned.fingerprint}; the pinned key stays in use`,
      );
    }
  }
}

/** Maps the parser's message kind to the stored one. */
export function storedKind(kind: ParsedKind): MessageKind {
  switch (kind) {
    case 'pgp-mime-encrypted':
    case 'pgp-mime-signed':
    case 'plain':
      return kind;
    case 'inline-pgp-encrypted':
      return 'pgp-inline-encrypted';
    case 'inline-pgp-signed':
      return 'pgp-inline-signed';
  }
}

function safeParse(raw: Uint8Array): ReturnType<typeof parseMessage> | null {
  try {
    return parseMessage(raw);
  } catch {
    // A malformed message is still stored as received; reading it reports the error.
    return null;
  }
}
