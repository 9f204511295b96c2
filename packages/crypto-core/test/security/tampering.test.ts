// Modified ciphertext must never yield plaintext, not even a prefix: every bit flip in the
// encrypted data packet, a SED packet without integrity protection (tag 9) and a failed AEAD
// tag all end in DECRYPT_FAILED.
import {
  Message,
  PacketList,
  LiteralDataPacket,
  SymmetricallyEncryptedDataPacket,
  createMessage,
  decrypt as openpgpDecrypt,
  encrypt as openpgpEncrypt,
  encryptSessionKey,
  enums,
  generateKey,
  generateSessionKey,
  readKey,
  readMessage,
  readPrivateKey,
  type AnyPacket,
} from 'openpgp';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  CryptoError,
  decryptAndVerify,
  encryptAndSign,
  unlockSecretKey,
  type UnlockedKey,
} from '../../src/index.ts';
import { encoder, makeIdentity, passphrase, type TestIdentity } from '../helpers/identities.ts';
import { dearmor, flipBit, listPackets } from '../helpers/packets.ts';

const seipdTag = 18;
const sedTag = 9;

let alice: TestIdentity;
let bob: TestIdentity;

beforeAll(async () => {
  [alice, bob] = await Promise.all([
    makeIdentity('alice@example.org'),
    makeIdentity('bob@example.org'),
  ]);
});

async function expectDecryptFailed(
  message: Uint8Array | string,
  key: UnlockedKey,
  certificates: string[],
): Promise<void> {
  let result: unknown;
  let error: unknown;
  try {
    result = await decryptAndVerify({
      message,
      decryptionKeys: [key],
      verificationCertificates: certificates,
    });
  } catch (caught) {
    error = caught;
  }
  expect(result).toBeUndefined();
  expect(error).toBeInstanceOf(CryptoError);
  expect((error as CryptoError).code).toBe('DECRYPT_FAILED');
  expect(error).not.toHaveProperty('data');
}

describe('bit flips in the SEIPD packet', () => {
  it('yield DECRYPT_FAILED at every tested position', async () => {
    const plaintext = encoder.encode('Transfer 100 EUR to account 1234.\n'.repeat(8));
    const armored = await encryptAndSign({
      data: plaintext,
      recipientCertificates: [bob.certificate],
      signingKey: alice.unlocked,
    });
    const binary = dearmor(armored);
    const seipd = listPackets(binary).find((packet) => packet.tag === seipdTag);
    expect(seipd).toBeDefined();
    const { bodyStart, bodyEnd } = seipd!;

    // The untouched message decrypts, so the failures below come from the flips alone.
    const intact = await decryptAndVerify({
      message: binary,
      decryptionKeys: [bob.unlocked],
      verificationCertificates: [alice.certificate],
    });
    expect(intact.data).toEqual(plaintext);

    const length = bodyEnd - bodyStart;
    const positions = [
      bodyStart + 1, // first byte of the encrypted random prefix
      bodyStart + 17, // prefix quick-check bytes (AES block size 16)
      bodyStart + 19, // start of the encrypted packets
      bodyStart + Math.floor(length / 2),
      bodyEnd - 22, // MDC packet header
      bodyEnd - 10, // inside the MDC SHA-1 hash
      bodyEnd - 1, // last byte
    ];
    for (const position of positions) {
      for (const bit of [0, 7]) {
        await expectDecryptFailed(flipBit(binary, position, bit), bob.unlocked, [
          alice.certificate,
        ]);
      }
    }
  });

  it('yield DECRYPT_FAILED for a truncated packet', async () => {
    const armored = await encryptAndSign({
      data: encoder.encode('truncate me'),
      recipientCertificates: [bob.certificate],
      signingKey: alice.unlocked,
    });
    const binary = dearmor(armored);
    await expectDecryptFailed(binary.subarray(0, binary.length - 5), bob.unlocked, [
      alice.certificate,
    ]);
  });
});

describe('SED packet without integrity protection', () => {
  it('is rejected although it decrypts with unsafe settings', async () => {
    const recipient = await readKey({ armoredKey: bob.certificate });
    const sessionKey = await generateSessionKey({ encryptionKeys: recipient });
    const pkeskMessage = await encryptSessionKey({
      ...sessionKey,
      encryptionKeys: recipient,
      format: 'object',
    });

    // Build Literal Data inside a Symmetrically Encrypted Data packet (tag 9), which has no MDC.
    const literal = new LiteralDataPacket();
    (literal as unknown as { setBytes(bytes: Uint8Array, format: enums.literal): void }).setBytes(
      encoder.encode('unauthenticated secret'),
      enums.literal.binary,
    );
    const sed = new SymmetricallyEncryptedDataPacket();
    const inner = new PacketList<AnyPacket>();
    inner.push(literal);
    (sed as unknown as { packets: PacketList<AnyPacket> }).packets = inner;
    const unsafeConfig = { allowUnauthenticatedMessages: true };
    await (
      sed as unknown as {
        encrypt(algorithm: number, key: Uint8Array, config: object): Promise<void>;
      }
    ).encrypt(enums.symmetric[sessionKey.algorithm], sessionKey.data, unsafeConfig);

    const packets = new PacketList<AnyPacket>();
    packets.push(...pkeskMessage.packets, sed);
    const binary = new Message(packets).write() as Uint8Array;
    expect(listPackets(binary).map((packet) => packet.tag)).toEqual([1, sedTag]);

    // Control: openpgp.js with the unsafe setting does release this plaintext.
    const bobKey = await readPrivateKey({ armoredKey: bob.secretKey });
    const { decryptKey } = await import('openpgp');
    const unlocked = await decryptKey({ privateKey: bobKey, passphrase });
    const unsafe = await openpgpDecrypt({
      message: await readMessage({ binaryMessage: binary }),
      decryptionKeys: unlocked,
      config: unsafeConfig,
    });
    expect(unsafe.data).toBe('unauthenticated secret');

    await expectDecryptFailed(binary, bob.unlocked, []);
    await expectDecryptFailed(new Message(packets).armor(), bob.unlocked, []);
  });
});

describe('AEAD (SEIPDv2) tag failure', () => {
  it('yields DECRYPT_FAILED', async () => {
    // A recipient whose certificate advertises SEIPDv2, so openpgp.js encrypts with AEAD.
    const generated = await generateKey({
      type: 'ecc',
      curve: 'ed25519Legacy',
      userIDs: [{ email: 'aead@example.org' }],
      passphrase,
      config: { aeadProtect: true },
    });
    const aeadKey = await unlockSecretKey(generated.privateKey, passphrase);
    const armored = await openpgpEncrypt({
      message: await createMessage({ binary: encoder.encode('AEAD protected') }),
      encryptionKeys: await readKey({ armoredKey: generated.publicKey }),
    });
    const binary = dearmor(armored);
    const seipd = listPackets(binary).find((packet) => packet.tag === seipdTag)!;
    expect(binary[seipd.bodyStart]).toBe(2); // SEIPD version 2

    const intact = await decryptAndVerify({
      message: binary,
      decryptionKeys: [aeadKey],
      verificationCertificates: [],
    });
    expect(new TextDecoder().decode(intact.data)).toBe('AEAD protected');

    await expectDecryptFailed(flipBit(binary, seipd.bodyEnd - 1), aeadKey, []); // final tag
    await expectDecryptFailed(flipBit(binary, seipd.bodyEnd - 40), aeadKey, []); // chunk data
  });
});
