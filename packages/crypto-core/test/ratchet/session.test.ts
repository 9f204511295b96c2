// Behaviour of one ratchet session through the byte-level operations: order, loss, replay,
// tampering, the documented bounds and their error codes, padding and state encoding.
import { describe, expect, it } from 'vitest';

import { RatchetError } from '../../src/ratchet/errors.ts';
import { ENCRYPTED_HEADER_LENGTH } from '../../src/ratchet/header.ts';
import { PREAMBLE_LENGTH } from '../../src/ratchet/message.ts';
import { paddedLength } from '../../src/ratchet/padding.ts';
import { DEFAULT_LIMITS } from '../../src/ratchet/skipped-keys.ts';
import { deserializeState, serializeState } from '../../src/ratchet/state.ts';
import { Party, START, codeOf } from './helpers.ts';

const DAY = 24 * 60 * 60 * 1000;

function pair(limits?: typeof DEFAULT_LIMITS) {
  const alice = new Party('alice', limits);
  const bob = new Party('bob', limits);
  alice.start(bob);
  return { alice, bob };
}

describe('ratchet session', () => {
  it('exchanges messages both ways over several DH ratchet steps', () => {
    const { alice, bob } = pair();
    for (let round = 0; round < 4; round++) {
      expect(bob.receive('alice', alice.send('bob', `a${round}`))).toBe(`a${round}`);
      expect(alice.receive('bob', bob.send('alice', `b${round}`))).toBe(`b${round}`);
    }
  });

  it('sends first messages with the preamble until the peer answers', () => {
    const { alice, bob } = pair();
    const first = alice.send('bob', 'one');
    const second = alice.send('bob', 'two');
    expect([first[1], second[1]]).toEqual([0x02, 0x02]);
    // The first message is lost; the second still starts the session.
    expect(bob.receive('alice', second)).toBe('two');
    expect(alice.receive('bob', bob.send('alice', 'ack'))).toBe('ack');
    expect(alice.send('bob', 'three')[1]).toBe(0x01);
    expect(bob.receive('alice', first)).toBe('one');
  });

  it('reads out-of-order messages across chains and rejects each copy afterwards', () => {
    const { alice, bob } = pair();
    const early = [alice.send('bob', 'e0'), alice.send('bob', 'e1')];
    bob.receive('alice', alice.send('bob', 'e2'));
    alice.receive('bob', bob.send('alice', 'r'));
    const late = alice.send('bob', 'l0');
    expect(bob.receive('alice', late)).toBe('l0');
    expect(bob.receive('alice', early[1] as Uint8Array)).toBe('e1');
    expect(bob.receive('alice', early[0] as Uint8Array)).toBe('e0');
    for (const copy of [...early, late]) {
      expect(codeOf(() => bob.receive('alice', copy))).toBe('REPLAY_DETECTED');
    }
  });

  it('fails closed on a tampered header or body and leaves the state unchanged', () => {
    const { alice, bob } = pair();
    bob.receive('alice', alice.send('bob', 'hello'));
    const message = alice.send('bob', 'secret');
    const before = bob.state('alice');

    const body = message.slice();
    body[body.length - 1] = (body[body.length - 1] as number) ^ 1;
    expect(codeOf(() => bob.receive('alice', body))).toBe('DECRYPT_FAILED');
    const header = message.slice();
    header[2 + PREAMBLE_LENGTH + 20] = (header[2 + PREAMBLE_LENGTH + 20] as number) ^ 1;
    expect(codeOf(() => bob.receive('alice', header))).toBe('HEADER_DECRYPT_FAILED');
    expect(bob.state('alice')).toEqual(before);
    expect(bob.receive('alice', message)).toBe('secret');
  });

  it('rejects a message that would skip more than maxSkip keys', () => {
    const limits = { ...DEFAULT_LIMITS, maxSkip: 5 };
    const { alice, bob } = pair(limits);
    bob.receive('alice', alice.send('bob', 'start'));
    const lost = [0, 1, 2, 3, 4, 5].map(() => alice.send('bob', 'lost'));
    const before = bob.state('alice');
    expect(codeOf(() => bob.receive('alice', alice.send('bob', 'far')))).toBe(
      'TOO_MANY_SKIPPED_MESSAGES',
    );
    expect(bob.state('alice')).toEqual(before);
    expect(bob.receive('alice', lost[5] as Uint8Array)).toBe('lost');
  });

  it('fails with MESSAGE_KEY_EXPIRED beyond the skipped-key count and age', () => {
    const limits = { ...DEFAULT_LIMITS, maxSkippedKeys: 3 };
    const { alice, bob } = pair(limits);
    bob.receive('alice', alice.send('bob', 'start'));
    const skipped = [0, 1, 2, 3, 4].map((i) => alice.send('bob', `s${i}`));
    expect(bob.receive('alice', alice.send('bob', 'latest'))).toBe('latest');
    // Five keys were skipped but only three kept: the two oldest are gone.
    expect(codeOf(() => bob.receive('alice', skipped[0] as Uint8Array))).toBe(
      'MESSAGE_KEY_EXPIRED',
    );
    expect(codeOf(() => bob.receive('alice', skipped[1] as Uint8Array))).toBe(
      'MESSAGE_KEY_EXPIRED',
    );
    expect(bob.receive('alice', skipped[2] as Uint8Array)).toBe('s2');
    // The rest expire with age.
    expect(codeOf(() => bob.receive('alice', skipped[3] as Uint8Array, START + 31 * DAY))).toBe(
      'MESSAGE_KEY_EXPIRED',
    );
    expect(bob.receive('alice', skipped[4] as Uint8Array, START + 29 * DAY)).toBe('s4');
  });

  it('pads payloads to buckets so sizes within a bucket look the same', () => {
    const { alice } = pair();
    const overhead = 2 + PREAMBLE_LENGTH + ENCRYPTED_HEADER_LENGTH + 16;
    const sizes = [0, 1, 1000].map((length) => alice.send('bob', 'x'.repeat(length)).length);
    expect(new Set(sizes)).toEqual(new Set([overhead + 1024]));
    expect(alice.send('bob', 'x'.repeat(1021)).length).toBe(overhead + 2048);
    expect([paddedLength(1020), paddedLength(1021), paddedLength(1024 * 1024)]).toEqual([
      1024,
      2048,
      2 * 1024 * 1024,
    ]);
  });

  it('round-trips the state encoding and rejects damaged state', () => {
    const { alice, bob } = pair();
    bob.receive('alice', alice.send('bob', 'x'));
    alice.send('bob', 'skipped');
    bob.receive('alice', alice.send('bob', 'y'));
    const bytes = bob.state('alice');
    expect(serializeState(deserializeState(bytes))).toEqual(bytes);
    expect(codeOf(() => deserializeState(bytes.subarray(0, bytes.length - 1)))).toBe(
      'STATE_MALFORMED',
    );
    expect(codeOf(() => deserializeState(new Uint8Array(10)))).toBe('STATE_MALFORMED');
  });

  it('names the problem in a RatchetError for a malformed message', () => {
    const { bob } = pair();
    const error = (() => {
      try {
        bob.receive('alice', Uint8Array.of(9, 1, 2, 3));
      } catch (caught) {
        return caught;
      }
    })();
    expect(error).toBeInstanceOf(RatchetError);
    expect(error).toMatchObject({ code: 'UNSUPPORTED_VERSION' });
    expect(codeOf(() => bob.receive('alice', Uint8Array.of(1, 1, 2, 3)))).toBe('MESSAGE_MALFORMED');
  });
});
