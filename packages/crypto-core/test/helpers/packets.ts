// Locates the packets of a binary OpenPGP message (RFC 9580 section 4.2), so tests can modify
// bytes inside one packet body. Partial body lengths are not needed for non-streamed messages.
export interface PacketLocation {
  tag: number;
  bodyStart: number;
  bodyEnd: number;
}

export function listPackets(bytes: Uint8Array): PacketLocation[] {
  const packets: PacketLocation[] = [];
  let offset = 0;
  while (offset < bytes.length) {
    const first = bytes[offset]!;
    if ((first & 0x80) === 0) throw new Error(`No packet header at offset ${offset}`);
    let tag: number;
    let length: number;
    let headerLength: number;

    if (first & 0x40) {
      tag = first & 0x3f;
      const octet = bytes[offset + 1]!;
      if (octet < 192) {
        length = octet;
        headerLength = 2;
      } else if (octet < 224) {
        length = ((octet - 192) << 8) + bytes[offset + 2]! + 192;
        headerLength = 3;
      } else if (octet === 255) {
        length = new DataView(bytes.buffer, bytes.byteOffset + offset + 2, 4).getUint32(0);
        headerLength = 6;
      } else {
        throw new Error('Partial body lengths are not supported by this helper');
      }
    } else {
      tag = (first >> 2) & 0x0f;
      const lengthType = first & 0x03;
      const sizes = [1, 2, 4];
      const size = sizes[lengthType];
      if (size === undefined) throw new Error('Indeterminate old-format length');
      length = 0;
      for (let i = 0; i < size; i++) length = length * 256 + bytes[offset + 1 + i]!;
      headerLength = 1 + size;
    }

    packets.push({
      tag,
      bodyStart: offset + headerLength,
      bodyEnd: offset + headerLength + length,
    });
    offset += headerLength + length;
  }
  return packets;
}

/**
 * Removes the ASCII armor (RFC 9580 section 6.2) and returns the packets as bytes: the
 * base64 lines between the blank line after the headers and the checksum or footer line.
 */
export function dearmor(armored: string): Uint8Array {
  const lines = armored.replace(/\r/g, '').split('\n');
  const begin = lines.findIndex((line) => line.startsWith('-----BEGIN PGP '));
  const blank = lines.indexOf('', begin);
  const body: string[] = [];
  for (const line of lines.slice(blank + 1)) {
    if (line.startsWith('=') || line.startsWith('-----END PGP ')) break;
    body.push(line.trim());
  }
  return new Uint8Array(Buffer.from(body.join(''), 'base64'));
}

export function flipBit(bytes: Uint8Array, position: number, bit = 0): Uint8Array {
  const copy = bytes.slice();
  copy[position] = copy[position]! ^ (1 << bit);
  return copy;
}
