// Seed inputs for each fuzz target, and the byte mutations that both the CI-sized property
// tests and the long run apply to them. Seeds come from the test fixtures (placeholders filled
// with short stand-in values) and from well-formed encodings of each binary format.

import { readdirSync, readFileSync } from 'node:fs';
import {
  ecdhCipherTextLength,
  mlkemCipherTextLength,
} from '../packages/crypto-core/src/pq/composite-kem.ts';
import {
  ENCRYPTED_HEADER_LENGTH,
  HEADER_LENGTH,
} from '../packages/crypto-core/src/ratchet/header.ts';
import { MESSAGE_VERSION } from '../packages/crypto-core/src/ratchet/message.ts';

const fixtureFolder = new URL('../test/fixtures/mail/', import.meta.url);
const STAND_IN_ARMOR = [
  '-----BEGIN PGP MESSAGE-----',
  '',
  'wV4DAAAAAAAAAAASAQdAexampleexampleexampleexampleexampleexample',
  '-----END PGP MESSAGE-----',
].join('\n');

/** Returns every mail fixture with its placeholders filled by short stand-in values. */
export function mailSeeds(): Uint8Array[] {
  return readdirSync(fixtureFolder)
    .filter((name) => name.endsWith('.eml'))
    .map((name) => {
      const template = readFileSync(new URL(name, fixtureFolder), 'latin1');
      const filled = template
        .replace(/\{\{ARMOR(_BASE64)?\}\}/g, STAND_IN_ARMOR)
        .replace(/\{\{SIGNATURE\}\}/g, STAND_IN_ARMOR.replace(/MESSAGE/g, 'SIGNATURE'))
        .replace(/\{\{SIGNED_PART\}\}/g, 'Content-Type: text/plain\n\nSigned.')
        .replace(/\{\{[A-Z0-9_]+\}\}/g, 'x@sealpost.test');
      return new Uint8Array(Buffer.from(filled.replace(/\r?\n/g, '\r\n'), 'latin1'));
    });
}

function text(value: string): Uint8Array {
  return new Uint8Array(Buffer.from(value, 'latin1'));
}

/** Builds a v3 PKESK body for algorithm 35 with every length field consistent. */
function pkeskSeed(): Uint8Array {
  const wrapped = 24;
  return new Uint8Array([
    3,
    ...new Array<number>(8).fill(0x11),
    35,
    ...new Array<number>(ecdhCipherTextLength + mlkemCipherTextLength).fill(0x22),
    1 + wrapped,
    9,
    ...new Array<number>(wrapped).fill(0x33),
  ]);
}

export function seedsFor(target: string): Uint8Array[] {
  switch (target) {
    case 'mime-parser':
    case 'mime-entity':
      return mailSeeds();
    case 'pgp-mime-detection':
      return [text('Version: 1\r\n' + STAND_IN_ARMOR), text('')];
    case 'inline-pgp':
      return [
        text(
          'Hash: SHA256\r\n\r\nGr\xfc\xdfe\r\n- -- dashed\r\n-----BEGIN PGP SIGNATURE-----\r\n\r\nabc\r\n-----END PGP SIGNATURE-----',
        ),
      ];
    case 'autocrypt-header':
      return [
        text('addr=alice@sealpost.test; prefer-encrypt=mutual; keydata=\r\n AAECAwQFBgcICQ=='),
        text('addr=ALICE@sealpost.test; _x=1; keydata=AAAA'),
      ];
    case 'armor':
      return [text('wV4DAAAAAAAAAAASAQdAexample\n=AAAA'), text('Comment: x\n\nAAAA')];
    case 'openpgp-message':
      return [
        new Uint8Array([0xc1, 0x0c, 3, 1, 2, 3, 4, 5, 6, 7, 8, 18, 0, 0]),
        new Uint8Array([0xd2, 0x03, 1, 0, 0]),
      ];
    case 'pq-pkesk':
      return [pkeskSeed()];
    case 'ratchet-header':
      return [
        new Uint8Array(HEADER_LENGTH),
        new Uint8Array(ENCRYPTED_HEADER_LENGTH),
        new Uint8Array([
          MESSAGE_VERSION,
          ...new Array<number>(ENCRYPTED_HEADER_LENGTH + 40).fill(1),
        ]),
      ];
    default:
      throw new Error(`no seeds for fuzz target ${target}`);
  }
}

/** One edit of a byte string; positions and values are taken modulo the input. */
export type Mutation =
  | { kind: 'flip'; at: number; bit: number }
  | { kind: 'set'; at: number; value: number }
  | { kind: 'delete'; at: number; length: number }
  | { kind: 'insert'; at: number; data: Uint8Array }
  | { kind: 'duplicate'; at: number; length: number; times: number };

/** Applies mutations in order; output length is capped at `maxLength` bytes. */
export function mutate(
  input: Uint8Array,
  mutations: readonly Mutation[],
  maxLength = 1 << 20,
): Uint8Array {
  let data = Buffer.from(input);
  for (const mutation of mutations) {
    const at = data.length === 0 ? 0 : mutation.at % (data.length + 1);
    switch (mutation.kind) {
      case 'flip':
        if (at < data.length) data[at] = data[at]! ^ (1 << (mutation.bit % 8));
        break;
      case 'set':
        if (at < data.length) data[at] = mutation.value & 0xff;
        break;
      case 'delete':
        data = Buffer.concat([data.subarray(0, at), data.subarray(at + mutation.length)]);
        break;
      case 'insert':
        data = Buffer.concat([data.subarray(0, at), Buffer.from(mutation.data), data.subarray(at)]);
        break;
      case 'duplicate': {
        const slice = data.subarray(at, at + mutation.length);
        const copies = Array.from({ length: mutation.times % 64 }, () => slice);
        data = Buffer.concat([data.subarray(0, at), ...copies, data.subarray(at)]);
        break;
      }
    }
    if (data.length > maxLength) data = data.subarray(0, maxLength);
  }
  return new Uint8Array(data);
}

/** Tokens that steer mutations toward the grammar of mail and armor. */
export const DICTIONARY = [
  '\r\n',
  '\r\n\r\n',
  '--b\r\n',
  '--b--\r\n',
  'Content-Type: multipart/mixed; boundary="b"\r\n',
  'Content-Type: multipart/signed; protocol="application/pgp-signature"; boundary="b"\r\n',
  'Content-Type: application/pgp-encrypted\r\n',
  'Content-Transfer-Encoding: base64\r\n',
  'Content-Transfer-Encoding: quoted-printable\r\n',
  '=\r\n',
  '=C3',
  '-----BEGIN PGP MESSAGE-----\r\n',
  '-----BEGIN PGP SIGNATURE-----\r\n',
  '-----END PGP SIGNATURE-----\r\n',
  '- ',
  'keydata=',
  '; ',
  '*0*=',
  "utf-8''",
].map((token) => new Uint8Array(Buffer.from(token, 'latin1')));
