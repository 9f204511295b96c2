// Finishes the move of a data folder from the scrypt passphrase vault to the keystore: the
// OpenPGP secret keys are re-protected with the KEK-derived passphrase and the account
// passwords are sealed again under the KEK-derived vault, all in one database transaction.
// Each step recognises rows already moved, so an interrupted migration resumes safely.

import { rmSync } from 'node:fs';
import type { Store } from '@sealpost/storage';
import { protectSecretKey, unlockSecretKey } from '@sealpost/crypto-core';
import type { Vault } from '../vault.ts';
import { finishKeystoreMigration } from './keystore.ts';

// The purpose string AccountService binds to a sealed account password.
const ACCOUNT_PASSWORD_PURPOSE = 'account-password';

export interface LegacyMigrationInput {
  store: Store;
  legacyVault: Vault;
  legacyPassphrase: string;
  vault: Vault;
  openpgpPassphrase: string;
  vaultFile: string;
  keystoreFile: string;
}

/** Moves every secret to the new keys, then deletes the vault file. Returns the counts moved. */
export async function migrateLegacySecrets(
  input: LegacyMigrationInput,
): Promise<{ secretKeys: number; accountPasswords: number }> {
  const secretKeyUpdates: { fingerprint: string; secretKey: string }[] = [];
  for (const identity of input.store.identities.list()) {
    if (await opensWith(identity.secretKey, input.openpgpPassphrase)) continue;
    secretKeyUpdates.push({
      fingerprint: identity.fingerprint,
      secretKey: await protectSecretKey(
        identity.secretKey,
        input.openpgpPassphrase,
        input.legacyPassphrase,
      ),
    });
  }

  const passwordUpdates: { id: number; sealedPassword: Buffer }[] = [];
  for (const account of input.store.accounts.list()) {
    if (opensWithVault(input.vault, account.sealedPassword)) continue;
    const password = input.legacyVault.unseal(account.sealedPassword, ACCOUNT_PASSWORD_PURPOSE);
    passwordUpdates.push({
      id: account.id,
      sealedPassword: input.vault.seal(password, ACCOUNT_PASSWORD_PURPOSE),
    });
    password.fill(0);
  }

  input.store.transaction('move secrets from the scrypt vault to the keystore', () => {
    input.store.identityKeys.updateAll(secretKeyUpdates);
    for (const update of passwordUpdates) {
      input.store.accounts.updateSealedPassword(update.id, update.sealedPassword);
    }
  });

  rmSync(input.vaultFile, { force: true });
  finishKeystoreMigration(input.keystoreFile);
  input.legacyVault.lock();
  return { secretKeys: secretKeyUpdates.length, accountPasswords: passwordUpdates.length };
}

async function opensWith(secretKey: string, passphrase: string): Promise<boolean> {
  try {
    (await unlockSecretKey(secretKey, passphrase)).clear();
    return true;
  } catch {
    return false;
  }
}

function opensWithVault(vault: Vault, sealed: Uint8Array): boolean {
  try {
    vault.unseal(sealed, ACCOUNT_PASSWORD_PURPOSE).fill(0);
    return true;
  } catch {
    return false;
  }
}
