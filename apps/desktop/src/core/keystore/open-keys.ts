// Unlocks the keys of a data folder before its database is opened. A folder is in one of three
// states: keys recorded in keystore.json, a scrypt vault from before the keystore, or new.
// A vault is migrated, so its keys move to the keychain when one works.

import { CoreError } from '../errors.ts';
import type { Fido2Interaction } from '../hardware/fido2-unlock.ts';
import type { DataPaths } from '../paths.ts';
import { Vault } from '../vault.ts';
import { OsKeychain } from './keychain.ts';
import type { Keychain } from './keychain.ts';
import { createKeystore, unlockKeystore } from './keystore.ts';
import type { UnlockedKeystore } from './keystore.ts';
import { keystoreFileExists, readKeystoreFile } from './keystore-file.ts';

/** How a caller grants access to the keys of a data folder. */
export interface KeyAccess {
  /** The keychain to use; defaults to the OS keychain, null means none is available. */
  keychain?: Keychain | null;
  /** The Sealpost passphrase, for passphrase-mode folders, scrypt vaults and new folders. */
  passphrase?: string | null;
  /** For a new folder: seal the keys with the passphrase even when the keychain works. */
  preferPassphrase?: boolean;
  /** Keys the caller already unlocked, e.g. with a FIDO2 security key (fido2-unlock.ts). */
  unlocked?: UnlockedKeystore;
  /** Device, PIN prompt and touch prompt for folders with an enrolled FIDO2 security key. */
  fido2?: Fido2Interaction;
}

export type DataFolderState = 'keychain' | 'passphrase' | 'fido2' | 'scrypt-vault' | 'new';

export interface OpenedKeys {
  keystore: UnlockedKeystore;
  /** Set while a scrypt vault is migrated: the old vault and its passphrase. */
  legacy: { vault: Vault; passphrase: string } | null;
  /** True when an existing plaintext database may be encrypted in place. */
  encryptPlaintextDatabase: boolean;
  /** Messages to show the user once, e.g. that the passphrase fallback is in use. */
  notices: string[];
}

/** Reports how the data folder at `paths` is protected, without unlocking anything. */
export function dataFolderState(paths: DataPaths): DataFolderState {
  if (keystoreFileExists(paths.keystore)) {
    const contents = readKeystoreFile(paths.keystore);
    if (contents.migratingFrom === 'scrypt-vault' && Vault.exists(paths.vault)) {
      return 'scrypt-vault';
    }
    return contents.mode;
  }
  return Vault.exists(paths.vault) ? 'scrypt-vault' : 'new';
}

export function openKeys(paths: DataPaths, access: KeyAccess): OpenedKeys {
  const keychain = access.keychain === undefined ? new OsKeychain() : access.keychain;
  const passphrase = access.passphrase ?? null;
  const state = dataFolderState(paths);

  if (state === 'scrypt-vault') {
    if (passphrase === null) {
      throw new CoreError(
        'PASSPHRASE_REQUIRED',
        'This data folder still uses the Sealpost passphrase; enter it once to move its keys to the keychain.',
      );
    }
    // A wrong passphrase fails here, before anything is created or changed.
    const vault = Vault.unlock(paths.vault, passphrase);
    try {
      const keystore = keystoreFileExists(paths.keystore)
        ? unlockKeystore(paths.keystore, { keychain, passphrase })
        : createKeystore(paths.keystore, {
            keychain,
            passphrase,
            preferPassphrase: false,
            migratingFrom: 'scrypt-vault',
          }).keystore;
      return {
        keystore,
        legacy: { vault, passphrase },
        encryptPlaintextDatabase: true,
        notices:
          keystore.mode === 'keychain'
            ? ['Your keys moved to the OS keychain; Sealpost no longer asks for the passphrase.']
            : [],
      };
    } catch (error) {
      vault.lock();
      throw error;
    }
  }

  if (state === 'new') {
    const created = createKeystore(paths.keystore, {
      keychain,
      passphrase,
      preferPassphrase: access.preferPassphrase === true,
    });
    const notices =
      created.keystore.mode === 'passphrase' && created.fallbackReason !== null
        ? [
            `No OS keychain is available (${created.fallbackReason}). Your keys are protected by ` +
              'the Sealpost passphrase instead, which Sealpost will ask for each time it starts.',
          ]
        : [];
    return {
      keystore: created.keystore,
      legacy: null,
      // A database from a version without encryption at rest may already exist.
      encryptPlaintextDatabase: true,
      notices,
    };
  }

  return {
    keystore: access.unlocked ?? unlockKeystore(paths.keystore, { keychain, passphrase }),
    legacy: null,
    encryptPlaintextDatabase: false,
    notices: [],
  };
}
