// limitReachedNote(): the closing line of a cut-off `list` or `search` counts its noun
// correctly, and appears only when an account's rows reached the limit.

import { describe, expect, it } from 'vitest';
import { limitReachedNote } from '../../src/cli/result-limit.ts';

describe('limitReachedNote', () => {
  it('uses the singular for 1', () => {
    expect(limitReachedNote([{ account: 'a@example.org' }], 1, 'result')).toBe(
      'Showing the first 1 result; use --limit N for more.',
    );
  });

  it('uses the plural above 1', () => {
    const rows = [{ account: 'a@example.org' }, { account: 'a@example.org' }];
    expect(limitReachedNote(rows, 2, 'message')).toBe(
      'Showing the first 2 messages; use --limit N for more.',
    );
  });

  it('names the per-account scope', () => {
    const rows = [{ account: 'a@example.org' }, { account: 'b@example.org' }];
    expect(limitReachedNote(rows, 1, 'message')).toBe(
      'Showing the first 1 message per account; use --limit N for more.',
    );
  });

  it('returns null below the limit', () => {
    expect(limitReachedNote([{ account: 'a@example.org' }], 2, 'message')).toBeNull();
  });
});
