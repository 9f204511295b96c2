// The core facade: opens the store and wires the services that the CLI, the desktop app and
// the browser shell share. It imports nothing from Electron.

import type { Logger } from 'pino';
import { openDatabase } from '@sealpost/storage';
import type { Store } from '@sealpost/storage';
import { AccountService } from './accounts.ts';
import { AuditLog } from './audit-log.ts';
import { auditAnchorPath } from './audit-anchor.ts';
import type { UnlockedKeystore } from './keystore/keystore.ts';
import { migrateLegacySecrets } from './keystore/legacy-migration.ts';
import { unlockKeystore } from './keystore/keystore.ts';
import { OsKeychain } from './keystore/keychain.ts';
import { openKeys } from './keystore/open-keys.ts';
import type { KeyAccess } from './keystore/open-keys.ts';
import { ContactService } from './contacts.ts';
import { revokedContactAddresses } from './contact-revocation.ts';
import { CoreError } from './errors.ts';
import { KeyService } from './keys.ts';
import { Mailbox } from './mailbox.ts';
import { Outbox } from './outbox.ts';
import type { DataPaths } from './paths.ts';
import { ReadService } from './read.ts';
import { SearchService } from './search.ts';
import { MessageActions } from './sync/message-actions.ts';
import { folderSnapshot, type FolderSnapshot } from './sync/folder-snapshot.ts';
import { SendService } from './send.ts';
import { SyncService } from './sync.ts';
import { Vault } from './vault.ts';
import { planSend } from './compose-plan.ts';
import type { SendPlan } from './compose-plan.ts';
import { DraftStore } from './drafts.ts';
import { MailboxPages } from './mailbox-pages.ts';
import path from 'node:path';
import { DiscoveryService } from './discovery.ts';
import { TrustService } from './trust.ts';
import { importSetupMessage } from './setup-message.ts';
import { RatchetMail } from './ratchet/ratchet-mail.ts';
import { CardService } from './hardware/card-service.ts';
import { Fido2Keys } from './hardware/fido2-keys.ts';
import { pendingChangeOf, type PendingChange } from './mailbox-moves.ts';
import { applyFido2Policy, unlockWithFido2 } from './hardware/fido2-unlock.ts';
import type { Fido2Interaction } from './hardware/fido2-unlock.ts';
import { recordReadSubject } from './read-outcome.ts';

export interface OpenOptions {
  /**
   * Opens a database that is older than its audit log anchor, for `audit verify`, `list` and
   * `accept` only; every other use must leave this unset.
   */
  auditRecovery?: boolean;
}

export class Sealpost {
  readonly accounts: AccountService;
  readonly keys: KeyService;
  /** OpenPGP cards: status, moving a key to a card, and the PIN prompt for card operations. */
  readonly cards: CardService;
  /** FIDO2 security keys (hmac-secret) that unlock the keystore: enrol, list, remove. */
  readonly fido2: Fido2Keys;
  readonly contacts: ContactService;
  readonly mail: {
    send: SendService['send'];
    sync: SyncService['sync'];
    read: ReadService['read'];
    list: Mailbox['list'];
    getRaw: Mailbox['getRaw'];
    listOutbox: Outbox['list'];
    /** Sends a queued or failed outbox entry now. */
    retryOutbox: Outbox['retry'];
    /** Deletes a queued or failed outbox entry; call only on the user's explicit request. */
    discardOutbox: Outbox['discard'];
    outboxFailedCount: Outbox['failedCount'];
    /** The entry the last send of this instance stored in the outbox, and its state now. */
    lastEnqueuedOutboxEntry: Outbox['lastEnqueued'];
    search: SearchService['search'];
    /** Indexes the messages sync stored since the last indexing, in batches. */
    indexPending: SearchService['indexPending'];
    searchIndexStatus: SearchService['indexStatus'];
    setFlags: MessageActions['setFlags'];
    move: MessageActions['move'];
    delete: MessageActions['delete'];
    /** The queued move or delete of message `id`, or null when none waits for the server. */
    pendingChange: (id: number) => PendingChange | null;
    watch: SyncService['watch'];
    folderSnapshot: (options: { account: string | null; folder: string }) => FolderSnapshot;
  };
  /** Paged folder and message views for the desktop UI. */
  readonly pages: MailboxPages;
  /** Composer drafts, sealed by the vault. */
  readonly drafts: DraftStore;
  /** Fingerprint verification, openpgp4fpr: QR codes and accepting changed keys. */
  readonly trust: TrustService;
  /** WKD and VKS key lookups on request. */
  readonly discovery: DiscoveryService;

  /** Key operations and their per-key usage counts, hash-chained. */
  readonly audit: AuditLog;
  /** Messages for the user from opening the data folder, e.g. that no keychain is available. */
  notices: readonly string[] = [];

  #vault: Vault | null = null;
  readonly #ratchet: RatchetMail;
  #passphrase: string | null = null;
  #keystore: UnlockedKeystore | null = null;
  #access: KeyAccess = {};
  #auditRecovery = false;

  private constructor(
    private readonly paths: DataPaths,
    private readonly store: Store,
    private readonly log: Logger,
  ) {
    const vault = () => this.#requireVault();
    const passphrase = () => this.#requirePassphrase();

    this.accounts = new AccountService(store, vault, log.child({ module: 'accounts' }));
    this.audit = new AuditLog(
      store,
      () => this.#requireKeystore().deriveKey('sealpost audit log v1'),
      auditAnchorPath(paths.root),
    );
    this.keys = new KeyService(store, passphrase, log.child({ module: 'keys' }), this.audit);
    this.cards = new CardService(store, this.keys, log.child({ module: 'cards' }), this.audit);
    this.fido2 = new Fido2Keys(
      paths.keystore,
      () => this.#requireKeystore(),
      () => (this.#access.keychain === undefined ? new OsKeychain() : this.#access.keychain),
    );
    this.contacts = new ContactService(store, log.child({ module: 'contacts' }));
    this.trust = new TrustService(store, this.keys);
    this.discovery = new DiscoveryService(this.contacts, log.child({ module: 'discovery' }));
    const outbox = new Outbox(
      store,
      this.accounts,
      log.child({ module: 'outbox' }),
      path.join(paths.root, 'outbox'),
    );
    this.#ratchet = new RatchetMail(
      store,
      this.keys,
      this.contacts,
      outbox,
      () => Vault.fromKey(this.#requireKeystore().deriveKey('sealpost ratchet entities v1')),
      log.child({ module: 'ratchet' }),
    );
    const send = new SendService(
      store,
      this.accounts,
      this.keys,
      this.contacts,
      outbox,
      log.child({ module: 'send' }),
      this.#ratchet,
      this.cards,
    );
    const search = new SearchService(store, this.accounts);
    const sync = new SyncService(
      store,
      this.accounts,
      this.contacts,
      outbox,
      search,
      log.child({ module: 'sync' }),
      () => this.keys.rotateDueOnce(),
    );
    const read = new ReadService(
      store,
      this.keys,
      this.contacts,
      log.child({ module: 'read' }),
      this.#ratchet,
      this.cards,
    );
    read.onDecrypted((result) => search.indexRead(result));
    read.onDecrypted(recordReadSubject(store));
    read.onDecrypted((result) => {
      const fingerprint = result.encryption.decryptedWith;
      if (fingerprint) this.audit.countDecryption(fingerprint);
    });
    const actions = new MessageActions(store);
    const mailbox = new Mailbox(store, this.accounts);
    this.pages = new MailboxPages(store, this.accounts);
    this.drafts = new DraftStore(path.join(paths.root, 'drafts'), vault);

    this.mail = {
      send: (input) => send.send(input),
      sync: (options) => sync.sync(options),
      read: (id) => read.read(id),
      list: (options) => mailbox.list(options),
      getRaw: (id) => mailbox.getRaw(id),
      listOutbox: () => outbox.list(),
      retryOutbox: (id) => outbox.retry(id),
      discardOutbox: (id) => outbox.discard(id),
      outboxFailedCount: () => outbox.failedCount(),
      lastEnqueuedOutboxEntry: () => outbox.lastEnqueued(),
      search: (request) => search.search(request),
      indexPending: (options) => search.indexPending(options),
      searchIndexStatus: () => search.indexStatus(),
      setFlags: (id, request) => actions.setFlags(id, request),
      move: (id, targetPath) => actions.move(id, targetPath),
      delete: (id, options) => actions.delete(id, options),
      pendingChange: (id) => pendingChangeOf(store, id),
      watch: (options) => sync.watch(options),
      folderSnapshot: (options) => {
        const account =
          options.account === null
            ? store.accounts.list()[0]
            : this.accounts.resolve(options.account);
        if (!account)
          throw new CoreError(
            'ACCOUNT_NOT_FOUND',
            'No account yet; add one with "sealpost account add".',
          );
        return folderSnapshot(store, account, options.folder);
      },
    };
  }

  /**
   * Unlocks the keys of the data folder (from the OS keychain, or with `access.passphrase`),
   * opens the encrypted database with them, and finishes a migration from the scrypt vault.
   * Raises AUDIT_LOG_TRUNCATED when the database is older than the audit log anchor, unless
   * `options.auditRecovery` is set.
   */
  static async open(
    paths: DataPaths,
    log: Logger,
    access: KeyAccess = {},
    options: OpenOptions = {},
  ): Promise<Sealpost> {
    access = await applyFido2Policy(paths, access, access.fido2);
    const opened = openKeys(paths, access);
    let store: Store;
    try {
      store = openDatabase(paths.database, {
        encryptionKey: opened.keystore.databaseKey,
        encryptPlaintextFile: opened.encryptPlaintextDatabase,
      });
    } catch (error) {
      opened.keystore.wipe();
      opened.legacy?.vault.lock();
      throw error;
    }

    const sealpost = new Sealpost(paths, store, log);
    sealpost.#access = { keychain: access.keychain };
    sealpost.#auditRecovery = options.auditRecovery === true;
    sealpost.#useKeystore(opened.keystore);
    sealpost.notices = opened.notices;
    try {
      if (opened.legacy) {
        const moved = await migrateLegacySecrets({
          store,
          legacyVault: opened.legacy.vault,
          legacyPassphrase: opened.legacy.passphrase,
          vault: sealpost.#requireVault(),
          openpgpPassphrase: sealpost.#requirePassphrase(),
          vaultFile: paths.vault,
          keystoreFile: paths.keystore,
        });
        sealpost.audit.record('keystore-migrate', null, { mode: opened.keystore.mode, ...moved });
      }
      sealpost.audit.record('unlock', null, { mode: opened.keystore.mode });
      if (!sealpost.#auditRecovery) sealpost.audit.requireNotRolledBack();
    } catch (error) {
      sealpost.close();
      throw error;
    }
    log.debug({ dataFolder: paths.root, keystore: opened.keystore.mode }, 'sealpost opened');
    return sealpost;
  }

  /** Reports whether Sealpost is unlocked and whether unlocking needs the Sealpost passphrase. */
  sessionStatus(): { passphraseRequired: boolean; unlocked: boolean; vaultExists: boolean } {
    return {
      passphraseRequired: this.#keystore?.mode !== 'keychain',
      unlocked: this.#vault !== null,
      vaultExists: this.hasVault(),
    };
  }

  /** Returns each recipient's key status and the mode `mail.send` would use for them. */
  async planSend(input: {
    from: string | null;
    to: string[];
    cc: string[];
    bcc: string[];
  }): Promise<SendPlan> {
    const from = this.accounts.resolve(input.from).email;
    const services = { store: this.store, contacts: this.contacts, keys: this.keys };
    return planSend(services, { ...input, from });
  }

  /** Imports the secret key of an Autocrypt Setup Message, decrypted with its setup code. */
  importSetupMessage(data: Uint8Array, setupCode: string) {
    return importSetupMessage(this.keys, data, setupCode);
  }

  /** Returns the contacts whose pinned certificate its owner revoked. */
  revokedContacts(): Promise<Set<string>> {
    return revokedContactAddresses(this.store);
  }

  /** Lists every certificate recorded for `address`, the pinned one first. */
  contactCertificates(address: string) {
    return this.store.contacts.listCertificates(address.toLowerCase());
  }

  /** Returns the pinned certificate of contact `address`, armored. */
  exportContactCertificate(address: string): string {
    const pinned = this.store.contacts.getPinned(address.toLowerCase());
    if (!pinned) {
      throw new CoreError(
        'KEY_NOT_FOUND',
        `No certificate is pinned for ${address}; import one first.`,
      );
    }
    return pinned.certificate;
  }

  /** Whether the data folder's keys are set up; always true once `open` returned. */
  hasVault(): boolean {
    return this.#keystore !== null || Vault.exists(this.paths.vault);
  }

  /**
   * Unlocks the keys again after `lock()`: from the keychain, or with `passphrase` in a
   * passphrase-mode folder, where a wrong one raises INVALID_PASSPHRASE. The database
   * connection stays open while locked.
   */
  unlock(passphrase: string | null = null): void {
    const keystore = unlockKeystore(this.paths.keystore, {
      keychain: this.#access.keychain === undefined ? new OsKeychain() : this.#access.keychain,
      passphrase,
    });
    this.lock();
    this.#useKeystore(keystore);
    this.audit.record('unlock', null, { mode: keystore.mode });
    this.#requireNotRolledBack();
  }

  /**
   * Unlocks the keys again after `lock()` with an enrolled FIDO2 security key, which raises the
   * FIDO_* error of a missing key, a timeout or a wrong PIN and leaves Sealpost locked.
   */
  async unlockWithFido2(interaction: Fido2Interaction = {}): Promise<void> {
    const keystore = await unlockWithFido2(this.paths.keystore, interaction);
    this.lock();
    this.#useKeystore(keystore);
    this.audit.record('unlock', null, { mode: keystore.mode });
    this.#requireNotRolledBack();
  }

  /** Records the usage counts, then wipes every key; `unlock` makes them usable again. */
  lock(): void {
    if (this.#keystore && this.store.isOpen) this.audit.flushUsage();
    this.#vault?.lock();
    this.#vault = null;
    this.#passphrase = null;
    this.#keystore?.wipe();
    this.#keystore = null;
  }

  close(): void {
    this.lock();
    void this.#ratchet.close();
    this.store.close();
  }

  /** Locks again and raises AUDIT_LOG_TRUNCATED when the database is older than the anchor. */
  #requireNotRolledBack(): void {
    if (this.#auditRecovery) return;
    try {
      this.audit.requireNotRolledBack();
    } catch (error) {
      this.lock();
      throw error;
    }
  }

  #useKeystore(keystore: UnlockedKeystore): void {
    this.#keystore = keystore;
    this.#vault = Vault.fromKey(keystore.deriveKey('sealpost account passwords v1'));
    this.#passphrase = keystore.openpgpPassphrase();
  }

  #requireKeystore(): UnlockedKeystore {
    if (!this.#keystore) {
      throw new CoreError('PASSPHRASE_REQUIRED', 'Sealpost is locked; open the data folder again.');
    }
    return this.#keystore;
  }

  #requireVault(): Vault {
    if (!this.#vault)
      throw new CoreError(
        'PASSPHRASE_REQUIRED',
        'Sealpost is locked; enter the Sealpost passphrase first.',
      );
    return this.#vault;
  }

  #requirePassphrase(): string {
    if (this.#passphrase === null) {
      throw new CoreError(
        'PASSPHRASE_REQUIRED',
        'Sealpost is locked; enter the Sealpost passphrase first.',
      );
    }
    return this.#passphrase;
  }
}
