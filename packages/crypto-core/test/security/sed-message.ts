// Builds an OpenPGP message whose literal data sits in a Symmetrically Encrypted Data packet
// (tag 9, no integrity protection), the ciphertext form that EFAIL gadget attacks modify.
// openpgp.js writes it only with allowUnauthenticatedMessages, which this helper sets for
// writing alone.

import {
  LiteralDataPacket,
  Message,
  PacketList,
  SymmetricallyEncryptedDataPacket,
  encryptSessionKey,
  enums,
  generateSessionKey,
  readKey,
  type AnyPacket,
} from 'openpgp';

/** Returns the binary SED message of `plaintext`, with a PKESK for `certificate`. */
export async function buildSedMessage(
  certificate: string,
  plaintext: Uint8Array,
): Promise<Uint8Array> {
  const recipient = await readKey({ armoredKey: certificate });
  const sessionKey = await generateSessionKey({ encryptionKeys: recipient });
  const pkeskMessage = await encryptSessionKey({
    ...sessionKey,
    encryptionKeys: recipient,
    format: 'object',
  });

  const literal = new LiteralDataPacket();
  (literal as unknown as { setBytes(bytes: Uint8Array, format: enums.literal): void }).setBytes(
    plaintext,
    enums.literal.binary,
  );
  const sed = new SymmetricallyEncryptedDataPacket();
  const inner = new PacketList<AnyPacket>();
  inner.push(literal);
  (sed as unknown as { packets: PacketList<AnyPacket> }).packets = inner;
  await (
    sed as unknown as {
      encrypt(algorithm: number, key: Uint8Array, config: object): Promise<void>;
    }
  ).encrypt(enums.symmetric[sessionKey.algorithm], sessionKey.data, {
    allowUnauthenticatedMessages: true,
  });

  const packets = new PacketList<AnyPacket>();
  packets.push(...pkeskMessage.packets, sed);
  return new Message(packets).write() as Uint8Array;
}

/** Armors binary OpenPGP message bytes, without a CRC line. */
export function armorMessage(binary: Uint8Array): string {
  const lines =
    Buffer.from(binary)
      .toString('base64')
      .match(/.{1,64}/g) ?? [];
  return ['-----BEGIN PGP MESSAGE-----', '', ...lines, '-----END PGP MESSAGE-----', ''].join(
    '\r\n',
  );
}
