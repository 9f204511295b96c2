// Encryption at rest, checked from the outside: bob receives, decrypts and searches a message
// with a canary word, both apps close, and no file in his data folder (database, WAL, shared
// memory, journal, logs, keystore) contains the canary or the bytes of his keys.

import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OsKeychain } from '../../src/core/keystore/keychain.ts';
import { entryName } from '../../src/core/keystore/keystore.ts';
import { readKeystoreFile } from '../../src/core/keystore/keystore-file.ts';
import { createLogger } from '../../src/core/logger.ts';
import { resolveDataPaths } from '../../src/core/paths.ts';
import { Sealpost } from '../../src/core/sealpost.ts';
import { createUser, swapCertificates, syncAndFind } from '../e2e/stack.ts';
import type { TestUser } from '../e2e/stack.ts';

const CANARY = 'zebracanary7731';

function filesUnder(folder: string): string[] {
  return readdirSync(folder).flatMap((name) => {
    const file = path.join(folder, name);
    return statSync(file).isDirectory() ? filesUnder(file) : [file];
  });
}

/** The forms a 32-byte key could take in a file: raw, hex and base64. */
function keyForms(key: Buffer): Buffer[] {
  return [key, Buffer.from(key.toString('hex')), Buffer.from(key.toString('base64'))];
}

describe('data folder at rest', () => {
  let alice: TestUser;
  let bob: TestUser;
  let bobKeys: Buffer[];

  beforeAll(async () => {
    alice = await createUser('alice');
    bob = await createUser('bob');
    await swapCertificates(alice, bob);
    const sent = await alice.sealpost.mail.send({
      from: null,
      to: [bob.address],
      cc: [],
      bcc: [],
      subject: `Subject with ${CANARY}`,
      text: `The body mentions ${CANARY} twice: ${CANARY}.\n`,
      attachments: [
        {
          filename: `${CANARY}.txt`,
          contentType: 'text/plain',
          content: Buffer.from(`attachment ${CANARY}`),
        },
      ],
      allowPlaintext: false,
    });
    const id = await syncAndFind(bob, sent.messageId);
    const read = await bob.sealpost.mail.read(id);
    expect(read.subject).toContain(CANARY);

    const folderId = readKeystoreFile(path.join(bob.home, 'keystore.json')).folderId;
    const keychain = new OsKeychain();
    bobKeys = (['kek', 'database-key'] as const).map((name) =>
      Buffer.from(keychain.get(entryName(folderId, name))!, 'base64'),
    );
    bob.sealpost.close();
    alice.sealpost.close();

    // Open bob's folder once more with a debug-level file logger and read the message again,
    // so the log file exists and has seen a decryption.
    const paths = resolveDataPaths({ SEALPOST_HOME: bob.home });
    const again = await Sealpost.open(paths, createLogger(paths.logs, 'debug'));
    try {
      expect((await again.mail.read(id)).text).toContain(CANARY);
    } finally {
      again.close();
    }
  });

  afterAll(() => {
    alice?.close();
    bob?.close();
  });

  it('keeps the keys in the keychain', () => {
    expect(bobKeys).toHaveLength(2);
    for (const key of bobKeys) expect(key).toHaveLength(32);
  });

  it('no file contains the canary', () => {
    const files = filesUnder(bob.home);
    expect(files.some((file) => file.endsWith('sealpost.db'))).toBe(true);
    expect(files.some((file) => file.endsWith('sealpost.log'))).toBe(true);
    for (const file of files) {
      const contents = readFileSync(file);
      expect(contents.includes(CANARY), `${path.basename(file)} contains the canary`).toBe(false);
      expect(contents.includes(Buffer.from(CANARY, 'utf16le')), path.basename(file)).toBe(false);
    }
  });

  it('no file contains key bytes', () => {
    for (const file of filesUnder(bob.home)) {
      const contents = readFileSync(file);
      for (const form of bobKeys.flatMap(keyForms)) {
        expect(contents.includes(form), `${path.basename(file)} contains a key`).toBe(false);
      }
    }
  });
});
