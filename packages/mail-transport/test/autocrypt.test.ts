import { describe, expect, it } from 'vitest';

import {
  formatAutocryptHeader,
  formatGossipHeader,
  parseAutocryptHeaders,
  parseGossipHeaders,
} from '../src/index.ts';

const KEYDATA = new Uint8Array(Array.from({ length: 700 }, (_, i) => (i * 13 + 5) % 256));
const KEYDATA_BASE64 = Buffer.from(KEYDATA).toString('base64');
const OTHER_KEYDATA_BASE64 = Buffer.from([9, 9, 9, 9]).toString('base64');

/** Unfolds a header value the way a parser does: CRLF before whitespace is removed. */
function unfold(value: string): string {
  return value.replace(/\r\n(?=[ \t])/g, '');
}

describe('formatAutocryptHeader', () => {
  it('folds keydata into lines of at most 78', () => {
    const value = formatAutocryptHeader({
      addr: 'alice@sealpost.test',
      preferEncrypt: 'mutual',
      keydata: KEYDATA,
    });
    const lines = `Autocrypt: ${value}`.split('\r\n');

    expect(lines.length).toBeGreaterThan(5);
    expect(lines.every((line) => line.length <= 78)).toBe(true);
    expect(lines.slice(1).every((line) => line.startsWith(' '))).toBe(true);
    expect(lines[0]).toBe('Autocrypt: addr=alice@sealpost.test; prefer-encrypt=mutual; keydata=');
  });

  it('round-trips through parseAutocryptHeaders', () => {
    const value = formatAutocryptHeader({
      addr: 'alice@sealpost.test',
      preferEncrypt: 'mutual',
      keydata: KEYDATA,
    });
    const parsed = parseAutocryptHeaders([unfold(value)], 'alice@sealpost.test');

    expect(parsed?.addr).toBe('alice@sealpost.test');
    expect(parsed?.preferEncrypt).toBe('mutual');
    expect(Buffer.from(parsed!.keydata).equals(Buffer.from(KEYDATA))).toBe(true);
  });

  it('omits prefer-encrypt for nopreference', () => {
    const value = formatAutocryptHeader({
      addr: 'alice@sealpost.test',
      preferEncrypt: 'nopreference',
      keydata: KEYDATA,
    });
    expect(value).not.toContain('prefer-encrypt');
    expect(parseAutocryptHeaders([unfold(value)], 'alice@sealpost.test')?.preferEncrypt).toBe(
      'nopreference',
    );
  });

  it('folds between attributes for a long addr', () => {
    const addr = `${'a'.repeat(45)}@sealpost.test`;
    const value = formatAutocryptHeader({ addr, preferEncrypt: 'mutual', keydata: KEYDATA });
    const lines = `Autocrypt: ${value}`.split('\r\n');

    expect(lines.every((line) => line.length <= 78)).toBe(true);
    expect(lines[0]).toBe(`Autocrypt: addr=${addr};`);
    expect(lines[1]).toBe(' prefer-encrypt=mutual; keydata=');
    expect(parseAutocryptHeaders([unfold(value)], addr)?.keydata).toEqual(KEYDATA);
  });

  it('rejects an invalid addr', () => {
    expect(() => formatAutocryptHeader({ addr: 'alice; _x=1', keydata: KEYDATA })).toThrow(
      /addr .* is invalid/,
    );
  });
});

describe('parseAutocryptHeaders', () => {
  const valid = `addr=bob@sealpost.test; keydata=${KEYDATA_BASE64}`;

  it('accepts folded keydata', () => {
    const folded = `addr=bob@sealpost.test; prefer-encrypt=mutual; keydata= ${KEYDATA_BASE64.slice(0, 70)}\t${KEYDATA_BASE64.slice(70)}`;
    expect(parseAutocryptHeaders([folded], 'bob@sealpost.test')?.keydata).toEqual(KEYDATA);
  });

  it('rejects an unknown critical attribute', () => {
    expect(
      parseAutocryptHeaders(
        [`addr=bob@sealpost.test; future=1; keydata=${KEYDATA_BASE64}`],
        'bob@sealpost.test',
      ),
    ).toBeNull();
  });

  it('ignores non-critical attributes', () => {
    const parsed = parseAutocryptHeaders(
      [`addr=bob@sealpost.test; _extra=whatever; keydata=${KEYDATA_BASE64}`],
      'bob@sealpost.test',
    );
    expect(parsed?.addr).toBe('bob@sealpost.test');
  });

  it('compares addr case-insensitively', () => {
    const parsed = parseAutocryptHeaders(
      [`addr=Bob@SealPost.test; keydata=${KEYDATA_BASE64}`],
      'BOB@sealpost.TEST',
    );
    expect(parsed?.addr).toBe('bob@sealpost.test');
  });

  it('returns null for two valid headers', () => {
    expect(parseAutocryptHeaders([valid, valid], 'bob@sealpost.test')).toBeNull();
  });

  it('uses the one valid header among invalid ones', () => {
    const invalid = `addr=bob@sealpost.test; critical=x; keydata=${OTHER_KEYDATA_BASE64}`;
    expect(parseAutocryptHeaders([invalid, valid], 'bob@sealpost.test')?.keydata).toEqual(KEYDATA);
  });

  it('returns null when addr differs from From', () => {
    expect(parseAutocryptHeaders([valid], 'mallory@sealpost.test')).toBeNull();
  });

  it('returns null for missing or broken fields', () => {
    expect(parseAutocryptHeaders([], 'bob@sealpost.test')).toBeNull();
    expect(parseAutocryptHeaders([`keydata=${KEYDATA_BASE64}`], 'bob@sealpost.test')).toBeNull();
    expect(parseAutocryptHeaders(['addr=bob@sealpost.test'], 'bob@sealpost.test')).toBeNull();
    expect(
      parseAutocryptHeaders(['addr=bob@sealpost.test; keydata=***'], 'bob@sealpost.test'),
    ).toBeNull();
    expect(
      parseAutocryptHeaders(
        [`addr=bob@sealpost.test; addr=bob@sealpost.test; keydata=${KEYDATA_BASE64}`],
        'bob@sealpost.test',
      ),
    ).toBeNull();
  });

  it('treats an unknown prefer-encrypt value as nopreference', () => {
    const parsed = parseAutocryptHeaders(
      [`addr=bob@sealpost.test; prefer-encrypt=always; keydata=${KEYDATA_BASE64}`],
      'bob@sealpost.test',
    );
    expect(parsed?.preferEncrypt).toBe('nopreference');
  });
});

describe('gossip headers', () => {
  it('round-trips and keeps only recipients', () => {
    const carol = unfold(formatGossipHeader({ addr: 'carol@sealpost.test', keydata: KEYDATA }));
    const stranger = `addr=eve@sealpost.test; keydata=${OTHER_KEYDATA_BASE64}`;
    const gossip = parseGossipHeaders(
      [carol, stranger],
      ['bob@sealpost.test', 'Carol@sealpost.test'],
    );

    expect(gossip).toHaveLength(1);
    expect(gossip[0]?.addr).toBe('carol@sealpost.test');
    expect(gossip[0]?.keydata).toEqual(KEYDATA);
    expect(carol).not.toContain('prefer-encrypt');
  });

  it('drops an address with conflicting keys', () => {
    const first = `addr=carol@sealpost.test; keydata=${KEYDATA_BASE64}`;
    const second = `addr=carol@sealpost.test; keydata=${OTHER_KEYDATA_BASE64}`;
    expect(parseGossipHeaders([first, second], ['carol@sealpost.test'])).toEqual([]);
  });

  it('keeps lines within 78 characters', () => {
    const lines =
      `Autocrypt-Gossip: ${formatGossipHeader({ addr: 'carol@sealpost.test', keydata: KEYDATA })}`.split(
        '\r\n',
      );
    expect(lines.every((line) => line.length <= 78)).toBe(true);
  });
});
