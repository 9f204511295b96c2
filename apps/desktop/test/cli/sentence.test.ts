// sentence(): CLI lines built from whole sentences and from clauses end in one end mark.

import { describe, expect, it } from 'vitest';
import { sentence } from '../../src/cli/sentence.ts';

describe('sentence', () => {
  it('adds a period to a clause', () => {
    expect(sentence('the pinned key is revoked')).toBe('the pinned key is revoked.');
  });

  it('keeps an existing end mark', () => {
    expect(sentence('Give digits only, such as 3.')).toBe('Give digits only, such as 3.');
    expect(sentence('Is it yours?')).toBe('Is it yours?');
  });

  it('drops trailing spaces before checking', () => {
    expect(sentence('got 11.  ')).toBe('got 11.');
  });
});
