// The container of the application/x-sealpost-ratchet part: round trip, labels, and rejection
// of damaged input with RATCHET_MESSAGE_MALFORMED.

import { describe, expect, it } from 'vitest';
import {
  decodeContainer,
  encodeContainer,
  recipientLabel,
} from '../../src/core/ratchet/wire-format.ts';
import { errorCode } from '../../src/core/errors.ts';

const container = {
  entries: [
    { label: recipientLabel('bob@example.org'), wrappedKey: new Uint8Array([1, 2, 3]) },
    { label: recipientLabel('carol@example.org'), wrappedKey: new Uint8Array(300).fill(7) },
  ],
  encryptedBody: new Uint8Array([9, 8, 7, 6]),
};

function codeOf(action: () => unknown): string {
  try {
    action();
  } catch (error) {
    return errorCode(error);
  }
  return 'NO_ERROR';
}

describe('ratchet container', () => {
  it('round trip keeps entries and body', () => {
    const decoded = decodeContainer(encodeContainer(container));

    expect(decoded.entries).toHaveLength(2);
    expect(decoded.entries[0]!.label).toEqual(container.entries[0]!.label);
    expect(decoded.entries[1]!.wrappedKey).toEqual(container.entries[1]!.wrappedKey);
    expect(decoded.encryptedBody).toEqual(container.encryptedBody);
  });

  it('labels ignore address case', () => {
    expect(recipientLabel('Bob@Example.org')).toEqual(recipientLabel('bob@example.org'));
    expect(recipientLabel('bob@example.org')).not.toEqual(recipientLabel('carol@example.org'));
    expect(recipientLabel('bob@example.org')).toHaveLength(16);
  });

  it('damaged input is malformed', () => {
    const encoded = encodeContainer(container);
    const wrongMagic = encoded.slice();
    wrongMagic[0] = 0x41;
    const wrongVersion = encoded.slice();
    wrongVersion[4] = 2;
    const noBody = encodeContainer({ ...container, encryptedBody: new Uint8Array(0) });
    const cases: Array<[string, Uint8Array]> = [
      ['wrong magic', wrongMagic],
      ['wrong version', wrongVersion],
      ['cut inside an entry', encoded.slice(0, 30)],
      ['no body', noBody],
      ['empty', new Uint8Array(0)],
    ];
    for (const [name, bytes] of cases) {
      expect(
        codeOf(() => decodeContainer(bytes)),
        name,
      ).toBe('RATCHET_MESSAGE_MALFORMED');
    }
  });
});
