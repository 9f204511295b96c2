// Decryption and verification of OpenPGP messages (RFC 9580 sections 5.1 and 5.13), as
// PGP/MIME (RFC 3156) and inline PGP carry them. Fails closed: plaintext is returned only
// after the whole message was decrypted and its MDC or AEAD tag checked. A SED packet
// (tag 9, no integrity protection) or any modification yields DECRYPT_FAILED and no data.
import {
  Message,
  PacketList,
  PublicKeyEncryptedSessionKeyPacket,
  SymEncryptedIntegrityProtectedDataPacket,
  AEADEncryptedDataPacket,
  SymmetricallyEncryptedDataPacket,
  decrypt,
  decryptSessionKeys,
  readMessage,
  type AnyPacket,
  type DecryptedSessionKey,
  type KeyID,
  type PrivateKey,
  type SessionKey,
  type Subkey,
} from 'openpgp';
import { requireAddress } from './address.ts';
import { parseCertificateList } from './certificate.ts';
import { maxDecompressedMessageBytes, openpgpConfig, openpgpFullConfig } from './config.ts';
import { CryptoError, describeError } from './errors.ts';
import {
  decodeOpenPgpData,
  optionalDate,
  rejectUnknownOptions,
  requireArray,
  requireOptions,
  type OpenPgpData,
} from './input.ts';
import { decryptPostQuantumSessionKey } from './pq/pq-decrypt.ts';
import { postQuantumStatesOf, type PostQuantumKeyState } from './pq/pq-secret-key.ts';
import { withPrivateKeys, type SecretKeyInput } from './secret-key.ts';
import {
  evaluateSignatures,
  type OpenPgpVerification,
  type SignatureResult,
} from './signature-status.ts';

export interface DecryptAndVerifyOptions {
  /** Armored message (surrounding text, as in inline PGP, is ignored) or binary packets. */
  message: OpenPgpData;
  decryptionKeys: SecretKeyInput[];
  /** Certificates to verify signatures with; signatures by other keys are `unknown-key`. */
  verificationCertificates: Array<string | Uint8Array>;
  /** The From address, matched against the signer's User IDs. */
  expectedSignerAddress?: string;
  /** Verification time; defaults to now. */
  date?: Date;
  /**
   * Maximum size of decompressed data in bytes (default 256 MiB), so a small compressed message
   * (a compression bomb) cannot exhaust memory. Exceeding it raises MESSAGE_TOO_LARGE.
   */
  maxDecompressedBytes?: number;
}

export interface DecryptedWith {
  /** Fingerprint of the key packet whose secret decrypted the session key (usually a subkey). */
  subkeyFingerprint: string;
  primaryFingerprint: string;
  /** True when an ML-KEM-768+X25519 (algorithm 35) subkey decrypted the session key. */
  postQuantum: boolean;
}

export interface DecryptionResult {
  data: Uint8Array;
  decryptedWith: DecryptedWith;
  /** One entry per signature in the message; empty when the message is not signed. */
  signatures: SignatureResult[];
}

const knownOptions = [
  'message',
  'decryptionKeys',
  'verificationCertificates',
  'expectedSignerAddress',
  'date',
  'maxDecompressedBytes',
] as const;

/** Decrypts a message with one of the decryption keys and verifies its signatures. */
export async function decryptAndVerify(
  options: DecryptAndVerifyOptions,
): Promise<DecryptionResult> {
  requireOptions(options, 'decryptAndVerify');
  rejectUnknownOptions(options, knownOptions, 'decryptAndVerify');
  const decryptionKeys = requireArray(options.decryptionKeys, 'decryptionKeys') as SecretKeyInput[];
  const certificates = await parseCertificateList(
    requireArray(options.verificationCertificates, 'verificationCertificates'),
    'verificationCertificates',
  );
  const expectedSignerAddress =
    options.expectedSignerAddress === undefined
      ? undefined
      : requireAddress(options.expectedSignerAddress, 'expectedSignerAddress');
  const date = optionalDate(options.date, 'date');
  const maxDecompressedBytes = optionalByteLimit(options.maxDecompressedBytes);
  const message = await readEncryptedMessage(options.message);

  // openpgp.js drops algorithm-35 subkeys, so their secrets are unlocked beside it.
  const postQuantum = await postQuantumStatesOf(decryptionKeys);
  try {
    return await withPrivateKeys(decryptionKeys, 'decryptionKeys', (privateKeys) =>
      decryptWithKeys(message, privateKeys, postQuantum.states, {
        certificates,
        date,
        expectedSignerAddress,
        maxDecompressedBytes,
      }),
    );
  } finally {
    postQuantum.wipe();
  }
}

async function decryptWithKeys(
  message: Message<Uint8Array | string>,
  privateKeys: PrivateKey[],
  postQuantumStates: readonly PostQuantumKeyState[],
  verification: {
    certificates: Awaited<ReturnType<typeof parseCertificateList>>;
    date: Date;
    expectedSignerAddress: string | undefined;
    maxDecompressedBytes: number;
  },
): Promise<DecryptionResult> {
  const { certificates, date, expectedSignerAddress, maxDecompressedBytes } = verification;
  const { sessionKey, decryptedWith } = await findSessionKey(
    message,
    privateKeys,
    postQuantumStates,
  );
  try {
    const { data, signatures } = await decryptWithKnownSessionKey(
      message,
      sessionKey as SessionKey,
      { certificates, date, expectedSignerAddress, maxDecompressedBytes },
    );
    return { data, decryptedWith, signatures };
  } finally {
    sessionKey.data.fill(0);
  }
}

/**
 * Decrypts `message` with a session key that is already known (found here, or unwrapped by an
 * OpenPGP card) and evaluates the signatures inside it. The caller wipes the session key.
 */
export async function decryptWithKnownSessionKey(
  message: Message<Uint8Array | string>,
  sessionKey: SessionKey,
  verification: {
    certificates: Awaited<ReturnType<typeof parseCertificateList>>;
    date: Date;
    expectedSignerAddress: string | undefined;
    maxDecompressedBytes: number;
  },
): Promise<{ data: Uint8Array; signatures: DecryptionResult['signatures'] }> {
  const { certificates, date, expectedSignerAddress, maxDecompressedBytes } = verification;
  let result;
  try {
    result = await decrypt({
      message,
      sessionKeys: [sessionKey],
      verificationKeys: certificates,
      expectSigned: false,
      format: 'binary',
      date,
      config: { ...openpgpConfig, maxDecompressedMessageSize: maxDecompressedBytes },
    });
  } catch (error) {
    throw decryptFailed(error);
  }
  if (!(result.data instanceof Uint8Array)) {
    throw new CryptoError(
      'DECRYPT_FAILED',
      'Decryption returned a stream; crypto-core only accepts complete messages.',
    );
  }

  const signatures = await evaluateSignatures(
    result.signatures as unknown as OpenPgpVerification[],
    { certificates, date, expectedSignerAddress },
  );
  return { data: result.data, signatures };
}

/** Reads an armored or binary OpenPGP message and rejects one without integrity protection. */
export async function readEncryptedMessage(
  data: OpenPgpData,
): Promise<Message<Uint8Array | string>> {
  const decoded = decodeOpenPgpData(data, 'message');
  let message: Message<Uint8Array | string>;
  try {
    message =
      'armored' in decoded
        ? await readMessage({ armoredMessage: decoded.armored, config: openpgpConfig })
        : await readMessage({ binaryMessage: decoded.binary, config: openpgpConfig });
  } catch (error) {
    throw decryptFailed(error);
  }
  rejectSymmetricallyEncryptedData(message);
  return message;
}

/**
 * Raises DECRYPT_FAILED when the message has no encrypted data packet or uses a Symmetrically
 * Encrypted Data packet (tag 9), which has no integrity protection.
 */
export function rejectSymmetricallyEncryptedData(message: {
  packets: ArrayLike<unknown> & Iterable<unknown>;
}): void {
  const encrypted = Array.from(message.packets).filter(
    (packet) =>
      packet instanceof SymEncryptedIntegrityProtectedDataPacket ||
      packet instanceof AEADEncryptedDataPacket ||
      packet instanceof SymmetricallyEncryptedDataPacket,
  );
  if (encrypted.length === 0) {
    throw new CryptoError(
      'DECRYPT_FAILED',
      'The message contains no encrypted data packet; verify signed-only messages with verifyMessage.',
    );
  }
  if (encrypted.some((packet) => packet instanceof SymmetricallyEncryptedDataPacket)) {
    // Checked here as well as by openpgp.js (allowUnauthenticatedMessages is false), so a
    // configuration mistake cannot turn this into plaintext: SED has no integrity check and
    // is the vehicle of EFAIL-style ciphertext modification.
    throw new CryptoError(
      'DECRYPT_FAILED',
      'The message uses a Symmetrically Encrypted Data packet (tag 9) without integrity protection; ' +
        'it is rejected because it may have been modified. Ask the sender to use a current OpenPGP client.',
    );
  }
}

/**
 * Finds which of the caller's keys decrypts a PKESK packet and returns the session key with
 * the exact (sub)key that decrypted it. Each candidate is tried on its own copy of the packet,
 * so an anonymous recipient (key ID 0) is still attributed to one key.
 */
export async function findSessionKey(
  message: Message<Uint8Array | string>,
  privateKeys: PrivateKey[],
  postQuantumStates: readonly PostQuantumKeyState[],
): Promise<{ sessionKey: DecryptedSessionKey; decryptedWith: DecryptedWith }> {
  const postQuantum = decryptPostQuantumSessionKey(message, postQuantumStates);
  if (postQuantum.found) {
    const { sessionKey, subkey } = postQuantum.found;
    return {
      sessionKey,
      decryptedWith: {
        subkeyFingerprint: subkey.fingerprint,
        primaryFingerprint: subkey.primaryFingerprint,
        postQuantum: true,
      },
    };
  }

  const pkesks = message.packets.filter(
    (packet): packet is PublicKeyEncryptedSessionKeyPacket =>
      packet instanceof PublicKeyEncryptedSessionKeyPacket,
  );
  if (pkesks.length === 0 && postQuantum.failures.length > 0) {
    throw new CryptoError(
      'DECRYPT_FAILED',
      `No session key could be decrypted (${postQuantum.failures.join('; ')}).`,
    );
  }
  if (pkesks.length === 0 && postQuantum.recipients.length === 0) {
    throw new CryptoError(
      'KEY_NOT_FOUND',
      'The message is not encrypted to any public key (it may be encrypted to a password only), so no secret key can decrypt it.',
    );
  }

  const failures: string[] = [...postQuantum.failures];
  let candidateCount = postQuantum.attempts;
  for (const pkesk of pkesks) {
    for (const privateKey of privateKeys) {
      for (const candidate of await decryptionCandidates(privateKey, pkesk)) {
        candidateCount += 1;
        try {
          const packets = new PacketList<AnyPacket>();
          packets.push(copyPkesk(pkesk, candidate));
          const [sessionKey] = await decryptSessionKeys({
            message: new Message(packets),
            decryptionKeys: privateKey,
            config: openpgpConfig,
          });
          if (sessionKey) {
            return {
              sessionKey,
              decryptedWith: {
                subkeyFingerprint: candidate.getFingerprint(),
                primaryFingerprint: privateKey.getFingerprint(),
                postQuantum: false,
              },
            };
          }
        } catch (error) {
          failures.push(`${candidate.getFingerprint()}: ${describeError(error)}`);
        }
      }
    }
  }

  if (candidateCount === 0 && failures.length === 0) {
    const keyIds = [
      ...pkesks.map((pkesk) => recipientKeyId(pkesk).toHex()),
      ...postQuantum.recipients,
    ].join(', ');
    throw new CryptoError(
      'KEY_NOT_FOUND',
      `The message is encrypted to key IDs ${keyIds}, and none of the ${privateKeys.length} decryption keys has one of them. ` +
        'Import the secret key for one of these key IDs.',
    );
  }
  throw new CryptoError(
    'DECRYPT_FAILED',
    `No session key could be decrypted (${failures.join('; ')}).`,
  );
}

/** Lists the caller's (sub)keys that may decrypt the PKESK. Expired keys count, for old mail. */
async function decryptionCandidates(
  privateKey: PrivateKey,
  pkesk: PublicKeyEncryptedSessionKeyPacket,
): Promise<Array<PrivateKey | Subkey>> {
  try {
    return await privateKey.getDecryptionKeys(
      recipientKeyId(pkesk),
      null,
      undefined,
      openpgpFullConfig,
    );
  } catch {
    return [];
  }
}

/** Copies a PKESK packet and addresses the copy to one candidate key. */
function copyPkesk(
  pkesk: PublicKeyEncryptedSessionKeyPacket,
  candidate: PrivateKey | Subkey,
): PublicKeyEncryptedSessionKeyPacket {
  const copy = new PublicKeyEncryptedSessionKeyPacket();
  copy.read(pkesk.write());
  (copy as unknown as { publicKeyID: KeyID }).publicKeyID = candidate.getKeyID();
  return copy;
}

/** Returns the recipient key ID of a PKESK packet, all zeros for an anonymous recipient. */
function recipientKeyId(pkesk: PublicKeyEncryptedSessionKeyPacket): KeyID {
  return (pkesk as unknown as { publicKeyID: KeyID }).publicKeyID;
}

/** Validates the decompression limit option; the default is the library-wide cap. */
export function optionalByteLimit(value: unknown): number {
  if (value === undefined) return maxDecompressedMessageBytes;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) {
    throw new CryptoError(
      'INVALID_ARGUMENT',
      `maxDecompressedBytes must be a positive integer number of bytes, got ${JSON.stringify(value)}.`,
    );
  }
  return value;
}

/** Maps an openpgp.js decryption error to DECRYPT_FAILED, or MESSAGE_TOO_LARGE for a bomb. */
export function decryptFailed(error: unknown): CryptoError {
  if (/maximum decompressed (message )?size exceeded/i.test(describeError(error))) {
    return new CryptoError(
      'MESSAGE_TOO_LARGE',
      'The message decompresses to more than the allowed size (a compression bomb or an oversized message); ' +
        'no part of it is shown. Raise maxDecompressedBytes only for a sender you trust.',
      { cause: error },
    );
  }
  return new CryptoError(
    'DECRYPT_FAILED',
    `The message could not be decrypted and authenticated (${describeError(error)}). ` +
      'It may have been modified in transit; no part of it is shown. Ask the sender to send it again.',
    { cause: error },
  );
}
