// The desktop app's hold on one data folder: opens Sealpost when the keys can be unlocked,
// from the OS keychain without asking or with the Sealpost passphrase, and reports which of
// the two the unlock screen needs. Front ends call `require()` for every operation, so a
// locked session fails closed with PASSPHRASE_REQUIRED.

import type { Logger } from 'pino';
import { CoreError, errorCode } from './errors.ts';
import type { Keychain } from './keystore/keychain.ts';
import { dataFolderState } from './keystore/open-keys.ts';
import type { DataPaths } from './paths.ts';
import { Sealpost } from './sealpost.ts';

export interface AppSessionStatus {
  unlocked: boolean;
  /** True when unlocking needs the Sealpost passphrase (no usable keychain). */
  passphraseRequired: boolean;
  /** True on first run without a keychain, when the user chooses a new passphrase. */
  choosingPassphrase: boolean;
  /** Messages for the user from opening the data folder, e.g. that no keychain is available. */
  notices: string[];
}

export interface AppSessionOptions {
  paths: DataPaths;
  log: Logger;
  /** The keychain to use; undefined means the OS keychain, null means none. */
  keychain?: Keychain | null;
}

export class AppSession {
  #sealpost: Sealpost | null = null;
  #passphraseRequired = false;

  constructor(private readonly options: AppSessionOptions) {}

  /** Returns the status, opening the folder from the keychain first when that needs no passphrase. */
  async status(): Promise<AppSessionStatus> {
    if (!this.#sealpost && !this.#passphraseRequired) {
      try {
        await this.#open(null);
      } catch (error) {
        if (errorCode(error) !== 'PASSPHRASE_REQUIRED') throw error;
        this.#passphraseRequired = true;
      }
    }
    const state = dataFolderState(this.options.paths);
    return {
      unlocked: this.#sealpost !== null,
      passphraseRequired: this.#passphraseRequired,
      choosingPassphrase: this.#sealpost === null && state === 'new',
      notices: [...(this.#sealpost?.notices ?? [])],
    };
  }

  /** Opens the data folder with `passphrase`, creating its keys on first run. */
  async unlock(passphrase: string): Promise<AppSessionStatus> {
    if (!this.#sealpost) await this.#open(passphrase);
    return this.status();
  }

  /** Closes the data folder and wipes its keys; the next call needs `unlock` again. */
  lock(): void {
    this.#sealpost?.close();
    this.#sealpost = null;
    this.#passphraseRequired = dataFolderState(this.options.paths) !== 'keychain';
  }

  require(): Sealpost {
    if (!this.#sealpost) {
      throw new CoreError(
        'PASSPHRASE_REQUIRED',
        'Sealpost is locked; enter the Sealpost passphrase first.',
      );
    }
    return this.#sealpost;
  }

  async #open(passphrase: string | null): Promise<void> {
    this.#sealpost = await Sealpost.open(this.options.paths, this.options.log, {
      ...(this.options.keychain === undefined ? {} : { keychain: this.options.keychain }),
      passphrase,
    });
    this.#passphraseRequired = passphrase !== null;
  }
}
