// The renderer's byte size helper, which every size the UI shows goes through.

import { describe, expect, it } from 'vitest';
import { formatByteSize } from '../../../../packages/ui/src/renderer/byte-size.ts';

describe('formatByteSize', () => {
  it.each([
    [0, '0 bytes'],
    [1, '1 byte'],
    [1023, '1023 bytes'],
    [1024, '1 KiB'],
    [1536, '1.5 KiB'],
    [10 * 1024 + 300, '10 KiB'],
    [1024 * 1024 - 1, '1 MiB'],
    [31457280, '30 MiB'],
    [5 * 1024 ** 3, '5 GiB'],
  ])('formats %i bytes', (bytes, expected) => {
    expect(formatByteSize(bytes)).toBe(expected);
  });
});
