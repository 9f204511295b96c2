// Streaming sign-then-encrypt for large messages (RFC 9580 section 10.3, one-pass signature and
// literal data inside SEIPD) with bounded memory: openpgp.js reads the source and writes the
// message to `output` chunk by chunk, and the secret key stays unlocked until the last byte.
// Recipients are chosen as in the buffered encryptAndSign: only ML-KEM-768+X25519 subkeys
// (RFC 9980 algorithm 35) when every recipient has one, otherwise only classical subkeys.

import { once } from 'node:events';
import type { Writable } from 'node:stream';
import type { ReadableStream } from 'node:stream/web';
import { createMessage, encrypt, type PrivateKey } from 'openpgp';
import { parseCertificateList } from '../certificate.ts';
import { openpgpConfig } from '../config.ts';
import {
  choosePlan,
  requireEncryptionKey,
  requireSigningKey,
  uniqueByFingerprint,
} from '../encrypt.ts';
import { CryptoError, wrapError } from '../errors.ts';
import { optionalDate, rejectUnknownOptions, requireArray, requireOptions } from '../input.ts';
import {
  planFor,
  planRecipient,
  type EncryptionMode,
  type EncryptionPlan,
  type PlannedRecipient,
} from '../pq/encryption-plan.ts';
import { readKeyBlockPackets } from '../pq/pq-certificate.ts';
import { postQuantumBlocksOf } from '../pq/pq-secret-key.ts';
import type { KeyBlockPackets } from '../pq/subkey-packets.ts';
import { withPrivateKeys, type SecretKeyInput } from '../secret-key.ts';
import { encryptStreamToPostQuantumSubkeys } from './post-quantum-stream.ts';
import { requireFormat, toWebSource, type ByteSource } from './stream-input.ts';

export interface EncryptAndSignStreamOptions {
  data: ByteSource;
  /** Where the OpenPGP message is written; it is ended when the message is complete. */
  output: Writable;
  /** Encoding of the written message: ASCII-armored text or binary packets. */
  format: 'armored' | 'binary';
  recipientCertificates: Array<string | Uint8Array>;
  signingKey: SecretKeyInput;
  /** Also encrypt to the signer's own certificate. Default true. */
  encryptToSigner?: boolean;
  /** Signature creation time; defaults to now. */
  date?: Date;
  /**
   * 'auto' (default) encrypts post-quantum only when every recipient, the signer included,
   * has a usable algorithm-35 subkey; 'pq' requires that; 'classical' never uses them.
   */
  mode?: 'auto' | EncryptionMode;
}

/** Bytes written to `output` and the plan the message was encrypted by. */
export interface StreamEncryptionResult {
  bytesWritten: number;
  plan: EncryptionPlan;
}

const knownOptions = [
  'data',
  'output',
  'format',
  'recipientCertificates',
  'signingKey',
  'encryptToSigner',
  'date',
  'mode',
] as const;

/**
 * Signs and encrypts a byte stream to every recipient and resolves when `output` has received
 * the whole message. Returns the bytes written.
 */
export async function encryptAndSignStream(options: EncryptAndSignStreamOptions): Promise<number> {
  return (await encryptAndSignStreamWithPlan(options)).bytesWritten;
}

/** Like encryptAndSignStream, and also returns which mode was used for which recipient. */
export async function encryptAndSignStreamWithPlan(
  options: EncryptAndSignStreamOptions,
): Promise<StreamEncryptionResult> {
  requireOptions(options, 'encryptAndSignStream');
  rejectUnknownOptions(options, knownOptions, 'encryptAndSignStream');
  const format = requireFormat(options.format);
  const mode = options.mode ?? 'auto';
  if (mode !== 'auto' && mode !== 'pq' && mode !== 'classical') {
    throw new CryptoError(
      'INVALID_ARGUMENT',
      `mode must be 'auto', 'pq' or 'classical', got ${JSON.stringify(mode)}.`,
    );
  }
  const { stream: source, close: closeSource } = toWebSource(options.data, 'data');
  try {
    return await encryptSource(options, source, format, mode);
  } catch (error) {
    // Closes the caller's source (an open file, for example) when it was not read to the end.
    await closeSource();
    throw error;
  }
}

/** Plans the recipients, then signs, encrypts and writes the converted source. */
async function encryptSource(
  options: EncryptAndSignStreamOptions,
  source: ReadableStream<Uint8Array>,
  format: 'armored' | 'binary',
  mode: 'auto' | EncryptionMode,
): Promise<StreamEncryptionResult> {
  const output = options.output;
  if (typeof output?.write !== 'function' || typeof output.end !== 'function') {
    throw new CryptoError('INVALID_ARGUMENT', 'output must be a Node.js Writable stream.');
  }
  const date = optionalDate(options.date, 'date');
  const certificateList = requireArray(options.recipientCertificates, 'recipientCertificates');
  const certificates = await parseCertificateList(certificateList, 'recipientCertificates');
  const blocks: KeyBlockPackets[] = [];
  for (const [index, certificate] of certificateList.entries()) {
    const label = `recipientCertificates[${index}]`;
    blocks.push(...(await readKeyBlockPackets(certificate as string | Uint8Array, label)));
  }
  blocks.push(...(await postQuantumBlocksOf([options.signingKey])));

  return withPrivateKeys([options.signingKey], 'signingKey', async ([signingKey]) => {
    const signer = signingKey as PrivateKey;
    await requireSigningKey(signer, date);
    const recipients = uniqueByFingerprint(
      options.encryptToSigner === false ? certificates : [...certificates, signer.toPublic()],
    );
    if (recipients.length === 0) {
      throw new CryptoError(
        'INVALID_ARGUMENT',
        'recipientCertificates is empty and encryptToSigner is false; pass at least one recipient.',
      );
    }
    const planned: PlannedRecipient[] = [];
    for (const recipient of recipients) planned.push(await planRecipient(recipient, blocks, date));
    const plan = choosePlan(planFor(planned), mode);
    if (plan.mode === 'classical') {
      await Promise.all(recipients.map((recipient) => requireEncryptionKey(recipient, date)));
    }

    let encrypted: ReadableStream<Uint8Array | string>;
    try {
      const message = await createMessage({ binary: source as never, date });
      if (plan.mode === 'pq') {
        encrypted = await encryptStreamToPostQuantumSubkeys({
          message: message as never,
          recipients: planned,
          signingKey: signer,
          date,
          format,
        });
      } else {
        const common = { message, encryptionKeys: recipients, signingKeys: signer, date };
        const result =
          format === 'armored'
            ? await encrypt({ ...common, format: 'armored', config: openpgpConfig })
            : await encrypt({ ...common, format: 'binary', config: openpgpConfig });
        encrypted = result as unknown as ReadableStream<Uint8Array | string>;
      }
    } catch (error) {
      throw wrapError(error, 'ENCRYPT_FAILED', 'Encryption failed');
    }
    return { bytesWritten: await writeAll(encrypted, output), plan };
  });
}

/** Copies the encrypted stream into `output`, honoring its backpressure, and ends it. */
async function writeAll(
  encrypted: ReadableStream<Uint8Array | string>,
  output: Writable,
): Promise<number> {
  let written = 0;
  try {
    const reader = encrypted.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      const chunk = typeof value === 'string' ? Buffer.from(value, 'utf8') : value;
      written += chunk.length;
      if (!output.write(chunk)) await once(output, 'drain');
    }
    output.end();
    await once(output, 'finish');
  } catch (error) {
    output.destroy(error instanceof Error ? error : undefined);
    throw wrapError(error, 'ENCRYPT_FAILED', 'Encryption failed');
  }
  return written;
}
