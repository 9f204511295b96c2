import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import type { CertificateSighting, Store } from '../src/index.ts';
import { FINGERPRINT_A, FINGERPRINT_B, FINGERPRINT_C, openMemory, PUBLIC_KEY } from './helpers.ts';

const ADDRESS = 'bob@example.net';
const REFRESHED_KEY = PUBLIC_KEY.replace('xjMEZ...', 'xjMEZ...refreshed');

function sighting(overrides: Partial<CertificateSighting> = {}): CertificateSighting {
  return {
    address: 'Bob@Example.net',
    fingerprint: FINGERPRINT_A,
    certificate: PUBLIC_KEY,
    source: 'autocrypt',
    preferEncrypt: 'mutual',
    seenAt: new Date(Date.UTC(2025, 0, 1)),
    ...overrides,
  };
}

const later = (days: number) => new Date(Date.UTC(2025, 0, 1 + days));

describe('ContactRepository certificates', () => {
  let store: Store;
  beforeEach(() => {
    store = openMemory();
  });
  afterEach(() => store.close());

  it('pins the first fingerprint seen', () => {
    const result = store.contacts.recordCertificate(sighting());
    expect(result.outcome).toBe('new');
    expect(result.pinned).toMatchObject({
      address: ADDRESS,
      fingerprint: FINGERPRINT_A,
      status: 'pinned',
    });
    expect(store.contacts.getPinned(ADDRESS)?.fingerprint).toBe(FINGERPRINT_A);
    expect(store.contacts.get(ADDRESS)?.address).toBe(ADDRESS);
  });

  it('updates last seen for the same certificate', () => {
    store.contacts.recordCertificate(sighting());
    const result = store.contacts.recordCertificate(sighting({ seenAt: later(3) }));
    expect(result.outcome).toBe('unchanged');
    expect(result.pinned.lastSeen).toEqual(later(3));
    expect(result.pinned.firstSeen).toEqual(later(0));
  });

  it('updates certificate text, same fingerprint', () => {
    store.contacts.recordCertificate(sighting());
    const result = store.contacts.recordCertificate(
      sighting({ certificate: REFRESHED_KEY, seenAt: later(1) }),
    );
    expect(result.outcome).toBe('updated');
    expect(result.pinned.certificate).toBe(REFRESHED_KEY);
  });

  it('ignores an older certificate text synced late', () => {
    store.contacts.recordCertificate(sighting({ certificate: REFRESHED_KEY, seenAt: later(5) }));
    const result = store.contacts.recordCertificate(sighting({ seenAt: later(1) }));
    expect(result.outcome).toBe('unchanged');
    expect(result.pinned.certificate).toBe(REFRESHED_KEY);
    expect(result.pinned.firstSeen).toEqual(later(1));
    expect(result.pinned.lastSeen).toEqual(later(5));
  });

  it('flags a different fingerprint without using it', () => {
    store.contacts.recordCertificate(sighting());
    const result = store.contacts.recordCertificate(
      sighting({ fingerprint: FINGERPRINT_B, seenAt: later(1) }),
    );
    expect(result.outcome).toBe('changed-flagged');
    expect(result.pinned.fingerprint).toBe(FINGERPRINT_A);
    expect(store.contacts.getPinned(ADDRESS)?.fingerprint).toBe(FINGERPRINT_A);

    const [summary] = store.contacts.list();
    expect(summary?.keyChanged).toBe(true);
    expect(summary?.changedFingerprints).toEqual([FINGERPRINT_B]);
    expect(summary?.pinned?.fingerprint).toBe(FINGERPRINT_A);
    expect(summary?.pinned?.source).toBe('autocrypt');
  });

  it('keeps a flagged fingerprint flagged', () => {
    store.contacts.recordCertificate(sighting());
    store.contacts.recordCertificate(sighting({ fingerprint: FINGERPRINT_B, seenAt: later(1) }));
    const again = store.contacts.recordCertificate(
      sighting({ fingerprint: FINGERPRINT_B, seenAt: later(2) }),
    );
    expect(again.outcome).toBe('unchanged');
    expect(again.pinned.fingerprint).toBe(FINGERPRINT_A);
    expect(store.contacts.list()[0]?.changedFingerprints).toEqual([FINGERPRINT_B]);
  });

  it('flags an import of a different key', () => {
    store.contacts.recordCertificate(sighting());
    const result = store.contacts.recordCertificate(
      sighting({ fingerprint: FINGERPRINT_B, source: 'import' }),
    );
    expect(result.outcome).toBe('changed-flagged');
    expect(result.pinned.fingerprint).toBe(FINGERPRINT_A);
  });

  it('replaces pinned key on confirmed import', () => {
    store.contacts.recordCertificate(sighting());
    const result = store.contacts.recordCertificate(
      sighting({ fingerprint: FINGERPRINT_B, source: 'import' }),
      {
        replacePinned: true,
      },
    );
    expect(result.outcome).toBe('replaced');
    expect(result.pinned).toMatchObject({
      fingerprint: FINGERPRINT_B,
      source: 'import',
      status: 'pinned',
    });

    const statuses = store.contacts.listCertificates(ADDRESS).map((c) => [c.fingerprint, c.status]);
    expect(statuses).toEqual([
      [FINGERPRINT_B, 'pinned'],
      [FINGERPRINT_A, 'replaced'],
    ]);
    expect(store.contacts.list()[0]?.keyChanged).toBe(false);
  });

  it('promotes flagged key on confirmed import', () => {
    store.contacts.recordCertificate(sighting());
    store.contacts.recordCertificate(sighting({ fingerprint: FINGERPRINT_B }));
    const result = store.contacts.recordCertificate(
      sighting({ fingerprint: FINGERPRINT_B, source: 'import' }),
      {
        replacePinned: true,
      },
    );
    expect(result.outcome).toBe('replaced');
    expect(result.pinned.fingerprint).toBe(FINGERPRINT_B);
    expect(result.pinned.source).toBe('import');
  });

  it('allows replacePinned only for imports', () => {
    expect(() =>
      store.contacts.recordCertificate(sighting({ source: 'gossip' }), { replacePinned: true }),
    ).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    expect(store.contacts.list()).toEqual([]);
  });

  it('pins an accepted changed key', () => {
    store.contacts.recordCertificate(sighting());
    store.contacts.recordCertificate(sighting({ fingerprint: FINGERPRINT_B }));
    const pinned = store.contacts.acknowledgeChange(ADDRESS, FINGERPRINT_B, { pin: true });
    expect(pinned.fingerprint).toBe(FINGERPRINT_B);
    const [summary] = store.contacts.list();
    expect(summary?.keyChanged).toBe(false);
    expect(
      store.contacts.listCertificates(ADDRESS).find((c) => c.fingerprint === FINGERPRINT_A)?.status,
    ).toBe('replaced');
  });

  it('keeps pinned key on rejection', () => {
    store.contacts.recordCertificate(sighting());
    store.contacts.recordCertificate(sighting({ fingerprint: FINGERPRINT_B }));
    store.contacts.recordCertificate(sighting({ fingerprint: FINGERPRINT_C }));
    const pinned = store.contacts.acknowledgeChange(ADDRESS, FINGERPRINT_B, { pin: false });
    expect(pinned.fingerprint).toBe(FINGERPRINT_A);
    expect(store.contacts.list()[0]?.changedFingerprints).toEqual([FINGERPRINT_C]);
    expect(
      store.contacts.listCertificates(ADDRESS).find((c) => c.fingerprint === FINGERPRINT_B)?.status,
    ).toBe('rejected');
  });

  it('refuses to reject the pinned key', () => {
    store.contacts.recordCertificate(sighting());
    expect(() => store.contacts.acknowledgeChange(ADDRESS, FINGERPRINT_A, { pin: false })).toThrow(
      expect.objectContaining({ code: 'INVALID_STATE' }),
    );
    expect(() => store.contacts.acknowledgeChange(ADDRESS, FINGERPRINT_C, { pin: true })).toThrow(
      expect.objectContaining({ code: 'CONTACT_CERTIFICATE_NOT_FOUND' }),
    );
  });

  it('keeps prefer-encrypt from the newest Autocrypt header', () => {
    store.contacts.recordCertificate(sighting({ preferEncrypt: 'mutual' }));
    store.contacts.recordCertificate(sighting({ preferEncrypt: 'nopreference', seenAt: later(2) }));
    store.contacts.recordCertificate(
      sighting({ source: 'gossip', preferEncrypt: null, seenAt: later(3) }),
    );
    expect(store.contacts.getPinned(ADDRESS)?.preferEncrypt).toBe('nopreference');
    expect(store.contacts.getPinned(ADDRESS)?.source).toBe('autocrypt');
  });

  it('rejects a certificate that is not armored', () => {
    expect(() => store.contacts.recordCertificate(sighting({ certificate: 'binary' }))).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT' }),
    );
  });

  it('lists contacts without certificates too', () => {
    store.contacts.upsert({ address: 'carol@example.com', name: 'Carol' });
    store.contacts.recordCertificate(sighting());
    const summaries = store.contacts.list();
    expect(summaries.map((s) => [s.address, s.name, s.pinned?.fingerprint ?? null])).toEqual([
      [ADDRESS, null, FINGERPRINT_A],
      ['carol@example.com', 'Carol', null],
    ]);
  });
});
