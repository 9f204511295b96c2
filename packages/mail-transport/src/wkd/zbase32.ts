// z-base-32 encoding as the Web Key Directory uses it for the hashed local part
// (draft-koch-openpgp-webkey-service section 3.1, alphabet from RFC 6189 section 5.1.6).

const ALPHABET = 'ybndrfg8ejkmcpqxot1uwisza345h769';

/** Encodes `bytes` into z-base-32, five bits per character, most significant bit first. */
export function zbase32Encode(bytes: Uint8Array): string {
  let output = '';
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      output += ALPHABET[(buffer >> (bits - 5)) & 31];
      bits -= 5;
    }
    buffer &= (1 << bits) - 1;
  }
  if (bits > 0) output += ALPHABET[(buffer << (5 - bits)) & 31];
  return output;
}
