// Fuzz targets for every parser that reads untrusted input: the MIME parser, PGP/MIME
// detection, inline PGP and cleartext signatures, Autocrypt headers, ASCII armor, OpenPGP
// message reading, the RFC 9980 PKESK parser and the ratchet header and message decoders.
// A target returns normally or raises the parser's typed error; anything else is a finding.

import { randomBytes } from 'node:crypto';
import { CryptoError, decryptAndVerify } from '../packages/crypto-core/src/index.ts';
import { readMlkemX25519Pkesk, readPkeskRecipient } from '../packages/crypto-core/src/pq/pkesk.ts';
import { RatchetError } from '../packages/crypto-core/src/ratchet/errors.ts';
import { decodeHeader, decryptHeader } from '../packages/crypto-core/src/ratchet/header.ts';
import { decodeMessage } from '../packages/crypto-core/src/ratchet/message.ts';
import {
  TransportError,
  parseAutocryptHeaders,
  parseEntity,
  parseGossipHeaders,
  parseMessage,
} from '../packages/mail-transport/src/index.ts';

export interface FuzzTarget {
  name: string;
  /**
   * Runs one input. Resolves with an outcome key (accepted, or the typed error's code and the
   * shape of its message) when the parser accepted or rejected it with a typed error.
   */
  run(data: Uint8Array): Promise<string>;
}

/** Error classes that count as a clean rejection. */
const TYPED_ERRORS = [TransportError, CryptoError, RatchetError];

export function isTypedError(error: unknown): boolean {
  return TYPED_ERRORS.some((type) => error instanceof type);
}

/** Runs each operation on its own, so an early rejection does not skip the later parsers. */
async function expectTyped(...operations: Array<() => unknown>): Promise<string> {
  const outcomes: string[] = [];
  for (const operation of operations) {
    try {
      const result = await operation();
      outcomes.push(typeof result === 'string' ? result : result === null ? 'null' : 'accepted');
    } catch (error) {
      if (!isTypedError(error)) throw error;
      const { code, message } = error as { code: string; message: string };
      const shape = message.replace(/"[^"]*"/g, 'S').replace(/[0-9a-f]{6,}|\d+/gi, 'N');
      outcomes.push(`${code}:${shape.slice(0, 48)}`);
    }
  }
  return outcomes.join('|');
}

const latin1 = (data: Uint8Array): string => Buffer.from(data).toString('latin1');
const bytes = (text: string): Uint8Array => new Uint8Array(Buffer.from(text, 'latin1'));

/** Wraps fuzz data as the parts of a mixed-up PGP/MIME message (the Exchange form). */
function mixedUpShell(data: Uint8Array): Uint8Array {
  const half = Math.floor(data.length / 2);
  return bytes(
    [
      'From: a@sealpost.test',
      'Content-Type: multipart/mixed; boundary="b"',
      '',
      '--b',
      'Content-Type: text/plain',
      '',
      '',
      '--b',
      'Content-Type: application/pgp-encrypted',
      'Content-Transfer-Encoding: base64',
      '',
      Buffer.from(data.subarray(0, half)).toString('base64'),
      '--b',
      'Content-Type: application/octet-stream',
      '',
      latin1(data.subarray(half)),
      '--b--',
      '',
    ].join('\r\n'),
  );
}

/** Wraps fuzz data as an ISO-8859-1 quoted-printable body that may hold inline PGP. */
function inlineShell(data: Uint8Array): Uint8Array {
  return bytes(
    [
      'From: a@sealpost.test',
      'Content-Type: text/plain; charset=iso-8859-1',
      'Content-Transfer-Encoding: quoted-printable',
      '',
      '-----BEGIN PGP SIGNED MESSAGE-----',
      latin1(data),
      '',
    ].join('\r\n'),
  );
}

const headerKey = randomBytes(32);

export const targets: FuzzTarget[] = [
  {
    name: 'mime-parser',
    run: (data) =>
      expectTyped(() => {
        const parsed = parseMessage(data);
        if (parsed.signed) parseEntity(parsed.signed.signedBytes);
        return parsed.kind;
      }),
  },
  {
    name: 'mime-entity',
    run: (data) => expectTyped(() => parseEntity(data)),
  },
  {
    name: 'pgp-mime-detection',
    run: (data) => expectTyped(() => parseMessage(mixedUpShell(data)).kind),
  },
  {
    name: 'inline-pgp',
    run: (data) =>
      expectTyped(() => {
        const parsed = parseMessage(inlineShell(data));
        return `${parsed.kind}:${parsed.inline?.cleartext ? 'cleartext' : 'none'}`;
      }),
  },
  {
    name: 'autocrypt-header',
    run: (data) =>
      expectTyped(
        () => parseAutocryptHeaders([latin1(data)], 'alice@sealpost.test'),
        () => parseGossipHeaders([latin1(data)], ['alice@sealpost.test']),
      ),
  },
  {
    name: 'armor',
    run: (data) =>
      expectTyped(() =>
        decryptAndVerify({
          message: `-----BEGIN PGP MESSAGE-----\n\n${latin1(data)}\n-----END PGP MESSAGE-----\n`,
          decryptionKeys: [],
          verificationCertificates: [],
        }),
      ),
  },
  {
    name: 'openpgp-message',
    run: (data) =>
      expectTyped(() =>
        decryptAndVerify({
          message: data.length === 0 ? new Uint8Array([0]) : data,
          decryptionKeys: [],
          verificationCertificates: [],
        }),
      ),
  },
  {
    name: 'pq-pkesk',
    run: (data) =>
      expectTyped(
        () => readPkeskRecipient(data),
        () => readMlkemX25519Pkesk(data),
      ),
  },
  {
    name: 'ratchet-header',
    run: (data) =>
      expectTyped(
        () => decodeHeader(data),
        () => decryptHeader(headerKey, data, new Uint8Array(0)),
        () => decodeMessage(data),
      ),
  },
];
