// Fail-closed checks for algorithm 35. A flipped bit in any field of an algorithm-35 PKESK
// yields an error and no plaintext. ML-KEM decapsulation uses implicit rejection, so the AES
// key unwrap check is what catches ciphertext changes. A subkey whose binding signature does
// not verify is reported with the reason and never used for encryption.
import { armor, enums } from 'openpgp';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  certificateToBinary,
  decryptAndVerify,
  encryptAndSignWithPlan,
  planEncryption,
  readCertificate,
} from '../../src/index.ts';
import { dearmor } from '../../src/pq/packet-framing.ts';
import { encoder, makeIdentity, type TestIdentity } from '../helpers/identities.ts';
import { flipBit, listPackets } from '../helpers/packets.ts';
import { pkeskAlgorithms } from './helpers.ts';

let alice: TestIdentity;
let bob: TestIdentity;
let message: Uint8Array;
let pkeskStart: number;

beforeAll(async () => {
  alice = await makeIdentity('alice@example.org');
  bob = await makeIdentity('bob@example.org');
  const { message: armored } = await encryptAndSignWithPlan({
    data: encoder.encode('tamper with me'),
    recipientCertificates: [bob.certificate],
    signingKey: alice.unlocked,
    encryptToSigner: false,
  });
  message = await dearmor(armored, 'message');
  const first = listPackets(message)[0]!;
  expect(first.tag).toBe(1);
  pkeskStart = first.bodyStart;
});

// Offsets inside a v3 algorithm-35 PKESK body.
const fields = [
  { field: 'version', offset: 0, code: 'DECRYPT_FAILED' },
  { field: 'key ID', offset: 1, code: 'KEY_NOT_FOUND' },
  { field: 'algorithm', offset: 9, code: 'DECRYPT_FAILED' },
  { field: 'ecdhCipherText', offset: 10, code: 'DECRYPT_FAILED' },
  { field: 'mlkemCipherText', offset: 42, code: 'DECRYPT_FAILED' },
  { field: 'mlkemCipherText end', offset: 1129, code: 'DECRYPT_FAILED' },
  { field: 'length octet', offset: 1130, code: 'DECRYPT_FAILED' },
  { field: 'symmetric algorithm', offset: 1131, code: 'DECRYPT_FAILED' },
  { field: 'wrapped session key', offset: 1132, code: 'DECRYPT_FAILED' },
  { field: 'wrapped session key end', offset: 1171, code: 'DECRYPT_FAILED' },
];

describe('algorithm-35 PKESK tampering', () => {
  it('untouched message decrypts', async () => {
    const result = await decryptAndVerify({
      message,
      decryptionKeys: [bob.unlocked],
      verificationCertificates: [alice.certificate],
    });
    expect(new TextDecoder().decode(result.data)).toBe('tamper with me');
    expect(listPackets(message)[0]!.bodyEnd - pkeskStart).toBe(1172);
  });

  it.each(fields)('flipped $field fails closed', async ({ offset, code }) => {
    const modified = flipBit(message, pkeskStart + offset);
    const outcome = await decryptAndVerify({
      message: modified,
      decryptionKeys: [bob.unlocked],
      verificationCertificates: [alice.certificate],
    }).then(
      (result) => ({ data: result.data, error: null }),
      (error: unknown) => ({ data: null, error }),
    );
    expect(outcome.data).toBeNull();
    expect(outcome.error).toMatchObject({ code });
  });
});

describe('algorithm-35 subkey binding', () => {
  async function withBrokenBinding(): Promise<string> {
    const binary = await certificateToBinary(bob.certificate);
    const packets = listPackets(binary);
    const subkeyIndex = packets.findIndex(
      (packet) => packet.tag === 14 && packet.bodyEnd - packet.bodyStart > 1200,
    );
    const signature = packets[subkeyIndex + 1]!;
    expect(signature.tag).toBe(2);
    // The last octet belongs to the EdDSA signature value.
    return armor(enums.armor.publicKey, flipBit(binary, signature.bodyEnd - 1));
  }

  it('invalid binding makes the subkey unusable', async () => {
    const info = await readCertificate(await withBrokenBinding());
    expect(info.hasPostQuantumSubkey).toBe(false);
    expect(info.postQuantumSubkeyFingerprint).toBeNull();
    expect(info.postQuantumSubkeys).toHaveLength(1);
    expect(info.postQuantumSubkeys[0]!.usable).toBe(false);
    expect(info.postQuantumSubkeys[0]!.reason).toContain('no valid binding signature');
    expect(info.hasEncryptionSubkey).toBe(true);
  });

  it('invalid binding is not used for encryption', async () => {
    const broken = await withBrokenBinding();
    const plan = await planEncryption([broken]);
    expect(plan.mode).toBe('classical');
    expect(plan.perRecipient[0]!.reason).toContain('no valid binding signature');

    const result = await encryptAndSignWithPlan({
      data: encoder.encode('classical only'),
      recipientCertificates: [broken],
      signingKey: alice.unlocked,
    });
    expect(result.plan.mode).toBe('classical');
    expect(await pkeskAlgorithms(result.message)).toEqual([18, 18]);
  });
});
