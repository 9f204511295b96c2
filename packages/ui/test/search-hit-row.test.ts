// A search hit becomes a message list row with the signature status that core stored at read
// time, so a message read as validly signed is not shown as "not checked yet" in search results.

import { describe, expect, it } from 'vitest';

import type { SearchHit } from '../src/api/types.ts';
import { summaryOfHit } from '../src/renderer/components/SearchBar.tsx';

const HIT: SearchHit = {
  id: 7,
  account: 'alice@example.org',
  folder: 'INBOX',
  date: '2025-01-01T00:00:00.000Z',
  from: 'bob@example.net',
  subject: 'Ratchet reply',
  kind: 'ratchet',
  mode: 'ratchet',
  unread: false,
  flagged: false,
};

describe('search hit row', () => {
  it('keeps the read signature status', () => {
    expect(summaryOfHit({ ...HIT, signature: 'valid' }).signature).toBe('valid');
  });

  it('is unchecked before a read', () => {
    expect(summaryOfHit({ ...HIT, signature: null }).signature).toBeNull();
    expect(summaryOfHit(HIT).signature).toBeNull();
  });
});
