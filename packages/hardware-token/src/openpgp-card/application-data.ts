// Parser for the OpenPGP card's Application Related Data (tag 6E, OpenPGP card specification
// 3.4). It reads the AID, historical bytes, extended capabilities, algorithm attributes, PW
// status bytes, fingerprints and generation times, plus Cardholder Related Data (tag 65).
import { HardwareTokenError } from '../errors.ts';
import { findTlv, parseTlv, type Tlv } from '../pcsc/ber-tlv.ts';
import {
  KEY_SLOT_TAGS,
  KEY_SLOTS,
  parseAlgorithmAttributes,
  type AlgorithmAttributes,
  type KeySlot,
} from './key-slots.ts';

export interface PinStatus {
  /** False when PW1 must be verified again before each PSO:COMPUTE DIGITAL SIGNATURE. */
  userPinValidForMultipleSignatures: boolean;
  maxLength: { user: number; resetCode: number; admin: number };
  /** Tries left before the PIN blocks; 0 means blocked. */
  retries: { user: number; resetCode: number; admin: number };
}

export interface ApplicationData {
  /** The full 16-byte application identifier. */
  aid: Uint8Array;
  /** Specification version as "major.minor", for example "3.4". */
  version: string;
  manufacturer: number;
  /** Serial number as 8 hex digits, unique per manufacturer. */
  serial: string;
  supportsCommandChaining: boolean;
  supportsExtendedLength: boolean;
  /** Maximum command and response data lengths from tag 7F66, when the card sends it. */
  maxCommandLength: number;
  maxResponseLength: number;
  supportsKeyImport: boolean;
  supportsAlgorithmAttributeChange: boolean;
  algorithmAttributes: Record<KeySlot, AlgorithmAttributes>;
  pinStatus: PinStatus;
  /** 20-byte v4 fingerprints, or null for an empty slot (all zero bytes). */
  fingerprints: Record<KeySlot, Uint8Array | null>;
  /** Key generation times, or null where the card stores zero. */
  generationTimes: Record<KeySlot, Date | null>;
}

export interface CardholderData {
  name: string;
  language: string;
  /** ISO 5218 code: 0 unknown, 1 male, 2 female, 9 not applicable. */
  sex: number;
}

function malformed(detail: string): HardwareTokenError {
  return new HardwareTokenError(
    'CARD_RESPONSE_MALFORMED',
    `The card's application related data is malformed: ${detail}. Check that the card runs an OpenPGP application of version 2.0 or later.`,
  );
}

function required(objects: Tlv[], tag: number, name: string): Uint8Array {
  const object = findTlv(objects, tag);
  if (!object) throw malformed(`${name} (tag ${tag.toString(16).toUpperCase()}) is missing`);
  return object.value;
}

/** Reads the card capabilities from the historical bytes' COMPACT-TLV tag 7 (ISO/IEC 7816-4 8.1.1.2.7). */
function parseCardCapabilities(historical: Uint8Array): { chaining: boolean; extended: boolean } {
  // Category indicator 0x00: COMPACT-TLV objects follow, then a 3-byte status indicator.
  if (historical[0] !== 0x00) return { chaining: false, extended: false };
  let offset = 1;
  while (offset < historical.length - 3) {
    const tag = historical[offset]! >> 4;
    const length = historical[offset]! & 0x0f;
    if (tag === 0x7 && length === 3) {
      const third = historical[offset + 3] ?? 0;
      return { chaining: (third & 0x80) !== 0, extended: (third & 0x40) !== 0 };
    }
    offset += 1 + length;
  }
  return { chaining: false, extended: false };
}

function nonZero(bytes: Uint8Array): boolean {
  return bytes.some((byte) => byte !== 0);
}

export function parseApplicationData(bytes: Uint8Array): ApplicationData {
  const objects = parseTlv(bytes);
  const aid = required(objects, 0x4f, 'application identifier');
  if (aid.length !== 16) throw malformed(`AID has ${aid.length} bytes instead of 16`);

  const historical = findTlv(objects, 0x5f52)?.value ?? new Uint8Array(0);
  const capabilities = parseCardCapabilities(historical);

  const extendedCapabilities = required(objects, 0xc0, 'extended capabilities');
  const firstCapabilityByte = extendedCapabilities[0] ?? 0;

  // Tag 7F66 contains two 02-02 objects: maximum command and response lengths.
  let maxCommandLength = 255;
  let maxResponseLength = 256;
  const lengthInfo = findTlv(objects, 0x7f66);
  if (lengthInfo) {
    const [command, response] = lengthInfo.children;
    if (command?.value.length === 2)
      maxCommandLength = (command.value[0]! << 8) | command.value[1]!;
    if (response?.value.length === 2)
      maxResponseLength = (response.value[0]! << 8) | response.value[1]!;
  }

  const pw = required(objects, 0xc4, 'PW status bytes');
  if (pw.length < 7) throw malformed(`PW status bytes have ${pw.length} bytes instead of 7`);

  const fingerprintBytes = required(objects, 0xc5, 'fingerprints');
  if (fingerprintBytes.length < 60) {
    throw malformed(`fingerprints have ${fingerprintBytes.length} bytes instead of 60`);
  }
  const timeBytes = findTlv(objects, 0xcd)?.value ?? new Uint8Array(12);

  const algorithmAttributes = {} as Record<KeySlot, AlgorithmAttributes>;
  const fingerprints = {} as Record<KeySlot, Uint8Array | null>;
  const generationTimes = {} as Record<KeySlot, Date | null>;
  KEY_SLOTS.forEach((slot, index) => {
    algorithmAttributes[slot] = parseAlgorithmAttributes(
      required(objects, KEY_SLOT_TAGS[slot].algorithmAttributes, `${slot} algorithm attributes`),
    );
    const fingerprint = fingerprintBytes.slice(index * 20, index * 20 + 20);
    fingerprints[slot] = nonZero(fingerprint) ? fingerprint : null;
    const time = Buffer.from(timeBytes).readUInt32BE(index * 4);
    generationTimes[slot] = time === 0 ? null : new Date(time * 1000);
  });

  return {
    aid: aid.slice(),
    version: `${aid[6]}.${aid[7]}`,
    manufacturer: (aid[8]! << 8) | aid[9]!,
    serial: Buffer.from(aid.subarray(10, 14)).toString('hex').toUpperCase(),
    supportsCommandChaining: capabilities.chaining,
    supportsExtendedLength: capabilities.extended,
    maxCommandLength,
    maxResponseLength,
    supportsKeyImport: (firstCapabilityByte & 0x20) !== 0,
    supportsAlgorithmAttributeChange: (firstCapabilityByte & 0x04) !== 0,
    algorithmAttributes,
    pinStatus: {
      userPinValidForMultipleSignatures: pw[0] === 0x01,
      maxLength: { user: pw[1]!, resetCode: pw[2]!, admin: pw[3]! },
      retries: { user: pw[4]!, resetCode: pw[5]!, admin: pw[6]! },
    },
    fingerprints,
    generationTimes,
  };
}

export function parseCardholderData(bytes: Uint8Array): CardholderData {
  const objects = parseTlv(bytes);
  const text = (tag: number): string =>
    Buffer.from(findTlv(objects, tag)?.value ?? []).toString('latin1');
  const sex = findTlv(objects, 0x5f35)?.value;
  return {
    // The card stores the name as "Surname<<Given<Names" in ISO 8859-1.
    name: text(0x5b),
    language: text(0x5f2d),
    sex: sex && sex.length > 0 ? sex[0]! - 0x30 : 0,
  };
}
