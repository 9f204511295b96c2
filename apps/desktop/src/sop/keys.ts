// Certificates and secret keys for sealpost-sop: CERTS and KEYS arguments (each may contain
// several keys), unlocking with --with-key-password, and the "generate-key" and
// "extract-cert" subcommands. The "pq" profile adds an ML-KEM-768+X25519 (RFC 9980 algorithm
// 35) encryption subkey beside the Curve25519 one; "compat" makes a classical v4 certificate.
import { randomBytes } from 'node:crypto';
import {
  certificateToBinary,
  exportUnprotectedSecretKey,
  generateIdentity,
  openUnprotectedSecretKey,
  readCertificate,
  readKeys,
  unlockSecretKey,
  type UnlockedKey,
} from '@sealpost/crypto-core';
import { outputOf } from './armoring.ts';
import { SopError, toSopError } from './errors.ts';
import { readIndirect, type SopContext } from './io.ts';

/** The generate-key profiles; the first is the default. */
export const generateKeyProfiles = [
  {
    name: 'pq',
    description:
      'v4 Ed25519 primary key, Curve25519 and ML-KEM-768+X25519 (RFC 9980) encryption subkeys',
  },
  { name: 'compat', description: 'v4 Ed25519 primary key and a Curve25519 encryption subkey' },
] as const;

/** Reads CERTS arguments and returns one armored certificate per key they contain. */
export async function loadCertificates(
  context: SopContext,
  designators: readonly string[],
): Promise<string[]> {
  const certificates: string[] = [];
  for (const designator of designators) {
    const blocks = await splitKeys(readIndirect(context, designator, 'Certificate'), designator);
    for (const block of blocks) {
      if (block.isSecret) {
        throw new SopError(
          'BAD_DATA',
          `${designator} contains secret key ${block.fingerprint}; pass its certificate (sop extract-cert).`,
        );
      }
      certificates.push(block.armored);
    }
  }
  return certificates;
}

/**
 * Reads KEYS arguments and unlocks every secret key they contain: unprotected keys as they
 * are, protected keys with the first --with-key-password that fits, tried as given and with
 * trailing white space removed. The caller must clear() the returned keys.
 */
export async function loadSecretKeys(
  context: SopContext,
  designators: readonly string[],
  passwords: readonly string[],
): Promise<UnlockedKey[]> {
  const keys: UnlockedKey[] = [];
  try {
    for (const designator of designators) {
      const blocks = await splitKeys(readIndirect(context, designator, 'Secret key'), designator);
      for (const block of blocks) {
        if (!block.isSecret) {
          throw new SopError(
            'BAD_DATA',
            `${designator} contains certificate ${block.fingerprint} without secret key material; pass a secret key.`,
          );
        }
        keys.push(await unlockKey(block.armored, block.fingerprint, passwords));
      }
    }
  } catch (error) {
    keys.forEach((key) => key.clear());
    throw error;
  }
  return keys;
}

/** "generate-key": a new identity for one User ID with a mail address. */
export async function generateKeyCommand(options: {
  userIds: readonly string[];
  profile: string | undefined;
  password: string | undefined;
  noArmor: boolean;
}): Promise<Uint8Array> {
  const profile = options.profile ?? 'pq';
  if (!generateKeyProfiles.some((known) => known.name === profile)) {
    throw new SopError(
      'UNSUPPORTED_PROFILE',
      `generate-key has no profile "${profile}"; run "sealpost-sop list-profiles generate-key".`,
    );
  }
  if (options.userIds.length !== 1) {
    throw new SopError(
      options.userIds.length === 0 ? 'MISSING_ARG' : 'UNSUPPORTED_OPTION',
      `generate-key needs exactly one User ID, such as "Alice <alice@example.org>", got ${options.userIds.length}.`,
    );
  }
  const { name, address } = splitUserId(options.userIds[0] as string);
  // Trailing white space, such as a password file's final newline, never becomes part of it.
  const password = options.password?.trimEnd();
  if (password === '') {
    throw new SopError(
      'BAD_DATA',
      'The --with-key-password file is empty; put the password in it.',
    );
  }
  // Keys without --with-key-password are written unprotected, as the SOP draft requires, so
  // this random passphrase only protects the key during this call.
  const passphrase = password ?? randomBytes(24).toString('base64');
  const identity = await generateIdentity({
    address,
    ...(name ? { name } : {}),
    passphrase,
    postQuantum: profile === 'pq',
  });
  if (options.password !== undefined) return outputOf(identity.secretKey, options.noArmor);

  const unlocked = await unlockSecretKey(identity.secretKey, passphrase);
  try {
    return await outputOf(exportUnprotectedSecretKey(unlocked), options.noArmor);
  } finally {
    unlocked.clear();
  }
}

/** "extract-cert": the certificate of each secret key on standard input. */
export async function extractCertCommand(input: Uint8Array, noArmor: boolean): Promise<Uint8Array> {
  const blocks = await splitKeys(input, 'Standard input');
  const parts: Uint8Array[] = [];
  for (const block of blocks) {
    if (noArmor) {
      parts.push(await certificateToBinary(block.armored));
    } else {
      parts.push(new TextEncoder().encode((await readCertificate(block.armored)).armored));
    }
  }
  return Buffer.concat(parts);
}

async function splitKeys(data: Uint8Array, designator: string) {
  try {
    return await readKeys(data);
  } catch (error) {
    const sopError = toSopError(error);
    if (sopError) {
      throw new SopError(sopError.code, `${designator}: ${sopError.message}`, { cause: error });
    }
    throw error;
  }
}

async function unlockKey(
  armored: string,
  fingerprint: string,
  passwords: readonly string[],
): Promise<UnlockedKey> {
  try {
    return await openUnprotectedSecretKey(armored);
  } catch (error) {
    if (toSopError(error)?.code !== 'KEY_IS_PROTECTED') throw error;
  }
  const candidates = [...new Set(passwords.flatMap((password) => [password, password.trimEnd()]))];
  for (const candidate of candidates.filter((password) => password !== '')) {
    try {
      return await unlockSecretKey(armored, candidate);
    } catch (error) {
      if (toSopError(error)?.code !== 'KEY_IS_PROTECTED') throw error;
    }
  }
  throw new SopError(
    'KEY_IS_PROTECTED',
    passwords.length === 0
      ? `Secret key ${fingerprint} is password-protected; pass --with-key-password.`
      : `No --with-key-password unlocks secret key ${fingerprint}; check the password.`,
  );
}

/** Splits "Name <address>" or a bare address; crypto-core identities need a mail address. */
function splitUserId(userId: string): { name: string | undefined; address: string } {
  const bracketed = /^(.*?)\s*<([^<>\s]+@[^<>\s]+)>\s*$/.exec(userId);
  if (bracketed)
    return { name: bracketed[1]?.trim() || undefined, address: bracketed[2] as string };
  if (/^[^<>\s]+@[^<>\s]+$/.test(userId.trim())) return { name: undefined, address: userId.trim() };
  throw new SopError(
    'BAD_DATA',
    `The User ID "${userId}" has no mail address; Sealpost keys need one, such as "Alice <alice@example.org>".`,
  );
}
