// The desktop app's hold on one data folder: opens Sealpost when the keys can be unlocked,
// from the OS keychain without asking or with the Sealpost passphrase, and reports which of
// the two the unlock screen needs. Front ends call `require()` for every operation, so a
// locked session fails closed with PASSPHRASE_REQUIRED.

import type { Logger } from 'pino';
import { CoreError, errorCode } from './errors.ts';
import { describeFido2Failure } from './hardware/fido2-messages.ts';
import type { Fido2DeviceSource } from './hardware/fido2-device.ts';
import {
  FIDO2_TOUCH_TIMEOUT_MS,
  KEYCHAIN_FAILURES,
  securityKeyState,
  unlockWithFido2,
} from './hardware/fido2-unlock.ts';
import type { Fido2Interaction, SecurityKeyState } from './hardware/fido2-unlock.ts';
import { OsKeychain, probeKeychain, type Keychain } from './keystore/keychain.ts';
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
  /**
   * The enrolled FIDO2 security keys. `required` is also true while a failed keychain leaves the
   * key as the only way into a keychain folder, and `recovery` is then null.
   */
  securityKey: SecurityKeyState;
}

export interface AppSessionOptions {
  paths: DataPaths;
  log: Logger;
  /** The keychain to use; undefined means the OS keychain, null means none. */
  keychain?: Keychain | null;
  /** The FIDO2 device source; the process default (node-hid) when omitted. */
  fido2Device?: Fido2DeviceSource;
  /** How long unlocking waits for a touch of the security key, in milliseconds. */
  fido2TimeoutMs?: number;
}

export class AppSession {
  #sealpost: Sealpost | null = null;
  #passphraseRequired = false;
  /** The keychain error that left a keychain folder with an enrolled FIDO2 key locked. */
  #keychainFailure: string | null = null;
  /** The reason a new folder needs a passphrase, shown once while the user chooses it. */
  #keychainNotice: string | null = null;
  /** The security key unlock in progress, which a second request joins instead of opening twice. */
  #securityKeyUnlock: Promise<AppSessionStatus> | null = null;

  constructor(private readonly options: AppSessionOptions) {}

  /** Returns the status, opening the folder from the keychain first when that needs no passphrase. */
  async status(): Promise<AppSessionStatus> {
    const securityKey = securityKeyState(this.options.paths);
    // A folder that requires its security key opens only through unlockWithSecurityKey, which
    // shows the touch prompt. Opening it here would wait for a touch without prompting the user.
    if (!this.#sealpost && securityKey.required) this.#passphraseRequired = true;
    if (!this.#sealpost && !this.#passphraseRequired) {
      try {
        await this.#open(null);
      } catch (error) {
        const code = errorCode(error);
        if (code === 'PASSPHRASE_REQUIRED') {
          this.#passphraseRequired = true;
          if (dataFolderState(this.options.paths) === 'new') {
            this.#keychainNotice ??= this.#noKeychainNotice();
          }
        } else if (securityKey.enrolled && KEYCHAIN_FAILURES.has(code)) {
          // The folder has no passphrase, so its enrolled security key is the only way in.
          this.options.log.warn({ code }, 'keychain failed; offering the FIDO2 security key');
          this.#keychainFailure = (error as Error).message;
          this.#passphraseRequired = true;
        } else {
          throw error;
        }
      }
    }
    const state = dataFolderState(this.options.paths);
    const locked = this.#sealpost === null;
    return {
      unlocked: !locked,
      passphraseRequired: this.#passphraseRequired,
      choosingPassphrase: locked && state === 'new',
      notices: [
        ...(this.#sealpost?.notices ?? []),
        ...(locked && this.#keychainFailure ? [this.#keychainFailure] : []),
        ...(locked && state === 'new' && this.#keychainNotice ? [this.#keychainNotice] : []),
      ],
      securityKey:
        locked && this.#keychainFailure
          ? { ...securityKey, required: true, recovery: null }
          : securityKey,
    };
  }

  /** Opens the data folder with `passphrase`, creating its keys on first run. */
  async unlock(passphrase: string): Promise<AppSessionStatus> {
    if (!this.#sealpost) await this.#open(passphrase);
    return this.status();
  }

  /**
   * Opens the data folder with an enrolled FIDO2 security key. `interaction` shows the touch
   * prompt and returns the PIN. A failure raises the FIDO_* or FIDO2_* error with a message for
   * the unlock screen and leaves the session locked.
   */
  async unlockWithSecurityKey(
    interaction: Pick<Fido2Interaction, 'requestPin' | 'onTouchNeeded'>,
  ): Promise<AppSessionStatus> {
    if (this.#sealpost) return this.status();
    this.#securityKeyUnlock ??= this.#unlockWithSecurityKey(interaction).finally(() => {
      this.#securityKeyUnlock = null;
    });
    return this.#securityKeyUnlock;
  }

  async #unlockWithSecurityKey(
    interaction: Pick<Fido2Interaction, 'requestPin' | 'onTouchNeeded'>,
  ): Promise<AppSessionStatus> {
    const timeoutMs = this.options.fido2TimeoutMs ?? FIDO2_TOUCH_TIMEOUT_MS;
    const state = securityKeyState(this.options.paths);
    let unlocked;
    try {
      unlocked = await unlockWithFido2(this.options.paths.keystore, {
        ...interaction,
        ...(this.options.fido2Device === undefined ? {} : { device: this.options.fido2Device }),
        timeoutMs,
      });
    } catch (error) {
      throw describeFido2Failure(error, timeoutMs, state);
    }
    try {
      this.#sealpost = await Sealpost.open(this.options.paths, this.options.log, {
        ...(this.options.keychain === undefined ? {} : { keychain: this.options.keychain }),
        unlocked,
      });
    } catch (error) {
      unlocked.wipe();
      throw error;
    }
    this.#passphraseRequired = dataFolderState(this.options.paths) !== 'keychain';
    this.#keychainFailure = null;
    return this.status();
  }

  /** Closes the data folder and wipes its keys; the next call needs `unlock` again. */
  lock(): void {
    this.#sealpost?.close();
    this.#sealpost = null;
    this.#passphraseRequired = dataFolderState(this.options.paths) !== 'keychain';
    this.#keychainFailure = null;
  }

  /** Returns the security key device and touch timeout of this session, for enrolling a key. */
  fido2Device(): Pick<Fido2Interaction, 'device'> & { timeoutMs: number } {
    return {
      ...(this.options.fido2Device === undefined ? {} : { device: this.options.fido2Device }),
      timeoutMs: this.options.fido2TimeoutMs ?? FIDO2_TOUCH_TIMEOUT_MS,
    };
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
    // The unlock screen already showed why the passphrase is needed, so core adds no second
    // notice about the keychain, as in the CLI.
    const noticeShown = passphrase !== null && this.#keychainNotice !== null;
    this.#sealpost = await Sealpost.open(this.options.paths, this.options.log, {
      ...(this.options.keychain === undefined ? {} : { keychain: this.options.keychain }),
      passphrase,
      ...(noticeShown ? { preferPassphrase: true } : {}),
    });
    this.#passphraseRequired = passphrase !== null;
    this.#keychainNotice = null;
  }

  /** Returns the notice for a new folder without a working keychain, naming the failure. */
  #noKeychainNotice(): string {
    const keychain = this.options.keychain === undefined ? new OsKeychain() : this.options.keychain;
    const failure = keychain === null ? null : probeKeychain(keychain, 'probe');
    return (
      `No OS keychain is available${failure ? ` (${failure.message})` : ''}. Your keys are protected by the Sealpost ` +
      'passphrase instead, which Sealpost will ask for each time it starts.'
    );
  }
}
