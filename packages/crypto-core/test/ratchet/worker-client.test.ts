// The async RatchetClient against its real worker thread: session start, messages,
// multi-recipient sealing, error codes across the thread boundary, and start-up through the
// tsx command line (as `pnpm sealpost` runs) as well as under vitest.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { threadId } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { RatchetClient } from '../../src/ratchet/client.ts';
import { RatchetError } from '../../src/ratchet/errors.ts';
import { decoder, encoder } from './helpers.ts';

const root = fileURLToPath(new URL('../../../../', import.meta.url));

describe('RatchetClient (worker thread)', () => {
  let client: RatchetClient;
  beforeAll(() => {
    client = RatchetClient.start();
  });
  afterAll(async () => {
    await client.close();
  });

  async function party(name: string) {
    const identity = await client.generateIdentityKey();
    const prekey = await client.generatePrekey({
      identityPublicKey: identity.publicKey,
      fingerprint: 'ef'.repeat(20),
      now: Date.now(),
    });
    return { name, ...identity, prekey };
  }

  it('runs in a separate thread', () => {
    expect(client.threadId).toBeGreaterThan(0);
    expect(client.threadId).not.toBe(threadId);
  });

  it('starts a session, sends, answers and rejects a replay', async () => {
    const alice = await party('alice');
    const bob = await party('bob');
    const started = await client.startSession({
      identityKey: alice.identityKey,
      bundleBytes: bob.prekey.bundleBytes,
      now: Date.now(),
    });
    const first = await client.encrypt({
      state: started.state,
      plaintext: encoder.encode('hi bob'),
    });
    const info = await client.readFirstMessageInfo({
      message: first.message,
      identityPublicKey: bob.publicKey,
    });
    expect(info).toMatchObject({ prekeyId: bob.prekey.prekeyId, sessionId: started.sessionId });
    expect(info?.initiatorIdentityKey).toEqual(alice.publicKey);

    const received = await client.decrypt({
      sessions: [],
      activeSessionId: null,
      message: first.message,
      identityKey: bob.identityKey,
      prekeySecret: bob.prekey.prekeySecret,
      now: Date.now(),
    });
    expect(decoder.decode(received.plaintext)).toBe('hi bob');
    expect(received).toMatchObject({ created: true, activeSessionId: started.sessionId });

    const replay = client.decrypt({
      sessions: [{ sessionId: received.sessionId, state: received.state }],
      activeSessionId: received.activeSessionId,
      message: first.message,
      identityKey: bob.identityKey,
      now: Date.now(),
    });
    await expect(replay).rejects.toBeInstanceOf(RatchetError);
    await expect(replay).rejects.toMatchObject({ code: 'REPLAY_DETECTED' });

    const answer = await client.encrypt({
      state: received.state,
      plaintext: encoder.encode('hi alice'),
    });
    const back = await client.decrypt({
      sessions: [{ sessionId: started.sessionId, state: first.state }],
      activeSessionId: started.sessionId,
      message: answer.message,
      identityKey: alice.identityKey,
      now: Date.now(),
    });
    expect(decoder.decode(back.plaintext)).toBe('hi alice');
  });

  it('seals one body for two recipients and rejects a swapped body', async () => {
    const alice = await party('alice');
    const recipients = [await party('bob'), await party('carol')];
    const sessions = await Promise.all(
      recipients.map((recipient) =>
        client.startSession({
          identityKey: alice.identityKey,
          bundleBytes: recipient.prekey.bundleBytes,
          now: Date.now(),
        }),
      ),
    );
    const payload = encoder.encode('to both of you '.repeat(100));
    const sealed = await client.sealForRecipients({ recipients: sessions, payload });
    const other = await client.sealForRecipients({
      recipients: sessions,
      payload: encoder.encode('other'),
    });

    for (const [index, recipient] of recipients.entries()) {
      const wrapped = sealed.recipients[index];
      const input = {
        sessions: [],
        activeSessionId: null,
        wrappedKey: wrapped?.wrappedKey as Uint8Array,
        identityKey: recipient.identityKey,
        prekeySecret: recipient.prekey.prekeySecret,
        now: Date.now(),
      };
      await expect(
        client.openSealed({ ...input, encryptedBody: other.encryptedBody }),
      ).rejects.toMatchObject({
        code: 'DECRYPT_FAILED',
      });
      const opened = await client.openSealed({ ...input, encryptedBody: sealed.encryptedBody });
      expect(opened.payload).toEqual(payload);
    }
  });

  it('maps a malformed input to its code across the thread boundary', async () => {
    await expect(
      client.encrypt({ state: new Uint8Array(8), plaintext: new Uint8Array(1) }),
    ).rejects.toMatchObject({
      code: 'STATE_MALFORMED',
    });
  });

  it('starts the worker under the tsx command line too', () => {
    const output = execFileSync(
      'pnpm',
      ['exec', 'tsx', 'packages/crypto-core/test/ratchet/fixtures/client-round-trip.ts'],
      { cwd: root, encoding: 'utf8' },
    );
    const result = JSON.parse(output.trim().split('\n').pop() as string) as {
      text: string;
      mainThreadId: number;
      workerThreadId: number;
    };
    expect(result.text).toBe('through tsx');
    expect(result.workerThreadId).not.toBe(result.mainThreadId);
  }, 60_000);
});
