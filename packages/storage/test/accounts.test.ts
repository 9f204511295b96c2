import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import type { Store } from '../src/index.ts';
import {
  accountInput,
  openMemory,
  receivedMessage,
  SERVER_CERTIFICATE,
  seedFolder,
} from './helpers.ts';

describe('AccountRepository', () => {
  let store: Store;
  beforeEach(() => {
    store = openMemory();
  });
  afterEach(() => store.close());

  it('inserts and reads back an account', () => {
    const account = store.accounts.insert({
      ...accountInput(),
      pinnedCertificate: SERVER_CERTIFICATE,
    });
    expect(account.email).toBe('alice@example.org');
    expect(account.imap).toEqual({
      host: 'imap.example.org',
      port: 993,
      security: 'tls',
      user: 'alice',
    });
    expect(account.smtp.security).toBe('starttls');
    expect(account.pinnedCertificate).toBe(SERVER_CERTIFICATE);
    expect([...account.sealedPassword]).toEqual([1, 2, 3, 4]);
    expect(account.createdAt).toBeInstanceOf(Date);

    expect(store.accounts.getById(account.id)).toEqual(account);
    expect(store.accounts.getByEmail('ALICE@example.ORG')).toEqual(account);
    expect(store.accounts.list()).toEqual([account]);
  });

  it('returns null for unknown accounts', () => {
    expect(store.accounts.getById(42)).toBeNull();
    expect(store.accounts.getByEmail('nobody@example.org')).toBeNull();
  });

  it('rejects a duplicate email', () => {
    store.accounts.insert(accountInput('alice@example.org'));
    expect(() => store.accounts.insert(accountInput('ALICE@example.org'))).toThrow(
      expect.objectContaining({
        code: 'ACCOUNT_EXISTS',
        message: expect.stringContaining('alice@example.org'),
      }),
    );
    expect(store.accounts.list()).toHaveLength(1);
  });

  it('validates server settings', () => {
    const badPort = { ...accountInput(), imap: { ...accountInput().imap, port: 0 } };
    expect(() => store.accounts.insert(badPort)).toThrow(
      expect.objectContaining({
        code: 'INVALID_ARGUMENT',
        message: expect.stringContaining('account.imap.port'),
      }),
    );
    const badSecurity = {
      ...accountInput(),
      smtp: { ...accountInput().smtp, security: 'none' as 'tls' },
    };
    expect(() => store.accounts.insert(badSecurity)).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT' }),
    );
    const badCertificate = { ...accountInput(), pinnedCertificate: 'not a pem' };
    expect(() => store.accounts.insert(badCertificate)).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT' }),
    );
    expect(() => store.accounts.insert({ ...accountInput(), email: 'no-at-sign' })).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT' }),
    );
  });

  it('updates the sealed password', () => {
    const account = store.accounts.insert(accountInput());
    store.accounts.updateSealedPassword(account.id, new Uint8Array([9, 9]));
    expect([...store.accounts.getById(account.id)!.sealedPassword]).toEqual([9, 9]);
    expect(() => store.accounts.updateSealedPassword(999, new Uint8Array([1]))).toThrow(
      expect.objectContaining({ code: 'ACCOUNT_NOT_FOUND' }),
    );
  });

  it('cascades remove to folders, messages and outbox', () => {
    const alice = seedFolder(store, 'alice@example.org');
    const bob = seedFolder(store, 'bob@example.org');
    store.messages.insertReceived(receivedMessage(alice.folderId, 1));
    store.messages.insertReceived(receivedMessage(bob.folderId, 1));
    store.outbox.enqueue({
      accountId: alice.accountId,
      raw: new Uint8Array([1]),
      envelopeFrom: 'alice@example.org',
      envelopeTo: ['bob@example.net'],
    });

    store.accounts.remove(alice.accountId);

    expect(store.accounts.getById(alice.accountId)).toBeNull();
    expect(store.folders.get(alice.folderId)).toBeNull();
    expect(store.messages.listByAccount(alice.accountId)).toEqual([]);
    expect(store.outbox.listQueued()).toEqual([]);
    expect(store.messages.listByAccount(bob.accountId)).toHaveLength(1);
    expect(store.folders.listByAccount(bob.accountId)).toHaveLength(1);
  });

  it('throws ACCOUNT_NOT_FOUND when removing an unknown id', () => {
    expect(() => store.accounts.remove(5)).toThrow(
      expect.objectContaining({ code: 'ACCOUNT_NOT_FOUND' }),
    );
  });
});
