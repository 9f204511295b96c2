// Streaming decryption of large OpenPGP messages (RFC 9580 sections 5.13 and 5.14) with bounded
// memory. SEIPDv1 checks its MDC only after the last byte, so the plaintext is spooled encrypted
// (EncryptedSpool) and the caller gets a handle only after the integrity check and the
// signature checks have finished. A failed check deletes the spool and returns nothing.

import type { ReadableStream } from 'node:stream/web';
import { decrypt, readMessage, type Message, type PublicKey, type SessionKey } from 'openpgp';
import { requireAddress } from '../address.ts';
import { parseCertificateList } from '../certificate.ts';
import { openpgpConfig } from '../config.ts';
import {
  decryptFailed,
  findSessionKey,
  optionalByteLimit,
  rejectSymmetricallyEncryptedData,
  type DecryptedWith,
} from '../decrypt.ts';
import { CryptoError } from '../errors.ts';
import { optionalDate, rejectUnknownOptions, requireArray, requireOptions } from '../input.ts';
import { postQuantumStatesOf } from '../pq/pq-secret-key.ts';
import { withPrivateKeys, type SecretKeyInput } from '../secret-key.ts';
import {
  evaluateSignatures,
  type OpenPgpVerification,
  type SignatureResult,
} from '../signature-status.ts';
import { EncryptedSpool } from './encrypted-spool.ts';
import { requireFormat, toTextStream, toWebSource, type ByteSource } from './stream-input.ts';

export interface DecryptToSpoolOptions {
  message: ByteSource;
  /** Encoding of `message`: ASCII-armored text or binary packets. */
  format: 'armored' | 'binary';
  decryptionKeys: SecretKeyInput[];
  verificationCertificates: Array<string | Uint8Array>;
  /** The From address, matched against the signer's User IDs. */
  expectedSignerAddress?: string;
  /** Verification time; defaults to now. */
  date?: Date;
  /** Folder for the encrypted spool file; defaults to the OS temporary folder. */
  spoolDirectory?: string;
  /** Maximum decompressed size in bytes (default 256 MiB); see decryptAndVerify. */
  maxDecompressedBytes?: number;
}

/** Verified plaintext waiting in an encrypted spool file. Call dispose() when done. */
export interface VerifiedSpool {
  /** Plaintext size in bytes. */
  size: number;
  decryptedWith: DecryptedWith;
  signatures: SignatureResult[];
  /** Reads the plaintext in chunks of at most 1 MiB. */
  read(): AsyncGenerator<Uint8Array>;
  /** Deletes the spool file and wipes its key. */
  dispose(): Promise<void>;
}

const knownOptions = [
  'message',
  'format',
  'decryptionKeys',
  'verificationCertificates',
  'expectedSignerAddress',
  'date',
  'spoolDirectory',
  'maxDecompressedBytes',
] as const;

/**
 * Decrypts and verifies a streamed message into an encrypted spool. Raises DECRYPT_FAILED
 * (and leaves no spool) when the MDC or AEAD tag fails, or the message is SED (tag 9).
 */
export async function decryptToSpool(options: DecryptToSpoolOptions): Promise<VerifiedSpool> {
  requireOptions(options, 'decryptToSpool');
  rejectUnknownOptions(options, knownOptions, 'decryptToSpool');
  const format = requireFormat(options.format);
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
  const { stream: source, close: closeSource } = toWebSource(options.message, 'message');
  try {
    return await decryptSource(options, source, {
      format,
      decryptionKeys,
      certificates,
      expectedSignerAddress,
      date,
    });
  } catch (error) {
    // Closes the caller's source (an open file, for example) when it was not read to the end.
    await closeSource();
    throw error;
  }
}

/** Decrypts the converted source; decryptToSpool has checked every option but the message. */
async function decryptSource(
  options: DecryptToSpoolOptions,
  source: ReadableStream<Uint8Array>,
  checked: {
    format: 'armored' | 'binary';
    decryptionKeys: SecretKeyInput[];
    certificates: PublicKey[];
    expectedSignerAddress: string | undefined;
    date: Date;
  },
): Promise<VerifiedSpool> {
  const { format, decryptionKeys, certificates, expectedSignerAddress, date } = checked;

  // Unauthenticated streaming is safe here only because no byte leaves the encrypted spool
  // before the stream has ended with a passing MDC or AEAD tag.
  const config = {
    ...openpgpConfig,
    allowUnauthenticatedStream: true,
    maxDecompressedMessageSize: optionalByteLimit(options.maxDecompressedBytes),
  };

  let message: Message<ReadableStream<Uint8Array>>;
  try {
    message =
      format === 'armored'
        ? ((await readMessage({
            armoredMessage: toTextStream(source) as never,
            config,
          })) as unknown as Message<ReadableStream<Uint8Array>>)
        : ((await readMessage({ binaryMessage: source as never, config })) as unknown as Message<
            ReadableStream<Uint8Array>
          >);
  } catch (error) {
    throw decryptFailed(error);
  }
  rejectSymmetricallyEncryptedData(message);

  const postQuantum = await postQuantumStatesOf(decryptionKeys);
  try {
    return await withPrivateKeys(decryptionKeys, 'decryptionKeys', async (privateKeys) => {
      const { sessionKey, decryptedWith } = await findSessionKey(
        message,
        privateKeys,
        postQuantum.states,
      );
      const spool = await EncryptedSpool.create(options.spoolDirectory);
      try {
        const result = await decrypt({
          message,
          sessionKeys: [sessionKey as SessionKey],
          verificationKeys: certificates,
          expectSigned: false,
          format: 'binary',
          date,
          config,
        });
        const reader = (result.data as unknown as ReadableStream<Uint8Array>).getReader();
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          await spool.append(value);
        }
        await spool.seal();
        const signatures = await evaluateSignatures(
          result.signatures as unknown as OpenPgpVerification[],
          { certificates, date, expectedSignerAddress },
        );
        return {
          size: spool.size,
          decryptedWith,
          signatures,
          read: () => spool.read(),
          dispose: () => spool.dispose(),
        };
      } catch (error) {
        await spool.dispose();
        throw error instanceof CryptoError ? error : decryptFailed(error);
      } finally {
        sessionKey.data.fill(0);
      }
    });
  } finally {
    postQuantum.wipe();
  }
}
