// Forward secrecy, post-compromise security and crossing first messages (docs/RATCHET.md
// sections 4.7 and 8). An attacker "snapshot" is a full copy of a party's serialized state,
// used with the real decryption code, which is all the attacker's knowledge of that party.
import { describe, expect, it } from 'vitest';

import { decryptForPeer } from '../../src/ratchet/peer-sessions.ts';
import { Party, START, codeOf, decoder } from './helpers.ts';

/** Decrypts with a stolen copy of `victim`'s sessions with `peer`; returns text or error code. */
function attackerRead(
  victim: Party,
  peer: string,
  snapshot: Map<string, Uint8Array>,
  message: Uint8Array,
): string {
  try {
    const result = decryptForPeer({
      sessions: [...snapshot].map(([sessionId, state]) => ({ sessionId, state })),
      activeSessionId: victim.peer(peer).active,
      message,
      identityKey: victim.identityKey,
      prekeySecret: null,
      now: START,
    });
    return `plaintext:${decoder.decode(result.plaintext)}`;
  } catch (error) {
    return (error as { code: string }).code;
  }
}

function snapshot(party: Party, peer: string): Map<string, Uint8Array> {
  return new Map([...party.peer(peer).sessions].map(([id, state]) => [id, state.slice()]));
}

describe('forward secrecy', () => {
  it('captured messages do not decrypt with either party’s later state', () => {
    const alice = new Party('alice');
    const bob = new Party('bob');
    alice.start(bob);
    const captured = [alice.send('bob', 'c0'), alice.send('bob', 'c1')];
    bob.receive('alice', captured[0] as Uint8Array);
    bob.receive('alice', captured[1] as Uint8Array);
    const reply = bob.send('alice', 'c2');
    alice.receive('bob', reply);
    captured.push(reply);

    // Advance one more round trip, then steal both states.
    bob.receive('alice', alice.send('bob', 'later'));
    alice.receive('bob', bob.send('alice', 'later'));
    const bobSnapshot = snapshot(bob, 'alice');
    const aliceSnapshot = snapshot(alice, 'bob');

    for (const message of captured.slice(0, 2)) {
      expect(attackerRead(bob, 'alice', bobSnapshot, message)).not.toMatch(/^plaintext:/);
    }
    expect(attackerRead(alice, 'bob', aliceSnapshot, reply)).not.toMatch(/^plaintext:/);
  });

  it('snapshot before delivery reads message', () => {
    // The counterpart of the test above: it shows that a snapshot can read what it still holds keys for.
    const alice = new Party('alice');
    const bob = new Party('bob');
    alice.start(bob);
    bob.receive('alice', alice.send('bob', 'hello'));
    const message = alice.send('bob', 'not yet delivered');
    expect(attackerRead(bob, 'alice', snapshot(bob, 'alice'), message)).toBe(
      'plaintext:not yet delivered',
    );
  });
});

describe('post-compromise security', () => {
  it('after one round trip new messages are unreadable with the stolen state', () => {
    const alice = new Party('alice');
    const bob = new Party('bob');
    alice.start(bob);
    bob.receive('alice', alice.send('bob', 'hello'));
    alice.receive('bob', bob.send('alice', 'hi'));

    const stolen = snapshot(bob, 'alice');
    const beforeHealing = alice.send('bob', 'still exposed');
    expect(attackerRead(bob, 'alice', stolen, beforeHealing)).toBe('plaintext:still exposed');
    bob.receive('alice', beforeHealing);

    // One round trip: Bob sends on a new ratchet key, and Alice replies on a new one.
    alice.receive('bob', bob.send('alice', 'heal'));
    const afterHealing = alice.send('bob', 'private again');
    expect(attackerRead(bob, 'alice', stolen, afterHealing)).toBe('HEADER_DECRYPT_FAILED');
    expect(bob.receive('alice', afterHealing)).toBe('private again');
  });
});

describe('crossing first messages', () => {
  for (const order of ['alice-first', 'bob-first'] as const) {
    it(`settle on the same session when both write at once (${order} delivery)`, () => {
      const alice = new Party('alice');
      const bob = new Party('bob');
      alice.start(bob);
      bob.start(alice);
      const fromAlice = alice.send('bob', 'from alice');
      const fromBob = bob.send('alice', 'from bob');

      if (order === 'alice-first') {
        expect(bob.receive('alice', fromAlice)).toBe('from alice');
        expect(alice.receive('bob', fromBob)).toBe('from bob');
      } else {
        expect(alice.receive('bob', fromBob)).toBe('from bob');
        expect(bob.receive('alice', fromAlice)).toBe('from alice');
      }

      expect(alice.peer('bob').active).toBe(bob.peer('alice').active);
      const smaller = Buffer.compare(alice.publicKey, bob.publicKey) < 0 ? alice : bob;
      expect(smaller.peer(smaller === alice ? 'bob' : 'alice').sessions.size).toBe(2);

      // Both keep writing on the settled session, and the loser's stragglers still decrypt.
      for (let round = 0; round < 3; round++) {
        expect(bob.receive('alice', alice.send('bob', `a${round}`))).toBe(`a${round}`);
        expect(alice.receive('bob', bob.send('alice', `b${round}`))).toBe(`b${round}`);
      }
      expect(alice.peer('bob').active).toBe(bob.peer('alice').active);
    });
  }

  it('a peer that starts over gets its new session adopted', () => {
    const alice = new Party('alice');
    const bob = new Party('bob');
    alice.start(bob);
    bob.receive('alice', alice.send('bob', 'hello'));
    alice.receive('bob', bob.send('alice', 'hi'));

    const newAlice = Object.assign(Object.create(Object.getPrototypeOf(alice)), alice, {
      peers: new Map(),
    }) as Party;
    newAlice.start(bob);
    expect(bob.receive('alice', newAlice.send('bob', 'restarted'))).toBe('restarted');
    expect(newAlice.receive('bob', bob.send('alice', 'welcome back'))).toBe('welcome back');
    expect(codeOf(() => alice.receive('bob', bob.send('alice', 'x')))).toBe(
      'HEADER_DECRYPT_FAILED',
    );
  });
});
