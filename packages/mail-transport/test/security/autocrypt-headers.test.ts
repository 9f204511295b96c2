// Autocrypt Level 1 header cases from real mail: folded keydata, an unknown critical
// attribute (header ignored), an addr that differs from From only in case (accepted), and
// Autocrypt-Gossip outside the encryption (never returned for a plain message).

import { describe, expect, it } from 'vitest';
import { foldedKeydata, loadMailFixture } from '../../../../test/fixtures/load.ts';
import { parseAutocryptHeaders, parseMessage } from '../../src/index.ts';

// Stands in for a certificate: the parser returns keydata as bytes without reading it.
const keydata = new Uint8Array(600).map((_, index) => (index * 37) % 256);
const values = { KEYDATA_FOLDED: foldedKeydata(keydata) };

function senderHeader(name: string): ReturnType<typeof parseAutocryptHeaders> {
  const parsed = parseMessage(loadMailFixture(name, values));
  return parseAutocryptHeaders(parsed.autocryptHeaders, parsed.headers.from!.address);
}

describe('Autocrypt headers', () => {
  it('reads folded keydata', () => {
    const header = senderHeader('autocrypt-folded-keydata.eml');
    expect(header?.addr).toBe('alice@sealpost.test');
    expect(header?.preferEncrypt).toBe('mutual');
    expect(header?.keydata).toEqual(keydata);
  });

  it('ignores a header with an unknown attribute', () => {
    expect(senderHeader('autocrypt-unknown-attribute.eml')).toBeNull();
  });

  it('accepts addr differing in case', () => {
    const header = senderHeader('autocrypt-addr-case.eml');
    expect(header?.addr).toBe('alice@sealpost.test');
    expect(header?.keydata).toEqual(keydata);
  });

  it('ignores gossip outside the encryption', () => {
    const parsed = parseMessage(loadMailFixture('autocrypt-gossip-outside-encryption.eml', values));
    expect(parsed.kind).toBe('plain');
    expect(parsed.autocryptHeaders).toEqual([]);
    // Gossip is read from decrypted payloads only; a plain message's entity is a 'message',
    // whose fields protect nothing, and the read path learns gossip only after decryption.
    expect(parsed.body?.protectedHeaders).toBeNull();
    expect(parsed.body?.gossipHeaders).toEqual([]);
  });
});
