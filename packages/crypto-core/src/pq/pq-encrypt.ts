// Encryption of a signed message to algorithm-35 subkeys only (RFC 9980). openpgp.js signs
// and encrypts the data with a chosen session key, in SEIPDv1 or, when every recipient
// advertises AEAD, SEIPDv2. One algorithm-35 PKESK per recipient goes before that packet. v3 PKESKs go with SEIPDv1 and v6 PKESKs with SEIPDv2 (RFC 9580 section 5.1).
import { randomBytes } from 'node:crypto';
import { encrypt, enums, generateSessionKey, type Message, type PrivateKey } from 'openpgp';
import { openpgpConfig } from '../config.ts';
import { wrapError } from '../errors.ts';
import type { PlannedRecipient } from './encryption-plan.ts';
import { armorPackets, concatBytes, writePackets, type RawPacket } from './packet-framing.ts';
import { encryptSessionKey, pkeskTag } from './pkesk.ts';

const aesAlgorithms = new Map<string, { id: number; keyLength: number }>([
  ['aes128', { id: enums.symmetric.aes128, keyLength: 16 }],
  ['aes192', { id: enums.symmetric.aes192, keyLength: 24 }],
  ['aes256', { id: enums.symmetric.aes256, keyLength: 32 }],
]);

/** Signs and encrypts the message to each recipient's algorithm-35 subkey; returns armored text. */
export async function encryptToPostQuantumSubkeys(options: {
  message: Message<Uint8Array>;
  recipients: readonly PlannedRecipient[];
  /** The signer, or undefined for an unsigned message. */
  signingKey: PrivateKey | undefined;
  date: Date;
}): Promise<string> {
  const { message, recipients, signingKey, date } = options;
  let sessionKeyData: Uint8Array | undefined;
  try {
    // openpgp.js picks the cipher and AEAD mode from the recipients' preferences.
    const preferred = await generateSessionKey({
      encryptionKeys: recipients.map((recipient) => recipient.certificate),
      date,
      config: openpgpConfig,
    });
    preferred.data.fill(0);
    // RFC 9980 allows only AES with algorithm 35.
    const algorithmName = aesAlgorithms.has(preferred.algorithm) ? preferred.algorithm : 'aes256';
    const algorithm = aesAlgorithms.get(algorithmName) as { id: number; keyLength: number };
    sessionKeyData = new Uint8Array(randomBytes(algorithm.keyLength));
    const aeadAlgorithm = preferred.aeadAlgorithm;

    const encrypted = (await encrypt({
      message,
      sessionKey: { data: sessionKeyData, algorithm: algorithmName as 'aes256', aeadAlgorithm },
      ...(signingKey ? { signingKeys: signingKey } : {}),
      date,
      format: 'binary',
      config: openpgpConfig,
    })) as Uint8Array;

    const pkeskVersion = aeadAlgorithm ? 6 : 3;
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
          sessionKeyData as Uint8Array,
          pkeskVersion,
          algorithm.id,
        ),
      };
    });
    // openpgp.js writes the armor checksum for SEIPDv1 only; RFC 9580 drops it for SEIPDv2.
    return armorPackets('message', concatBytes(writePackets(pkesks), encrypted), !aeadAlgorithm);
  } catch (error) {
    throw wrapError(error, 'ENCRYPT_FAILED', 'Post-quantum encryption failed');
  } finally {
    sessionKeyData?.fill(0);
  }
}
