// OpenPGP packet framing (RFC 9580 section 4.2): splits a binary packet stream into packets
// and writes packets back with OpenPGP (new-format) headers. Used for the packets that
// openpgp.js 6.3 drops, so they can be kept and re-serialized beside the openpgp.js objects.
// Partial body lengths (section 4.2.1.4) are rejected, because key blocks and PKESK packets
// never use them.
import { armor, enums, unarmor } from 'openpgp';
import { openpgpFullConfig } from '../config.ts';
import { CryptoError } from '../errors.ts';

/** One packet of a stream: its tag and a view of its body (not copied). */
export interface RawPacket {
  tag: number;
  body: Uint8Array;
}

/** Splits binary OpenPGP data into its packets. Throws KEY_MALFORMED on a broken header. */
export function readPackets(bytes: Uint8Array, label: string): RawPacket[] {
  const packets: RawPacket[] = [];
  let offset = 0;

  while (offset < bytes.length) {
    const first = bytes[offset] as number;
    if ((first & 0x80) === 0) {
      throw malformed(label, `no packet header at offset ${offset}`);
    }

    let tag: number;
    let length: number;
    let headerLength: number;
    if (first & 0x40) {
      // OpenPGP format: the tag is in the low 6 bits, then a 1, 2 or 5 octet length.
      tag = first & 0x3f;
      const octet = byteAt(bytes, offset + 1, label);
      if (octet < 192) {
        length = octet;
        headerLength = 2;
      } else if (octet < 224) {
        length = ((octet - 192) << 8) + byteAt(bytes, offset + 2, label) + 192;
        headerLength = 3;
      } else if (octet === 255) {
        length = readUint32(bytes, offset + 2, label);
        headerLength = 6;
      } else {
        throw malformed(label, `partial body length at offset ${offset}`);
      }
    } else {
      // Legacy format: tag in bits 5-2, length type in bits 1-0.
      tag = (first >> 2) & 0x0f;
      const lengthType = first & 0x03;
      if (lengthType === 0) {
        length = byteAt(bytes, offset + 1, label);
        headerLength = 2;
      } else if (lengthType === 1) {
        length = (byteAt(bytes, offset + 1, label) << 8) | byteAt(bytes, offset + 2, label);
        headerLength = 3;
      } else if (lengthType === 2) {
        length = readUint32(bytes, offset + 1, label);
        headerLength = 5;
      } else {
        throw malformed(label, `indeterminate length at offset ${offset}`);
      }
    }

    const bodyStart = offset + headerLength;
    const bodyEnd = bodyStart + length;
    if (bodyEnd > bytes.length) {
      throw malformed(label, `packet at offset ${offset} is cut off`);
    }
    packets.push({ tag, body: bytes.subarray(bodyStart, bodyEnd) });
    offset = bodyEnd;
  }
  return packets;
}

/** Writes one packet with an OpenPGP format header and a definite length. */
export function writePacket(tag: number, body: Uint8Array): Uint8Array {
  let header: Uint8Array;
  if (body.length < 192) {
    header = Uint8Array.of(0xc0 | tag, body.length);
  } else if (body.length < 8384) {
    const value = body.length - 192;
    header = Uint8Array.of(0xc0 | tag, (value >> 8) + 192, value & 0xff);
  } else {
    header = new Uint8Array(6);
    header[0] = 0xc0 | tag;
    header[1] = 255;
    new DataView(header.buffer).setUint32(2, body.length);
  }
  return concatBytes(header, body);
}

/** Writes a packet list back to one binary stream. */
export function writePackets(packets: readonly RawPacket[]): Uint8Array {
  return concatBytes(...packets.map((packet) => writePacket(packet.tag, packet.body)));
}

/** Decodes armored text (RFC 9580 section 6) to binary with openpgp.js; binary passes through. */
export async function dearmor(data: string | Uint8Array, label: string): Promise<Uint8Array> {
  if (data instanceof Uint8Array) return data;
  try {
    const { data: binary } = await unarmor(data);
    return binary as Uint8Array;
  } catch (error) {
    throw new CryptoError('KEY_MALFORMED', `${label} is not valid OpenPGP armor.`, {
      cause: error,
    });
  }
}

/**
 * Armors a binary key block or message with openpgp.js and the project configuration. The
 * CRC-24 checksum is written for v4 data, as openpgp.js does, because GnuPG 2.2 fails to
 * decode some armor without it.
 */
export function armorPackets(
  type: 'publicKey' | 'privateKey' | 'message',
  bytes: Uint8Array,
  emitChecksum = true,
): string {
  return armor(
    enums.armor[type],
    bytes,
    undefined,
    undefined,
    undefined,
    emitChecksum,
    openpgpFullConfig,
  );
}

export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  const total = parts.reduce((sum, part) => sum + part.length, 0);
  const result = new Uint8Array(total);
  let offset = 0;
  for (const part of parts) {
    result.set(part, offset);
    offset += part.length;
  }
  return result;
}

function byteAt(bytes: Uint8Array, index: number, label: string): number {
  const value = bytes[index];
  if (value === undefined) throw malformed(label, 'packet header is cut off');
  return value;
}

function readUint32(bytes: Uint8Array, index: number, label: string): number {
  if (index + 4 > bytes.length) throw malformed(label, 'packet header is cut off');
  return new DataView(bytes.buffer, bytes.byteOffset + index, 4).getUint32(0);
}

function malformed(label: string, detail: string): CryptoError {
  return new CryptoError(
    'KEY_MALFORMED',
    `${label} is not a valid OpenPGP packet stream (${detail}); pass a complete key block.`,
  );
}
