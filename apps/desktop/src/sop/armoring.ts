// ASCII armor (RFC 9580 section 6) for sealpost-sop: the "armor" and "dearmor" subcommands
// and the --no-armor form of every output. The armor type follows the first packet's tag.
// openpgp.js encodes and decodes the armor; the CRC-24 line is written, as GnuPG 2.2 wants.
import { armor, enums, unarmor } from 'openpgp';
import { SopError } from './errors.ts';

export type ArmorType = 'message' | 'signature' | 'publicKey' | 'privateKey';

const armorHeader = '-----BEGIN PGP ';

/** Checks whether the bytes start, after white space, with an armor header line. */
export function isArmored(bytes: Uint8Array): boolean {
  const head = new TextDecoder('utf-8', { fatal: false }).decode(bytes.subarray(0, 1024));
  return head.trimStart().startsWith(armorHeader);
}

/** Decodes armored bytes to binary packets; binary input is returned unchanged. */
export async function dearmorBytes(bytes: Uint8Array, label: string): Promise<Uint8Array> {
  if (!isArmored(bytes)) return bytes;
  try {
    const { data } = await unarmor(new TextDecoder().decode(bytes));
    return data as Uint8Array;
  } catch (error) {
    throw new SopError(
      'BAD_DATA',
      `${label} is not valid OpenPGP armor (${(error as Error).message}).`,
      { cause: error },
    );
  }
}

/** Armors binary packets with the armor type of the given kind. */
export function armorBytes(type: ArmorType, bytes: Uint8Array): string {
  return armor(enums.armor[type], bytes, undefined, undefined, undefined, true);
}

/** Returns crypto-core's armored output as the command prints it: armored or binary. */
export async function outputOf(armored: string, noArmor: boolean): Promise<Uint8Array> {
  const bytes = new TextEncoder().encode(armored);
  return noArmor ? dearmorBytes(bytes, 'output') : bytes;
}

/** "armor": armors binary input by the type of its first packet; armored input passes through. */
export async function armorCommand(input: Uint8Array): Promise<Uint8Array> {
  if (isArmored(input)) return input;
  return new TextEncoder().encode(armorBytes(armorTypeOf(input), input));
}

/** "dearmor": decodes armored input; binary input passes through after a packet check. */
export async function dearmorCommand(input: Uint8Array): Promise<Uint8Array> {
  const binary = await dearmorBytes(input, 'Standard input');
  armorTypeOf(binary);
  return binary;
}

/** Picks the armor type from the tag of the first packet (RFC 9580 section 4.2). */
export function armorTypeOf(bytes: Uint8Array): ArmorType {
  const first = bytes[0];
  if (first === undefined || (first & 0x80) === 0) {
    throw new SopError(
      'BAD_DATA',
      'Standard input is not OpenPGP data: it does not start with a packet header.',
    );
  }
  const tag = first & 0x40 ? first & 0x3f : (first >> 2) & 0x0f;
  if (tag === 5) return 'privateKey';
  if (tag === 6) return 'publicKey';
  if (tag === 2) return 'signature';
  return 'message';
}
