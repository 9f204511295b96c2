// Resource limits of the MIME parser: nesting depth, part count, header section size and
// armored block size each fail with a typed error that names the limit. Small fixtures run
// against lowered limits; the defaults are checked to be above them.

import { describe, expect, it } from 'vitest';
import { loadMailFixture } from '../../../../test/fixtures/load.ts';
import { DEFAULT_PARSE_LIMITS, parseMessage, TransportError } from '../../src/index.ts';
import { ARMORED_CIPHERTEXT } from '../fixtures.ts';

function parseError(raw: Uint8Array, limits: Parameters<typeof parseMessage>[1]): TransportError {
  try {
    parseMessage(raw, limits);
  } catch (error) {
    if (error instanceof TransportError) return error;
    throw error;
  }
  throw new Error('parseMessage accepted input beyond its limits');
}

describe('parse limits', () => {
  it('bounds nesting depth', () => {
    const raw = loadMailFixture('nesting-depth.eml');
    expect(parseMessage(raw, { maxDepth: 5 }).kind).toBe('plain');
    const error = parseError(raw, { maxDepth: 4 });
    expect(error.code).toBe('MIME_MALFORMED');
    expect(error.message).toMatch(/deeper than 4 levels/);
  });

  it('bounds the part count', () => {
    const raw = loadMailFixture('part-count.eml');
    expect(parseMessage(raw, { maxParts: 13 }).body?.text).toContain('Part 12.');
    const error = parseError(raw, { maxParts: 12 });
    expect(error.code).toBe('MIME_MALFORMED');
    expect(error.message).toMatch(/more than 12 MIME parts/);
  });

  it('bounds the header section size', () => {
    const raw = loadMailFixture('header-size.eml', { PADDING: 'x'.repeat(4000) });
    expect(parseMessage(raw, { maxHeaderBytes: 8192 }).headers.subject).toMatch(/4 KB/);
    const error = parseError(raw, { maxHeaderBytes: 2048 });
    expect(error.code).toBe('MESSAGE_TOO_LARGE');
    expect(error.message).toMatch(/longer than 2048 bytes/);
  });

  it('bounds the armor size', () => {
    const raw = loadMailFixture('armor-size.eml', { ARMOR: ARMORED_CIPHERTEXT });
    expect(parseMessage(raw, { maxArmorBytes: 1024 }).kind).toBe('pgp-mime-encrypted');
    const error = parseError(raw, { maxArmorBytes: 100 });
    expect(error.code).toBe('MESSAGE_TOO_LARGE');
    expect(error.message).toMatch(/above the limit of 100 bytes/);
  });

  it('rejects an invalid limit', () => {
    const error = parseError(loadMailFixture('part-count.eml'), { maxParts: 0 });
    expect(error.code).toBe('INVALID_ARGUMENT');
  });

  it('keeps defaults above the fixtures', () => {
    expect(DEFAULT_PARSE_LIMITS.maxDepth).toBeGreaterThanOrEqual(32);
    expect(DEFAULT_PARSE_LIMITS.maxParts).toBeGreaterThanOrEqual(1000);
    expect(DEFAULT_PARSE_LIMITS.maxHeaderBytes).toBeGreaterThanOrEqual(64 * 1024);
    for (const name of ['nesting-depth.eml', 'part-count.eml']) {
      expect(() => parseMessage(loadMailFixture(name))).not.toThrow();
    }
  });
});
