import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import type { NewIdentity, Store } from '../src/index.ts';
import {
  accountInput,
  FINGERPRINT_A,
  FINGERPRINT_B,
  openMemory,
  PUBLIC_KEY,
  REVOCATION,
  SECRET_KEY,
} from './helpers.ts';

function identityInput(overrides: Partial<NewIdentity> = {}): NewIdentity {
  return {
    accountId: null,
    address: 'Alice@Example.org',
    fingerprint: 'aaaa aaaa aaaa aaaa aaaa  aaaa aaaa aaaa aaaa aaaa',
    certificate: PUBLIC_KEY,
    secretKey: SECRET_KEY,
    revocationCertificate: REVOCATION,
    ...overrides,
  };
}

describe('IdentityRepository', () => {
  let store: Store;
  beforeEach(() => {
    store = openMemory();
  });
  afterEach(() => store.close());

  it('inserts and finds an identity', () => {
    const identity = store.identities.insert(identityInput());
    expect(identity.address).toBe('alice@example.org');
    expect(identity.fingerprint).toBe(FINGERPRINT_A);
    expect(identity.secretKey).toBe(SECRET_KEY);
    expect(store.identities.getByAddress('ALICE@example.org')).toEqual(identity);
    expect(store.identities.getByFingerprint(FINGERPRINT_A.toLowerCase())).toEqual(identity);
    expect(store.identities.list()).toEqual([identity]);
    expect(store.identities.getByAddress('bob@example.org')).toBeNull();
  });

  it('rejects a taken address', () => {
    store.identities.insert(identityInput());
    expect(() => store.identities.insert(identityInput({ fingerprint: FINGERPRINT_B }))).toThrow(
      expect.objectContaining({
        code: 'IDENTITY_EXISTS',
        message: expect.stringContaining('alice@example.org'),
      }),
    );
  });

  it('rejects a taken fingerprint', () => {
    store.identities.insert(identityInput());
    expect(() => store.identities.insert(identityInput({ address: 'other@example.org' }))).toThrow(
      expect.objectContaining({
        code: 'IDENTITY_EXISTS',
        message: expect.stringContaining(FINGERPRINT_A),
      }),
    );
  });

  it('rejects an unarmored secret key', () => {
    expect(() => store.identities.insert(identityInput({ secretKey: '{"d":"..."}' }))).toThrow(
      expect.objectContaining({
        code: 'INVALID_ARGUMENT',
        message: expect.stringContaining('identity.secretKey'),
      }),
    );
    expect(() => store.identities.insert(identityInput({ secretKey: PUBLIC_KEY }))).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT' }),
    );
    expect(store.identities.list()).toEqual([]);
  });

  it('rejects a malformed fingerprint', () => {
    expect(() => store.identities.insert(identityInput({ fingerprint: 'XYZ' }))).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT' }),
    );
  });

  it('survives removal of its account', () => {
    const account = store.accounts.insert(accountInput());
    store.identities.insert(identityInput({ accountId: account.id }));
    store.accounts.remove(account.id);
    expect(store.identities.getByFingerprint(FINGERPRINT_A)?.accountId).toBeNull();
  });

  it('reports an unknown account id', () => {
    expect(() => store.identities.insert(identityInput({ accountId: 77 }))).toThrow(
      expect.objectContaining({ code: 'ACCOUNT_NOT_FOUND' }),
    );
  });
});
