// Session key recovery from algorithm-35 PKESK packets, which openpgp.js 6.3 keeps as
// unparseable packets with their raw bytes. Only PKESKs addressed to one of the caller's
// algorithm-35 subkeys are tried. A v3 PKESK must precede SEIPDv1 and a v6 PKESK SEIPDv2.
import {
  SymEncryptedIntegrityProtectedDataPacket,
  UnparseablePacket,
  enums,
  type Message,
  type SessionKey,
} from 'openpgp';
import { describeError } from '../errors.ts';
import { wipeDecapsulation } from './composite-kem.ts';
import { toHex } from './mlkem-x25519-key.ts';
import {
  decryptSessionKey,
  isAddressedTo,
  pkeskTag,
  readMlkemX25519Pkesk,
  readPkeskRecipient,
} from './pkesk.ts';
import type { PostQuantumKeyState, UnlockedPostQuantumSubkey } from './pq-secret-key.ts';

export interface PostQuantumSessionKeyResult {
  /** The decrypted session key and the subkey that decrypted it, or null. */
  found: { sessionKey: SessionKey; subkey: UnlockedPostQuantumSubkey } | null;
  /** Failure reasons of PKESKs addressed to the caller's subkeys, and of malformed PKESKs. */
  failures: string[];
  /** How many (PKESK, subkey) pairs were tried. */
  attempts: number;
  /** Key IDs (v3) or fingerprints (v6) of the algorithm-35 PKESK recipients, for messages. */
  recipients: string[];
}

/** Tries every algorithm-35 PKESK of the message with the caller's PQ secret subkeys. */
export function decryptPostQuantumSessionKey(
  message: Message<Uint8Array | string>,
  states: readonly PostQuantumKeyState[],
): PostQuantumSessionKeyResult {
  const subkeys = states.flatMap((state) => state.subkeys);
  const result: PostQuantumSessionKeyResult = {
    found: null,
    failures: [],
    attempts: 0,
    recipients: [],
  };

  const encryptedData = message.packets.find(
    (packet) => packet instanceof SymEncryptedIntegrityProtectedDataPacket,
  ) as
    | (SymEncryptedIntegrityProtectedDataPacket & {
        version: number;
        cipherAlgorithm: number | null;
      })
    | undefined;

  for (const packet of message.packets) {
    if (!(packet instanceof UnparseablePacket) || packet.tag !== pkeskTag) continue;
    const body = (packet as unknown as { rawContent: Uint8Array }).rawContent;

    let recipient;
    try {
      recipient = readPkeskRecipient(body);
    } catch (error) {
      if (subkeys.length > 0) result.failures.push(describeError(error));
      continue;
    }
    const recipientId = recipient.keyId ?? recipient.fingerprint;
    if (recipientId) result.recipients.push(toHex(recipientId));

    for (const subkey of subkeys) {
      if (!isAddressedTo(recipient, subkey.publicKey)) continue;
      result.attempts += 1;
      try {
        const pkesk = readMlkemX25519Pkesk(body);
        const expectedSeipdVersion = pkesk.version === 3 ? 1 : 2;
        if (!encryptedData || encryptedData.version !== expectedSeipdVersion) {
          throw new Error(
            `a v${pkesk.version} PKESK needs a v${expectedSeipdVersion} SEIPD packet, found v${String(encryptedData?.version)}`,
          );
        }
        const decrypted = decryptSessionKey(pkesk, subkey.secret, subkey.publicKey);
        wipeDecapsulation(decrypted.decapsulation);
        const algorithmId =
          decrypted.symmetricAlgorithm ?? encryptedData.cipherAlgorithm ?? enums.symmetric.aes256;
        result.found = {
          sessionKey: {
            data: decrypted.sessionKey,
            algorithm: enums.read(enums.symmetric, algorithmId) as SessionKey['algorithm'],
          },
          subkey,
        };
        return result;
      } catch (error) {
        result.failures.push(`${toHex(subkey.publicKey.fingerprint)}: ${describeError(error)}`);
      }
    }
  }
  return result;
}
