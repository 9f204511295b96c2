// RatchetSessionRepository and RatchetKeyRepository on a real SQLite database: creation,
// advancing in one transaction with the caller's write, rollback, generation checks, the single
// active session per peer, and prekey storage.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import type { Store } from '../src/index.ts';
import { openMemory, seedFolder, receivedMessage } from './helpers.ts';

const ID_A = 'a'.repeat(32);
const ID_B = 'b'.repeat(32);
const peer = { localAddress: 'Alice@Example.org', peerAddress: 'bob@example.net' };

describe('ratchet sessions repository', () => {
  let store: Store;
  beforeEach(() => {
    store = openMemory();
  });
  afterEach(() => store.close());

  it('creates a session and advances it together with the message it recorded', () => {
    const { folderId } = seedFolder(store);
    const messageId = store.ratchetSessions.advance(
      ID_A,
      Uint8Array.of(1),
      () => store.messages.insertReceived(receivedMessage(folderId, 1)).id,
      { create: peer, activate: true },
    );
    expect(store.messages.get(messageId)).not.toBeNull();
    expect(store.ratchetSessions.get(ID_A)).toMatchObject({
      localAddress: 'alice@example.org',
      peerAddress: 'bob@example.net',
      state: Uint8Array.of(1),
      active: true,
      generation: 1,
    });

    store.ratchetSessions.advance(ID_A, Uint8Array.of(2), () => undefined, {
      expectedGeneration: 1,
    });
    expect(store.ratchetSessions.get(ID_A)).toMatchObject({
      state: Uint8Array.of(2),
      generation: 2,
    });
  });

  it('keeps the old state when the work throws', () => {
    store.ratchetSessions.advance(ID_A, Uint8Array.of(1), () => undefined, { create: peer });
    expect(() =>
      store.ratchetSessions.advance(ID_A, Uint8Array.of(9), () => {
        throw new Error('recording the message failed');
      }),
    ).toThrow(/recording the message failed/);
    expect(store.ratchetSessions.get(ID_A)).toMatchObject({
      state: Uint8Array.of(1),
      generation: 1,
    });
  });

  it('rejects a write from an older generation', () => {
    store.ratchetSessions.advance(ID_A, Uint8Array.of(1), () => undefined, { create: peer });
    store.ratchetSessions.advance(ID_A, Uint8Array.of(2), () => undefined);
    expect(() =>
      store.ratchetSessions.advance(ID_A, Uint8Array.of(3), () => undefined, {
        expectedGeneration: 1,
      }),
    ).toThrow(expect.objectContaining({ code: 'INVALID_STATE' }));
    expect(store.ratchetSessions.get(ID_A)?.state).toEqual(Uint8Array.of(2));
  });

  it('keeps one active session per peer and drops the ones named', () => {
    store.ratchetSessions.advance(ID_A, Uint8Array.of(1), () => undefined, {
      create: peer,
      activate: true,
    });
    store.ratchetSessions.advance(ID_B, Uint8Array.of(2), () => undefined, {
      create: peer,
      activate: true,
    });
    const sessions = store.ratchetSessions.listForPeer(peer.localAddress, peer.peerAddress);
    expect(sessions.map((session) => [session.id, session.active])).toEqual([
      [ID_B, true],
      [ID_A, false],
    ]);
    store.ratchetSessions.advance(ID_B, Uint8Array.of(3), () => undefined, {
      dropSessionIds: [ID_A],
    });
    expect(store.ratchetSessions.get(ID_A)).toBeNull();
  });

  it('validates ids and reports a missing session', () => {
    expect(() => store.ratchetSessions.advance('nope', Uint8Array.of(1), () => undefined)).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT' }),
    );
    expect(() => store.ratchetSessions.advance(ID_A, Uint8Array.of(1), () => undefined)).toThrow(
      expect.objectContaining({ code: 'RATCHET_SESSION_NOT_FOUND' }),
    );
  });
});

describe('ratchet keys repository', () => {
  let store: Store;
  beforeEach(() => {
    store = openMemory();
  });
  afterEach(() => store.close());

  it('stores one identity key per address', () => {
    store.ratchetKeys.insertIdentityKey('alice@example.org', Uint8Array.of(7));
    expect(store.ratchetKeys.getIdentityKey('ALICE@example.org')).toEqual(Uint8Array.of(7));
    expect(() =>
      store.ratchetKeys.insertIdentityKey('alice@example.org', Uint8Array.of(8)),
    ).toThrow(expect.objectContaining({ code: 'CONSTRAINT_FAILED' }));
  });

  it('stores, lists newest first and deletes prekeys', () => {
    const prekey = (prekeyId: number, day: number) => ({
      prekeyId,
      secret: Uint8Array.of(prekeyId),
      signedBundle: Uint8Array.of(0xb0, prekeyId),
      createdAt: new Date(Date.UTC(2026, 0, day)),
      expiresAt: new Date(Date.UTC(2026, 0, day + 14)),
    });
    store.ratchetKeys.insertPrekey('alice@example.org', prekey(1, 1));
    store.ratchetKeys.insertPrekey('alice@example.org', prekey(2, 8));
    expect(
      store.ratchetKeys.listPrekeys('alice@example.org').map((entry) => entry.prekeyId),
    ).toEqual([2, 1]);
    expect(store.ratchetKeys.getPrekey('alice@example.org', 1)).toEqual(prekey(1, 1));
    expect(store.ratchetKeys.deletePrekeys('alice@example.org', [1, 99])).toBe(1);
    expect(store.ratchetKeys.getPrekey('alice@example.org', 1)).toBeNull();
  });
});
