// Property tests with fast-check: random interleavings of sending, delivery order, loss and
// duplication between two and three parties. Every delivered message decrypts exactly once, to
// its own text, or fails with a documented code when it lies beyond the configured bounds.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { DEFAULT_LIMITS, type RatchetLimits } from '../../src/ratchet/skipped-keys.ts';
import { Party } from './helpers.ts';

type Command =
  | { kind: 'send'; from: number; to: number }
  | { kind: 'deliver'; pick: number }
  | { kind: 'duplicate'; pick: number }
  | { kind: 'drop'; pick: number };

interface InFlight {
  id: number;
  from: number;
  to: number;
  bytes: Uint8Array;
}

const BEYOND_BOUNDS = ['MESSAGE_KEY_EXPIRED', 'TOO_MANY_SKIPPED_MESSAGES'];

function commands(parties: number) {
  const party = fc.integer({ min: 0, max: parties - 1 });
  const pick = fc.nat();
  return fc.array(
    fc.oneof(
      {
        weight: 4,
        arbitrary: fc.record({ kind: fc.constant('send' as const), from: party, to: party }),
      },
      { weight: 4, arbitrary: fc.record({ kind: fc.constant('deliver' as const), pick }) },
      { weight: 1, arbitrary: fc.record({ kind: fc.constant('duplicate' as const), pick }) },
      { weight: 1, arbitrary: fc.record({ kind: fc.constant('drop' as const), pick }) },
    ),
    { minLength: 5, maxLength: 45 },
  );
}

/** Runs one scenario and checks the exactly-once property; `crossing` lets both sides start. */
function run(partyCount: number, script: Command[], crossing: boolean, limits: RatchetLimits) {
  const parties = Array.from({ length: partyCount }, (_, index) => new Party(`p${index}`, limits));
  for (let a = 0; a < partyCount; a++) {
    for (let b = a + 1; b < partyCount; b++) {
      (parties[a] as Party).start(parties[b] as Party);
      if (crossing) (parties[b] as Party).start(parties[a] as Party);
    }
  }
  const party = (index: number) => parties[index] as Party;
  const inFlight: InFlight[] = [];
  const decrypted = new Map<number, number>();
  const delivered = new Set<number>();
  let nextId = 0;
  const strict = limits === DEFAULT_LIMITS;

  const deliver = (message: InFlight, isCopy: boolean) => {
    let outcome: string;
    try {
      outcome = party(message.to).receive(party(message.from).name, message.bytes);
    } catch (error) {
      outcome = `error:${(error as { code?: string }).code ?? String(error)}`;
    }
    if (!outcome.startsWith('error:')) {
      expect(outcome).toBe(`message ${message.id}`);
      decrypted.set(message.id, (decrypted.get(message.id) ?? 0) + 1);
      expect(decrypted.get(message.id)).toBe(1);
    } else if (isCopy || delivered.has(message.id)) {
      // A copy of something already read is a replay; past the record window it has expired.
      const allowed =
        delivered.has(message.id) && decrypted.has(message.id)
          ? ['error:REPLAY_DETECTED', ...(strict ? [] : ['error:MESSAGE_KEY_EXPIRED'])]
          : BEYOND_BOUNDS.map((code) => `error:${code}`).concat('error:REPLAY_DETECTED');
      expect(allowed).toContain(outcome);
    } else {
      expect(strict, `message ${message.id} failed with ${outcome}`).toBe(false);
      expect(BEYOND_BOUNDS.map((code) => `error:${code}`)).toContain(outcome);
    }
    delivered.add(message.id);
  };

  for (const command of script) {
    if (command.kind === 'send') {
      if (command.from === command.to) continue;
      // A party with no session to the peer yet starts one, which may cross the peer's.
      if (party(command.from).peer(party(command.to).name).active === null) {
        party(command.from).start(party(command.to));
      }
      const id = nextId++;
      const bytes = party(command.from).send(party(command.to).name, `message ${id}`);
      inFlight.push({ id, from: command.from, to: command.to, bytes });
      continue;
    }
    if (inFlight.length === 0) continue;
    const index = command.pick % inFlight.length;
    const message = inFlight[index] as InFlight;
    if (command.kind === 'duplicate') {
      deliver(message, delivered.has(message.id));
      continue;
    }
    inFlight.splice(index, 1);
    if (command.kind === 'deliver') deliver(message, false);
  }
  // Everything still in flight arrives at the end, newest first.
  for (const message of inFlight.reverse()) deliver(message, false);
  for (const count of decrypted.values()) expect(count).toBe(1);
}

describe('ratchet interleavings (fast-check)', () => {
  it('two parties: every delivered message decrypts exactly once', () => {
    fc.assert(
      fc.property(commands(2), fc.boolean(), (script, crossing) => {
        run(2, script, crossing, DEFAULT_LIMITS);
      }),
      { numRuns: 30 },
    );
  }, 120_000);

  it('three parties: every delivered message decrypts exactly once', () => {
    fc.assert(
      fc.property(commands(3), (script) => {
        run(3, script, false, DEFAULT_LIMITS);
      }),
      { numRuns: 20 },
    );
  }, 120_000);

  it('tight bounds: documented codes, never twice', () => {
    // Beyond the bounds a message fails with a documented code and never decrypts twice.
    const limits: RatchetLimits = { ...DEFAULT_LIMITS, maxSkip: 4, maxSkippedKeys: 3 };
    fc.assert(
      fc.property(commands(2), fc.boolean(), (script, crossing) => {
        run(2, script, crossing, limits);
      }),
      { numRuns: 30 },
    );
  }, 120_000);
});
