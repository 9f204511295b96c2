import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { openDatabase, StorageError } from '../src/index.ts';
import { accountInput, makeTempDir } from './helpers.ts';

const KEY = Buffer.alloc(32, 0x5a);
const CANARY = 'storagecanary4411';

describe('openDatabase with an encryption key', () => {
  let temp: ReturnType<typeof makeTempDir>;
  beforeEach(() => {
    temp = makeTempDir();
  });
  afterEach(() => temp.cleanup());

  it('writes no plaintext to the file or its WAL', () => {
    const file = path.join(temp.dir, 'mail.db');
    const store = openDatabase(file, { encryptionKey: KEY });
    store.accounts.insert(accountInput(`${CANARY}@example.org`));
    for (const name of fs.readdirSync(temp.dir)) {
      expect(fs.readFileSync(path.join(temp.dir, name)).includes(CANARY), name).toBe(false);
    }
    store.close();

    const again = openDatabase(file, { encryptionKey: KEY });
    expect(again.accounts.list().map((account) => account.email)).toEqual([
      `${CANARY}@example.org`,
    ]);
    again.close();
  });

  it('rejects a wrong key with DATABASE_KEY_INVALID', () => {
    const file = path.join(temp.dir, 'mail.db');
    openDatabase(file, { encryptionKey: KEY }).close();
    const error = (() => {
      try {
        openDatabase(file, { encryptionKey: Buffer.alloc(32, 1) });
      } catch (caught) {
        return caught;
      }
      return null;
    })();
    expect(error).toBeInstanceOf(StorageError);
    expect((error as StorageError).code).toBe('DATABASE_KEY_INVALID');
  });

  it('rejects a key of the wrong length', () => {
    expect(() => openDatabase(':memory:', { encryptionKey: Buffer.alloc(16) })).toThrow(
      /expected 32 bytes/,
    );
  });

  it('encrypts an existing plaintext file in place', () => {
    const file = path.join(temp.dir, 'mail.db');
    const plain = openDatabase(file);
    plain.accounts.insert(accountInput(`${CANARY}@example.org`));
    plain.close();
    expect(fs.readFileSync(file).includes(CANARY)).toBe(true);

    const store = openDatabase(file, { encryptionKey: KEY, encryptPlaintextFile: true });
    expect(store.accounts.list()).toHaveLength(1);
    store.close();
    for (const name of fs.readdirSync(temp.dir)) {
      expect(fs.readFileSync(path.join(temp.dir, name)).includes(CANARY), name).toBe(false);
    }
  });
});
