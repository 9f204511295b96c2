// Unlocked algorithm-35 secret subkeys, kept beside the UnlockedKey handle that openpgp.js
// backs, because openpgp.js 6.3 drops these subkeys when it reads a secret key. The handle
// owns the secret material (secret-key.ts) and zeroes it when its clear() runs. JavaScript
// cannot promise that no copy survives, as for the other secret keys.
import { readPrivateKey } from 'openpgp';
import { openpgpConfig } from '../config.ts';
import { CryptoError, describeError } from '../errors.ts';
import { type OpenPgpData } from '../input.ts';
import {
  UnlockedKey,
  attachPostQuantumState,
  openUnprotectedSecretKey,
  postQuantumStateOf,
  unlockSecretKey,
  type SecretKeyInput,
} from '../secret-key.ts';
import {
  wipeSecretMaterial,
  type MlkemX25519PublicKey,
  type MlkemX25519SecretMaterial,
} from './mlkem-x25519-key.ts';
import { readKeyBlockPackets } from './pq-certificate.ts';
import { unlockBlockSubkeys } from './pq-secret-key-packets.ts';
import type { KeyBlockPackets } from './subkey-packets.ts';

/** One decrypted algorithm-35 secret subkey of a secret key. */
export interface UnlockedPostQuantumSubkey {
  primaryFingerprint: string;
  fingerprint: string;
  publicKey: MlkemX25519PublicKey;
  secret: MlkemX25519SecretMaterial;
}

/** The packets and decrypted PQ subkeys of one secret key. */
export interface PostQuantumKeyState {
  block: KeyBlockPackets | null;
  subkeys: UnlockedPostQuantumSubkey[];
}

/**
 * Decrypts a protected secret key like unlockSecretKey, including its algorithm-35 secret
 * subkeys. Throws INVALID_PASSPHRASE for a wrong passphrase.
 */
export async function unlockSecretKeyWithPostQuantum(
  secretKey: OpenPgpData,
  passphrase: string,
): Promise<UnlockedKey> {
  return withPostQuantumState(await unlockSecretKey(secretKey, passphrase), secretKey, passphrase);
}

/**
 * Opens an unprotected secret key like openUnprotectedSecretKey, including its algorithm-35
 * secret subkeys. Throws INVALID_PASSPHRASE when any part of the key is protected.
 */
export async function openUnprotectedSecretKeyWithPostQuantum(
  secretKey: OpenPgpData,
): Promise<UnlockedKey> {
  return withPostQuantumState(await openUnprotectedSecretKey(secretKey), secretKey, null);
}

async function withPostQuantumState(
  unlocked: UnlockedKey,
  secretKey: OpenPgpData,
  passphrase: string | null,
): Promise<UnlockedKey> {
  try {
    const state = await unlockPostQuantumSubkeys(secretKey, passphrase, unlocked.fingerprint);
    attachPostQuantumState(unlocked, state);
  } catch (error) {
    unlocked.clear();
    throw error;
  }
  return unlocked;
}

/**
 * Decrypts the algorithm-35 secret subkeys of the key with the given primary fingerprint;
 * passphrase null reads unprotected subkeys only.
 */
export async function unlockPostQuantumSubkeys(
  secretKey: OpenPgpData,
  passphrase: string | null,
  primaryFingerprint: string,
): Promise<PostQuantumKeyState> {
  const blocks = await readKeyBlockPackets(secretKey, 'Secret key');
  const block =
    blocks.find((candidate) => candidate.primaryFingerprint === primaryFingerprint) ?? null;
  const subkeys = await unlockBlockSubkeys(block, passphrase, primaryFingerprint);
  return { block, subkeys };
}

/**
 * Returns the PQ state of each secret key input and a function that wipes what was unlocked
 * here. UnlockedKey handles keep their state; { secretKey, passphrase } inputs are unlocked
 * for this call only.
 */
export async function postQuantumStatesOf(
  inputs: readonly SecretKeyInput[],
): Promise<{ states: PostQuantumKeyState[]; wipe: () => void }> {
  const temporary: PostQuantumKeyState[] = [];
  const wipe = (): void => {
    for (const state of temporary)
      state.subkeys.forEach((subkey) => wipeSecretMaterial(subkey.secret));
  };
  const states: PostQuantumKeyState[] = [];
  try {
    for (const input of inputs) {
      if (input instanceof UnlockedKey) {
        if (input.isCleared) {
          throw new CryptoError(
            'KEY_CLEARED',
            `The unlocked key ${input.fingerprint} was cleared; unlock it again.`,
          );
        }
        states.push(postQuantumStateOf(input) ?? { block: null, subkeys: [] });
        continue;
      }
      if (
        typeof input !== 'object' ||
        input === null ||
        !('secretKey' in input) ||
        !('passphrase' in input)
      ) {
        continue; // withPrivateKeys rejects this input with its position.
      }
      const fingerprint = await primaryFingerprintOf(input.secretKey);
      const state = await unlockPostQuantumSubkeys(input.secretKey, input.passphrase, fingerprint);
      temporary.push(state);
      states.push(state);
    }
  } catch (error) {
    wipe();
    throw error;
  }
  return { states, wipe };
}

async function primaryFingerprintOf(secretKey: string): Promise<string> {
  try {
    const key = await readPrivateKey({ armoredKey: secretKey, config: openpgpConfig });
    return key.getFingerprint();
  } catch (error) {
    throw new CryptoError(
      'KEY_MALFORMED',
      `Secret key could not be read (${describeError(error)}).`,
      {
        cause: error,
      },
    );
  }
}

/** Returns the key block packets of each secret key input without decrypting anything. */
export async function postQuantumBlocksOf(
  inputs: readonly SecretKeyInput[],
): Promise<KeyBlockPackets[]> {
  const blocks: KeyBlockPackets[] = [];
  for (const input of inputs) {
    if (input instanceof UnlockedKey) {
      const block = postQuantumStateOf(input)?.block;
      if (block) blocks.push(block);
    } else if (typeof input === 'object' && input !== null && 'secretKey' in input) {
      blocks.push(...(await readKeyBlockPackets(input.secretKey, 'signingKey')));
    }
  }
  return blocks;
}
