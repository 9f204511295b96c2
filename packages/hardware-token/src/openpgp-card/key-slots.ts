// The three key slots of the OpenPGP card application 3.4 and the data object tags that belong
// to each (OpenPGP card specification 3.4): control reference template, algorithm attributes,
// fingerprint and generation time. Algorithm attributes cover the curves Sealpost uses.

export type KeySlot = 'signature' | 'decryption' | 'authentication';

export interface KeySlotTags {
  /** Control reference template for GENERATE ASYMMETRIC KEY PAIR and key import. */
  crt: number;
  algorithmAttributes: number;
  fingerprint: number;
  generationTime: number;
}

export const KEY_SLOT_TAGS: Readonly<Record<KeySlot, KeySlotTags>> = Object.freeze({
  signature: { crt: 0xb6, algorithmAttributes: 0xc1, fingerprint: 0xc7, generationTime: 0xce },
  decryption: { crt: 0xb8, algorithmAttributes: 0xc2, fingerprint: 0xc8, generationTime: 0xcf },
  authentication: { crt: 0xa4, algorithmAttributes: 0xc3, fingerprint: 0xc9, generationTime: 0xd0 },
});

export const KEY_SLOTS: readonly KeySlot[] = ['signature', 'decryption', 'authentication'];

export type CardAlgorithm = 'ed25519' | 'x25519' | 'rsa' | 'other';

/** OpenPGP public-key algorithm IDs (RFC 9580) that cards use in attributes. */
const ALGORITHM_ID = { rsa: 0x01, ecdh: 0x12, ecdsa: 0x13, eddsa: 0x16 } as const;

// Curve OIDs without DER tag and length: 1.3.6.1.4.1.11591.15.1 (Ed25519) and
// 1.3.6.1.4.1.3029.1.5.1 (Curve25519), as RFC 9580 lists them.
const OID_ED25519 = Uint8Array.from([0x2b, 0x06, 0x01, 0x04, 0x01, 0xda, 0x47, 0x0f, 0x01]);
const OID_CURVE25519 = Uint8Array.from([
  0x2b, 0x06, 0x01, 0x04, 0x01, 0x97, 0x55, 0x01, 0x05, 0x01,
]);

export interface AlgorithmAttributes {
  algorithm: CardAlgorithm;
  /** The raw data object, kept for messages and for writing it back unchanged. */
  raw: Uint8Array;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, index) => byte === b[index]);
}

/** Reads an algorithm attributes data object (C1, C2 or C3). */
export function parseAlgorithmAttributes(raw: Uint8Array): AlgorithmAttributes {
  const id = raw[0];
  // A trailing 0xFF is the "import with public key" flag, not part of the OID.
  const oidEnd = raw[raw.length - 1] === 0xff ? raw.length - 1 : raw.length;
  const oid = raw.subarray(1, oidEnd);
  let algorithm: CardAlgorithm = 'other';
  if (id === ALGORITHM_ID.rsa) algorithm = 'rsa';
  else if (id === ALGORITHM_ID.eddsa && sameBytes(oid, OID_ED25519)) algorithm = 'ed25519';
  else if (id === ALGORITHM_ID.ecdh && sameBytes(oid, OID_CURVE25519)) algorithm = 'x25519';
  return { algorithm, raw: raw.slice() };
}

/** Encodes the algorithm attributes for Ed25519 signing or X25519 decryption. */
export function encodeAlgorithmAttributes(algorithm: 'ed25519' | 'x25519'): Uint8Array {
  const [id, oid] =
    algorithm === 'ed25519'
      ? [ALGORITHM_ID.eddsa, OID_ED25519]
      : [ALGORITHM_ID.ecdh, OID_CURVE25519];
  return Uint8Array.from([id, ...oid]);
}

export function describeAttributes(attributes: AlgorithmAttributes): string {
  if (attributes.algorithm !== 'other') return attributes.algorithm;
  return `algorithm ${attributes.raw[0]} (${Buffer.from(attributes.raw).toString('hex')})`;
}
