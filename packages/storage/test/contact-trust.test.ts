import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../src/open-database.ts';
import type { Store } from '../src/store.ts';

describe('contact trust and Autocrypt peers', () => {
  let store: Store;
  beforeEach(() => {
    store = openDatabase(':memory:');
  });
  afterEach(() => store.close());

  it('stores and updates a verification', () => {
    const fingerprint = 'AB'.repeat(20);
    expect(store.contactTrust.getVerification('bob@example.net', fingerprint)).toBeNull();
    store.contactTrust.recordVerification({
      address: 'Bob@Example.net',
      fingerprint,
      method: 'fingerprint',
      verifiedAt: new Date(1000),
    });
    store.contactTrust.recordVerification({
      address: 'bob@example.net',
      fingerprint,
      method: 'qr-code',
      verifiedAt: new Date(2000),
    });
    const verification = store.contactTrust.getVerification('bob@example.net', fingerprint);
    expect(verification?.method).toBe('qr-code');
    expect(verification?.fingerprint).toBe('ab'.repeat(20));
    expect(verification?.verifiedAt.getTime()).toBe(2000);
  });

  it('keeps the newest post-quantum sighting', () => {
    const record = (fingerprint: string, at: number) =>
      store.contactTrust.recordPostQuantum({
        address: 'bob@example.net',
        fingerprint,
        seenAt: new Date(at),
      });
    record('a'.repeat(40), 2000);
    record('b'.repeat(40), 1000);
    expect(store.contactTrust.getPostQuantum('bob@example.net')?.fingerprint).toBe('a'.repeat(40));
    record('c'.repeat(40), 3000);
    expect(store.contactTrust.getPostQuantum('bob@example.net')?.fingerprint).toBe('c'.repeat(40));
  });

  it('round-trips the Autocrypt peer state', () => {
    store.autocryptPeers.save({
      address: 'bob@example.net',
      lastSeen: new Date(5000),
      autocryptTimestamp: new Date(4000),
      publicKey: new Uint8Array([1, 2, 3]),
      publicKeyFingerprint: 'a'.repeat(40),
      preferEncrypt: 'mutual',
      gossipTimestamp: null,
      gossipKey: null,
      gossipKeyFingerprint: null,
    });
    const peer = store.autocryptPeers.get('BOB@example.net');
    expect(peer?.publicKey).toEqual(new Uint8Array([1, 2, 3]));
    expect(peer?.autocryptTimestamp?.getTime()).toBe(4000);
    expect(peer?.preferEncrypt).toBe('mutual');
    expect(peer?.gossipKey).toBeNull();
  });

  it('rejects a second negotiation record for one Message-ID', () => {
    const record = {
      messageId: '<one@example.org>',
      mode: 'openpgp' as const,
      encryption: 'pq' as const,
      reason: 'every recipient has a post-quantum key',
      recipients: [{ address: 'bob@example.net', fingerprint: 'a'.repeat(40), postQuantum: true }],
      warnings: [],
      createdAt: new Date(1),
    };
    store.negotiationRecords.insert(record);
    expect(store.negotiationRecords.get('<one@example.org>')).toEqual(record);
    expect(() => store.negotiationRecords.insert(record)).toThrow();
    expect(() =>
      store.negotiationRecords.insert({ ...record, messageId: '<two@x>', encryption: null }),
    ).toThrow(/encryption/);
  });
});
