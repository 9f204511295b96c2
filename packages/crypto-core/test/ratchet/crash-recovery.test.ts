// Crash safety of ratchet persistence (docs/RATCHET.md section 7). A child process receives a
// stream of messages and commits each new session state with the received message in one SQLite
// transaction. The test kills it with SIGKILL at random points and restarts it. Afterwards every
// message is stored exactly once with its text, and no stored key decrypts any of them again.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

import { openDatabase } from '../../../storage/src/index.ts';
import { decryptForPeer } from '../../src/ratchet/peer-sessions.ts';
import { Party, START } from './helpers.ts';

const root = fileURLToPath(new URL('../../../../', import.meta.url));
// Node itself with tsx's loader, not the tsx command: SIGKILL must hit the process that writes.
const tsxLoader = pathToFileURL(path.join(root, 'node_modules/tsx/dist/loader.mjs')).href;
const child = fileURLToPath(new URL('./fixtures/crash-receiver.ts', import.meta.url));
const MESSAGE_COUNT = 150;

/** A small seeded generator, so a failing run can be repeated. */
function random(seed: number): () => number {
  let value = seed;
  return () => {
    value = (value * 1103515245 + 12345) % 2 ** 31;
    return value / 2 ** 31;
  };
}

/** Runs the child; kills it after `killAfterLines` output lines (plus a short random delay). */
function runChild(dir: string, killAfterLines: number | null, delayMs: number) {
  return new Promise<{ killed: boolean; output: string; code: number | null }>((resolve) => {
    const receiver = spawn(process.execPath, ['--import', tsxLoader, child, dir], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    let lines = 0;
    let killed = false;
    receiver.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      lines = output.split('\n').length - 1;
      if (killAfterLines !== null && !killed && lines >= killAfterLines) {
        killed = true;
        setTimeout(() => receiver.kill('SIGKILL'), delayMs);
      }
    });
    receiver.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    receiver.on('exit', (code) => resolve({ killed: killed && code === null, output, code }));
  });
}

describe('ratchet persistence under SIGKILL', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sealpost-ratchet-crash-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('decrypts every message exactly once and reuses no key across restarts', async () => {
    const alice = new Party('alice');
    const bob = new Party('bob');
    alice.start(bob);
    const texts = Array.from({ length: MESSAGE_COUNT }, (_, index) => `message ${index}`);
    const messages = texts.map((text) => alice.send('bob', text));
    const next = random(20260101);
    // Mail arrives out of order: shuffle within windows of eight.
    const order = Array.from({ length: MESSAGE_COUNT }, (_, index) => index);
    for (let start = 0; start < MESSAGE_COUNT; start += 8) {
      const window = order.slice(start, start + 8).sort(() => next() - 0.5);
      order.splice(start, window.length, ...window);
    }
    const [prekeySecret] = [...bob.prekeys.values()];
    fs.writeFileSync(
      path.join(dir, 'input.json'),
      JSON.stringify({
        identityKey: Buffer.from(bob.identityKey).toString('base64'),
        prekeySecret: Buffer.from(prekeySecret as Uint8Array).toString('base64'),
        messages: messages.map((message) => Buffer.from(message).toString('base64')),
        order,
      }),
    );

    let kills = 0;
    for (let attempt = 0; attempt < 60; attempt++) {
      const killAfter = attempt < 40 ? 1 + Math.floor(next() * 12) : null;
      const run = await runChild(dir, killAfter, Math.floor(next() * 4));
      expect(run.output.match(/^.*(?:LOST|Error).*$/gm) ?? []).toEqual([]);
      if (run.killed) kills++;
      if (run.output.includes('done')) break;
    }
    expect(kills).toBeGreaterThan(3);

    const store = openDatabase(path.join(dir, 'bob.sqlite'));
    try {
      const account = store.accounts.getByEmail('bob@sealpost.test');
      const folder = store.folders.listByAccount(account?.id as number)[0];
      const stored = store.messages.listByFolder(folder?.id as number, { limit: 10_000 });
      expect(stored.map((message) => message.uid).sort((a, b) => (a ?? 0) - (b ?? 0))).toEqual(
        texts.map((_, index) => index + 1),
      );
      for (const message of stored) {
        expect(store.messages.getRaw(message.id).toString()).toBe(
          texts[(message.uid as number) - 1],
        );
      }

      const sessions = store.ratchetSessions.listForPeer(
        'bob@sealpost.test',
        'alice@sealpost.test',
      );
      expect(sessions).toHaveLength(1);
      for (const message of messages) {
        const outcome = (() => {
          try {
            decryptForPeer({
              sessions: sessions.map((session) => ({
                sessionId: session.id,
                state: session.state,
              })),
              activeSessionId: sessions[0]?.id ?? null,
              message,
              identityKey: bob.identityKey,
              now: START,
            });
            return 'DECRYPTED AGAIN';
          } catch (error) {
            return (error as { code: string }).code;
          }
        })();
        expect(outcome).toBe('REPLAY_DETECTED');
      }
    } finally {
      store.close();
    }
  }, 300_000);
});
