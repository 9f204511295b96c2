// The core facade: opens the store and wires the services that the CLI, the desktop app and
// the browser shell share. It imports nothing from Electron.

import type { Logger } from 'pino';
import { openDatabase } from '@sealpost/storage';
import type { Store } from '@sealpost/storage';
import { AccountService } from './accounts.ts';
import { ContactService } from './contacts.ts';
import { CoreError } from './errors.ts';
import { KeyService } from './keys.ts';
import { Mailbox } from './mailbox.ts';
import { Outbox } from './outbox.ts';
import type { DataPaths } from './paths.ts';
import { ReadService } from './read.ts';
import { SendService } from './send.ts';
import { SyncService } from './sync.ts';
import { Vault } from './vault.ts';

export class Sealpost {
  readonly accounts: AccountService;
  readonly keys: KeyService;
  readonly contacts: ContactService;
  readonly mail: {
    send: SendService['send'];
    sync: SyncService['sync'];
    read: ReadService['read'];
    list: Mailbox['list'];
    getRaw: Mailbox['getRaw'];
    listOutbox: Outbox['list'];
  };

  #vault: Vault | null = null;
  #passphrase: string | null = null;

  private constructor(
    private readonly paths: DataPaths,
    private readonly store: Store,
    private readonly log: Logger,
  ) {
    const vault = () => this.#requireVault();
    const passphrase = () => this.#requirePassphrase();

    this.accounts = new AccountService(store, vault, log.child({ module: 'accounts' }));
    this.keys = new KeyService(store, passphrase, log.child({ module: 'keys' }));
    this.contacts = new ContactService(store, log.child({ module: 'contacts' }));
    const outbox = new Outbox(store, this.accounts, log.child({ module: 'outbox' }));
    const send = new SendService(
      store,
      this.accounts,
      this.keys,
      this.contacts,
      outbox,
      log.child({ module: 'send' }),
    );
    const sync = new SyncService(
      store,
      this.accounts,
      this.contacts,
      outbox,
      log.child({ module: 'sync' }),
    );
    const read = new ReadService(store, this.keys, this.contacts, log.child({ module: 'read' }));
    const mailbox = new Mailbox(store, this.accounts);

    this.mail = {
      send: (input) => send.send(input),
      sync: (options) => sync.sync(options),
      read: (id) => read.read(id),
      list: (options) => mailbox.list(options),
      getRaw: (id) => mailbox.getRaw(id),
      listOutbox: () => outbox.list(),
    };
  }

  static open(paths: DataPaths, log: Logger): Sealpost {
    const store = openDatabase(paths.database);
    log.info({ dataFolder: paths.root }, 'sealpost opened');
    return new Sealpost(paths, store, log);
  }

  hasVault(): boolean {
    return Vault.exists(this.paths.vault);
  }

  /** Unlocks the vault with `passphrase`, creating it on first use. */
  unlock(passphrase: string): void {
    this.lock();
    this.#vault = this.hasVault()
      ? Vault.unlock(this.paths.vault, passphrase)
      : Vault.create(this.paths.vault, passphrase);
    this.#passphrase = passphrase;
  }

  lock(): void {
    this.#vault?.lock();
    this.#vault = null;
    this.#passphrase = null;
  }

  close(): void {
    this.lock();
    this.store.close();
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
