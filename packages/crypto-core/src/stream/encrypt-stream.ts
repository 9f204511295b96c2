// Streaming sign-then-encrypt for large messages (RFC 9580 section 10.3, one-pass signature and
// literal data inside SEIPD) with bounded memory: openpgp.js reads the source and writes the
// message to `output` chunk by chunk, and the secret key stays unlocked until the last byte.

import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { createMessage, encrypt, type PrivateKey } from 'openpgp';
import { parseCertificateList } from '../certificate.ts';
import { openpgpConfig } from '../config.ts';
import { requireSigningKey, uniqueByFingerprint } from '../encrypt.ts';
import { CryptoError, wrapError } from '../errors.ts';
import { optionalDate, rejectUnknownOptions, requireArray, requireOptions } from '../input.ts';
import { withPrivateKeys, type SecretKeyInput } from '../secret-key.ts';
import { requireFormat, toWebStream, type ByteSource } from './stream-input.ts';

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
}

const knownOptions = [
  'data',
  'output',
  'format',
  'recipientCertificates',
  'signingKey',
  'encryptToSigner',
  'date',
] as const;

/**
 * Signs and encrypts a byte stream to every recipient's classical encryption subkey and
 * resolves when `output` has received the whole message. Returns the bytes written.
 */
export async function encryptAndSignStream(options: EncryptAndSignStreamOptions): Promise<number> {
  requireOptions(options, 'encryptAndSignStream');
  rejectUnknownOptions(options, knownOptions, 'encryptAndSignStream');
  const format = requireFormat(options.format);
  const source = toWebStream(options.data, 'data');
  const output = options.output;
  if (typeof output?.write !== 'function' || typeof output.end !== 'function') {
    throw new CryptoError('INVALID_ARGUMENT', 'output must be a Node.js Writable stream.');
  }
  const date = optionalDate(options.date, 'date');
  const certificates = await parseCertificateList(
    requireArray(options.recipientCertificates, 'recipientCertificates'),
    'recipientCertificates',
  );

  // TODO: the streaming path encrypts to classical subkeys only; ML-KEM-768+X25519 subkeys
  // (algorithm 35) are used by the buffered encryptAndSign alone.
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

    let encrypted: ReadableStream<Uint8Array | string>;
    try {
      const message = await createMessage({ binary: source as never, date });
      const common = { message, encryptionKeys: recipients, signingKeys: signer, date };
      const result =
        format === 'armored'
          ? await encrypt({ ...common, format: 'armored', config: openpgpConfig })
          : await encrypt({ ...common, format: 'binary', config: openpgpConfig });
      encrypted = result as unknown as ReadableStream<Uint8Array | string>;
    } catch (error) {
      throw wrapError(error, 'ENCRYPT_FAILED', 'Encryption failed');
    }

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
  });
}
