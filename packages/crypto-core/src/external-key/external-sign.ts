// Detached signatures (RFC 9580 signature type 0x00, binary document) computed by an
// external Ed25519 signer such as an OpenPGP card: Sealpost builds and hashes the signature
// packet, the token signs the digest. The result verifies in GnuPG and openpgp.js.
import {
  PacketList,
  Signature,
  SignaturePacket,
  createMessage,
  enums,
  readKey,
  type LiteralDataPacket,
  type PublicKey,
} from 'openpgp';
import { openpgpFullConfig } from '../config.ts';
import { CryptoError, describeError } from '../errors.ts';
import { decodeOpenPgpData, type OpenPgpData } from '../input.ts';
import {
  completeExternalSignature,
  type ExternalSigner,
  type SigningKeyPacket,
} from './external-signature.ts';

export interface ExternalSignOptions {
  /** The signed content, as the detached signature covers it (binary, byte for byte). */
  data: Uint8Array | string;
  /** Certificate that contains the token's public signing key. */
  certificate: OpenPgpData;
  /** Hex fingerprint of the signing key packet; the primary key when omitted. */
  signingKeyFingerprint?: string;
  sign: ExternalSigner;
  date?: Date;
}

export async function readCertificateForExternalKey(certificate: OpenPgpData): Promise<PublicKey> {
  const decoded = decodeOpenPgpData(certificate, 'certificate');
  try {
    const key =
      'armored' in decoded
        ? await readKey({ armoredKey: decoded.armored, config: openpgpFullConfig })
        : await readKey({ binaryKey: decoded.binary, config: openpgpFullConfig });
    return key.toPublic();
  } catch (error) {
    throw new CryptoError(
      'KEY_MALFORMED',
      `The certificate cannot be read: ${describeError(error)}`,
      {
        cause: error,
      },
    );
  }
}

export function findKeyPacket(key: PublicKey, fingerprint: string | undefined): SigningKeyPacket {
  if (fingerprint === undefined) return key.keyPacket;
  const expected = fingerprint.toLowerCase().replace(/\s+/g, '');
  const packets: SigningKeyPacket[] = [
    key.keyPacket,
    ...key.subkeys.map((subkey) => subkey.keyPacket),
  ];
  const found = packets.find((packet) => packet.getFingerprint() === expected);
  if (!found) {
    throw new CryptoError(
      'KEY_NOT_FOUND',
      `Key ${fingerprint} is not part of certificate ${key.getFingerprint().toUpperCase()}. Pass the fingerprint of one of its keys.`,
    );
  }
  return found;
}

/** Returns an armored detached signature over `data`, computed by `sign`. */
export async function signDetachedWithExternalSigner(
  options: ExternalSignOptions,
): Promise<string> {
  const key = await readCertificateForExternalKey(options.certificate);
  const keyPacket = findKeyPacket(key, options.signingKeyFingerprint);
  const bytes =
    typeof options.data === 'string' ? new TextEncoder().encode(options.data) : options.data;

  const message = await createMessage({ binary: bytes, format: 'binary' });
  const literal = message.packets.findPacket(enums.packet.literalData) as LiteralDataPacket;
  const signature = new SignaturePacket();
  signature.signatureType = enums.signature.binary;
  await completeExternalSignature(
    signature,
    keyPacket,
    literal,
    options.sign,
    options.date ?? new Date(),
  );

  const packets = new PacketList<SignaturePacket>();
  packets.push(signature);
  return new Signature(packets).armor(openpgpFullConfig);
}
