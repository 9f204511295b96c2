// Streaming sign-then-encrypt to ML-KEM-768+X25519 subkeys (RFC 9980 algorithm 35), the
// streaming twin of pq/pq-encrypt.ts: openpgp.js signs and encrypts the stream with a session
// key chosen here, and one algorithm-35 PKESK per recipient is written before its SEIPD packet.
// The session key is wiped when the output stream ends, fails or is cancelled.

import { randomBytes } from 'node:crypto';
import { ReadableStream, type ReadableStreamReadResult } from 'node:stream/web';
import { armor, encrypt, enums, generateSessionKey, type Message, type PrivateKey } from 'openpgp';
import { openpgpConfig, openpgpFullConfig } from '../config.ts';
import { wrapError } from '../errors.ts';
import type { PlannedRecipient } from '../pq/encryption-plan.ts';
import { writePackets, type RawPacket } from '../pq/packet-framing.ts';
import { encryptSessionKey, pkeskTag } from '../pq/pkesk.ts';

/** AES variants that RFC 9980 allows with algorithm 35, by openpgp.js name. */
const aesAlgorithms = new Map<string, { id: number; keyLength: number }>([
  ['aes128', { id: enums.symmetric.aes128, keyLength: 16 }],
  ['aes192', { id: enums.symmetric.aes192, keyLength: 24 }],
  ['aes256', { id: enums.symmetric.aes256, keyLength: 32 }],
]);

/**
 * Signs and encrypts a streamed message to each recipient's algorithm-35 subkey. Returns the
 * message as a stream: binary packets, or armored text when `format` is 'armored'.
 */
export async function encryptStreamToPostQuantumSubkeys(options: {
  message: Message<ReadableStream<Uint8Array>>;
  recipients: readonly PlannedRecipient[];
  signingKey: PrivateKey;
  date: Date;
  format: 'armored' | 'binary';
}): Promise<ReadableStream<Uint8Array | string>> {
  const { message, recipients, signingKey, date, format } = options;
  let sessionKeyData: Uint8Array | undefined;
  try {
    // openpgp.js picks the cipher and AEAD mode from the recipients' preferences, as in the
    // buffered path; any non-AES choice falls back to AES-256.
    const preferred = await generateSessionKey({
      encryptionKeys: recipients.map((recipient) => recipient.certificate),
      date,
      config: openpgpConfig,
    });
    preferred.data.fill(0);
    const algorithmName = aesAlgorithms.has(preferred.algorithm) ? preferred.algorithm : 'aes256';
    const algorithm = aesAlgorithms.get(algorithmName)!;
    const aeadAlgorithm = preferred.aeadAlgorithm;
    sessionKeyData = new Uint8Array(randomBytes(algorithm.keyLength));

    const pkesks: RawPacket[] = recipients.map((recipient) => {
      if (!recipient.postQuantumSubkey) {
        throw new Error(
          `recipient ${recipient.certificate.getFingerprint()} has no ML-KEM-768+X25519 subkey`,
        );
      }
      return {
        tag: pkeskTag,
        body: encryptSessionKey(
          recipient.postQuantumSubkey.publicKey,
          sessionKeyData!,
          aeadAlgorithm ? 6 : 3,
          algorithm.id,
        ),
      };
    });
    const encrypted = (await encrypt({
      message,
      sessionKey: { data: sessionKeyData, algorithm: algorithmName as 'aes256', aeadAlgorithm },
      signingKeys: signingKey,
      date,
      format: 'binary',
      config: openpgpConfig,
    })) as unknown as ReadableStream<Uint8Array>;

    const key = sessionKeyData;
    const packets = prepend(writePackets(pkesks), encrypted, () => key.fill(0));
    if (format === 'binary') return packets;
    // openpgp.js writes the armor checksum for SEIPDv1 only; RFC 9580 drops it for SEIPDv2.
    return armor(
      enums.armor.message,
      packets,
      undefined,
      undefined,
      undefined,
      !aeadAlgorithm,
      openpgpFullConfig,
    ) as unknown as ReadableStream<string>;
  } catch (error) {
    sessionKeyData?.fill(0);
    throw wrapError(error, 'ENCRYPT_FAILED', 'Post-quantum encryption failed');
  }
}

/**
 * Returns a stream that yields `head` and then every chunk of `tail`, and calls `finish` once
 * when `tail` ends, fails or is cancelled.
 */
function prepend(
  head: Uint8Array,
  tail: ReadableStream<Uint8Array>,
  finish: () => void,
): ReadableStream<Uint8Array> {
  const reader = tail.getReader();
  let headSent = false;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (!headSent) {
        headSent = true;
        controller.enqueue(head);
        return;
      }
      let result: ReadableStreamReadResult<Uint8Array>;
      try {
        result = await reader.read();
      } catch (error) {
        finish();
        throw error;
      }
      if (result.done) {
        finish();
        controller.close();
      } else {
        controller.enqueue(result.value);
      }
    },
    async cancel(reason) {
      finish();
      await reader.cancel(reason);
    },
  });
}
