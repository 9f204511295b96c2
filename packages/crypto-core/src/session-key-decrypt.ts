// Decryption of an OpenPGP message with a session key recovered elsewhere, for example one
// unwrapped with the ECDH result of an OpenPGP card, and verification of the signatures inside
// it (one-pass signed messages, RFC 9580 sections 5.4 and 10.3). Fails closed like
// decryptAndVerify: data is returned only after the MDC or AEAD check of the whole message.
// The caller owns the session key and must wipe it.
import { enums, type SessionKey } from 'openpgp';
import { requireAddress } from './address.ts';
import { parseCertificateList } from './certificate.ts';
import { decryptWithKnownSessionKey, optionalByteLimit, readEncryptedMessage } from './decrypt.ts';
import { CryptoError } from './errors.ts';
import {
  optionalDate,
  rejectUnknownOptions,
  requireArray,
  requireBytes,
  requireOptions,
  type OpenPgpData,
} from './input.ts';
import type { SignatureResult } from './signature-status.ts';

/** A session key as a PKESK packet carries it (RFC 9580 section 5.1). */
export interface RecoveredSessionKey {
  /** Symmetric algorithm ID of RFC 9580 section 9.3, e.g. 9 for AES-256. */
  algorithm: number;
  data: Uint8Array;
}

export interface SessionKeyDecryptOptions {
  /** Armored or binary message whose encrypted data packet the session key opens. */
  message: OpenPgpData;
  sessionKey: RecoveredSessionKey;
  /** Certificates to verify signatures with; signatures by other keys are `unknown-key`. */
  verificationCertificates: Array<string | Uint8Array>;
  /** The From address, matched against the signer's User IDs. */
  expectedSignerAddress?: string;
  /** Verification time; defaults to now. */
  date?: Date;
  /** Maximum size of decompressed data in bytes, as in decryptAndVerify. */
  maxDecompressedBytes?: number;
}

export interface SessionKeyDecryptionResult {
  data: Uint8Array;
  /** One entry per signature in the message; empty when the message is not signed. */
  signatures: SignatureResult[];
}

const knownOptions = [
  'message',
  'sessionKey',
  'verificationCertificates',
  'expectedSignerAddress',
  'date',
  'maxDecompressedBytes',
] as const;

/** Decrypts `message` with a recovered session key and verifies the signatures inside it. */
export async function decryptWithSessionKey(
  options: SessionKeyDecryptOptions,
): Promise<SessionKeyDecryptionResult> {
  requireOptions(options, 'decryptWithSessionKey');
  rejectUnknownOptions(options, knownOptions, 'decryptWithSessionKey');
  const sessionKey = requireSessionKey(options.sessionKey);
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

  return decryptWithKnownSessionKey(message, sessionKey, {
    certificates,
    date,
    expectedSignerAddress,
    maxDecompressedBytes,
  });
}

function requireSessionKey(value: unknown): SessionKey {
  if (typeof value !== 'object' || value === null) {
    throw new CryptoError(
      'INVALID_ARGUMENT',
      'sessionKey must be an object with the algorithm ID and the key bytes.',
    );
  }
  const { algorithm, data } = value as Partial<RecoveredSessionKey>;
  // Algorithm 0 is plaintext, which no session key may name; enums.read raises for unknown IDs.
  let name: string | undefined;
  if (typeof algorithm === 'number' && algorithm !== 0) {
    try {
      name = enums.read(enums.symmetric, algorithm);
    } catch {
      name = undefined;
    }
  }
  if (name === undefined) {
    throw new CryptoError(
      'UNSUPPORTED_ALGORITHM',
      `sessionKey.algorithm ${JSON.stringify(algorithm)} is not a symmetric cipher of RFC 9580 section 9.3; pass the algorithm ID from the session key block.`,
    );
  }
  return {
    algorithm: name as SessionKey['algorithm'],
    data: requireBytes(data, 'sessionKey.data'),
  };
}
