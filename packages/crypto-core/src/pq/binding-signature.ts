// Subkey binding signatures (type 0x18) and subkey revocations (type 0x28) for algorithm-35
// subkeys (RFC 9580 sections 5.2.1 and 5.2.4), made and checked by openpgp.js's
// SignaturePacket with the primary key. openpgp.js hashes the subkey through its
// writeForHash method, which is given here for a key packet openpgp.js cannot parse itself.
import { SignaturePacket, enums, type PublicKeyPacket, type SecretKeyPacket } from 'openpgp';
import { openpgpFullConfig } from '../config.ts';
import { CryptoError, describeError } from '../errors.ts';
import { keyPacketForHash, type MlkemX25519PublicKey } from './mlkem-x25519-key.ts';

export const signatureTag = 2;

/** The outcome of checking the binding of one algorithm-35 subkey at a date. */
export type BindingStatus =
  { valid: true; expires: Date | null } | { valid: false; reason: string };

/** Key flags 0x04 and 0x08: encrypt communications and encrypt storage. */
const encryptionFlags = enums.keyFlags.encryptCommunication | enums.keyFlags.encryptStorage;

/** Creates the subkey binding signature body for an algorithm-35 subkey. */
export async function createBindingSignature(
  primaryKey: SecretKeyPacket,
  subkey: MlkemX25519PublicKey,
  date: Date,
  keyExpirationTime: number,
): Promise<Uint8Array> {
  const signature = new SignaturePacket();
  signature.signatureType = enums.signature.subkeyBinding;
  signature.publicKeyAlgorithm = primaryKey.algorithm;
  signature.hashAlgorithm = enums.hash.sha512;
  signature.keyFlags = Uint8Array.of(encryptionFlags);
  if (keyExpirationTime > 0) {
    signature.keyExpirationTime = keyExpirationTime;
    signature.keyNeverExpires = false;
  }
  try {
    await (signature as unknown as SigningPacket).sign(
      primaryKey,
      bindData(primaryKey, subkey),
      date,
      false,
      openpgpFullConfig,
    );
  } catch (error) {
    throw new CryptoError(
      'SIGN_FAILED',
      `The binding signature for the ML-KEM-768+X25519 subkey could not be made (${describeError(error)}).`,
      { cause: error },
    );
  }
  return signature.write();
}

/**
 * Checks the signatures that follow an algorithm-35 subkey: at least one valid binding
 * signature with encryption key flags, no valid revocation, and the subkey not expired at the
 * date. Returns the reason when the subkey must not be used.
 */
export async function checkBinding(
  primaryKey: PublicKeyPacket,
  subkey: MlkemX25519PublicKey,
  signatureBodies: readonly Uint8Array[],
  date: Date,
): Promise<BindingStatus> {
  const data = bindData(primaryKey, subkey);
  let latestBinding: SignaturePacket | null = null;
  const failures: string[] = [];

  for (const body of signatureBodies) {
    const signature = new SignaturePacket();
    try {
      (signature as unknown as { read(bytes: Uint8Array, config: unknown): void }).read(
        body,
        openpgpFullConfig,
      );
    } catch (error) {
      failures.push(`unreadable signature (${describeError(error)})`);
      continue;
    }
    const type = signature.signatureType;
    if (type !== enums.signature.subkeyBinding && type !== enums.signature.subkeyRevocation) {
      failures.push(`signature type ${String(type)} is not a subkey binding`);
      continue;
    }
    try {
      await signature.verify(primaryKey, type, data, date, false, openpgpFullConfig);
    } catch (error) {
      failures.push(describeError(error));
      continue;
    }
    if (type === enums.signature.subkeyRevocation) {
      return { valid: false, reason: 'the subkey is revoked' };
    }
    if (!latestBinding || (signature.created ?? 0) > (latestBinding.created ?? 0)) {
      latestBinding = signature;
    }
  }

  if (!latestBinding) {
    const detail = failures.length > 0 ? failures.join('; ') : 'none present';
    return { valid: false, reason: `no valid binding signature by the primary key (${detail})` };
  }
  const flags = latestBinding.keyFlags?.[0] ?? 0;
  if ((flags & encryptionFlags) === 0) {
    return { valid: false, reason: 'the binding signature does not allow encryption (key flags)' };
  }
  let expires: Date | null = null;
  if (latestBinding.keyNeverExpires === false && latestBinding.keyExpirationTime) {
    expires = new Date(subkey.created.getTime() + latestBinding.keyExpirationTime * 1000);
    if (expires <= date)
      return { valid: false, reason: `the subkey expired on ${expires.toISOString()}` };
  }
  if (subkey.created > date) {
    return { valid: false, reason: 'the subkey creation time is in the future' };
  }
  return { valid: true, expires };
}

/** SignaturePacket.sign as openpgp.js 6.3 implements it; its type declaration omits config. */
interface SigningPacket {
  sign(
    key: SecretKeyPacket,
    data: never,
    date: Date,
    detached: boolean,
    config: unknown,
  ): Promise<void>;
}

/** The signed data: the primary key packet and the subkey packet, as openpgp.js hashes them. */
function bindData(
  primaryKey: PublicKeyPacket | SecretKeyPacket,
  subkey: MlkemX25519PublicKey,
): never {
  return {
    key: primaryKey,
    bind: { writeForHash: (version: number) => keyPacketForHash(version, subkey.packetBody) },
  } as never;
}
