// The audit log: key operations are recorded with counts of signatures and decryptions, no
// addresses, and `sealpost audit verify` finds an edited, a removed and a reordered entry.
// Tampering is done as an attacker holding the database key would: the append-only triggers
// are dropped and rows are changed with SQL.

import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import Database from 'better-sqlite3-multiple-ciphers';
import { afterEach, describe, expect, it } from 'vitest';
import { OsKeychain } from '../../src/core/keystore/keychain.ts';
import { entryName } from '../../src/core/keystore/keystore.ts';
import { readKeystoreFile } from '../../src/core/keystore/keystore-file.ts';
import { repositoryRoot } from '../e2e/stack.ts';
import { localAddress, makeDataFolder } from './helpers.ts';
import type { DataFolder } from './helpers.ts';

const run = promisify(execFile);

let data: DataFolder;
afterEach(() => data?.remove());

async function folderWithEntries(): Promise<{ address: string; fingerprint: string }> {
  data = makeDataFolder();
  const sealpost = await data.open();
  const address = localAddress('audit');
  const { fingerprint } = await sealpost.keys.generate({ address, name: null });
  (await sealpost.keys.unlock(address)).clear();
  (await sealpost.keys.unlock(address)).clear();
  sealpost.keys.exportSecretKey(address);
  sealpost.close();
  return { address, fingerprint };
}

/** Runs `sql` on the encrypted database with the key from the keychain, as an attacker could. */
function tamper(sql: string): void {
  const { folderId } = readKeystoreFile(data.paths.keystore);
  const key = new OsKeychain().get(entryName(folderId, 'database-key'))!;
  const db = new Database(data.paths.database);
  db.pragma("cipher = 'sqlcipher'");
  db.pragma('legacy = 4');
  db.pragma(`key = "x'${Buffer.from(key, 'base64').toString('hex')}'"`);
  db.exec('DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete;');
  db.exec(sql);
  db.close();
}

async function verifyWithCli(): Promise<{ status: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(
      process.execPath,
      [
        '--import',
        'tsx',
        path.join(repositoryRoot, 'apps/desktop/src/cli/main.ts'),
        'audit',
        'verify',
      ],
      { cwd: repositoryRoot, env: { ...process.env, SEALPOST_HOME: data.paths.root } },
    );
    return { status: 0, stdout, stderr };
  } catch (error) {
    const failure = error as { code: number; stdout: string; stderr: string };
    return { status: failure.code, stdout: failure.stdout, stderr: failure.stderr };
  }
}

describe('audit log', () => {
  it('records key operations and usage counts', async () => {
    const { address, fingerprint } = await folderWithEntries();
    const sealpost = await data.open();
    const entries = sealpost.audit.list();
    sealpost.close();

    expect(entries.map((entry) => entry.operation)).toEqual([
      'unlock',
      'generate',
      'export',
      'usage',
      'unlock',
    ]);
    expect(entries[3]).toMatchObject({ fingerprint, details: { signatures: 2, decryptions: 0 } });
    expect(JSON.stringify(entries)).not.toContain(address);
    expect(JSON.stringify(entries)).not.toContain(address.split('@')[0]);
  });

  it('rejects updates and deletes through SQL triggers', async () => {
    await folderWithEntries();
    const { folderId } = readKeystoreFile(data.paths.keystore);
    const key = new OsKeychain().get(entryName(folderId, 'database-key'))!;
    const db = new Database(data.paths.database);
    db.pragma("cipher = 'sqlcipher'");
    db.pragma('legacy = 4');
    db.pragma(`key = "x'${Buffer.from(key, 'base64').toString('hex')}'"`);
    expect(() => db.exec('DELETE FROM audit_log WHERE seq = 1')).toThrow(/append-only/);
    expect(() => db.exec("UPDATE audit_log SET operation = 'import'")).toThrow(/append-only/);
    db.close();
  });

  it('verify passes on an intact log', async () => {
    await folderWithEntries();
    const result = await verifyWithCli();
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^The audit log is intact: \d+ entries/);
  });

  it('verify finds an edited entry', async () => {
    await folderWithEntries();
    tamper(
      'UPDATE audit_log SET details = \'{"part":"certificate"}\' WHERE operation = \'export\'',
    );
    const result = await verifyWithCli();
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/^sealpost: AUDIT_LOG_INVALID: Audit log entry 3 was changed/);
  });

  it('verify finds a removed entry', async () => {
    await folderWithEntries();
    tamper('DELETE FROM audit_log WHERE seq = 2');
    const result = await verifyWithCli();
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/^sealpost: AUDIT_LOG_INVALID: Audit log entry 2 /);
  });

  it('verify finds reordered entries', async () => {
    await folderWithEntries();
    // Swap the contents of entries 2 and 3 while keeping their sequence numbers in place.
    tamper(`
      CREATE TEMP TABLE saved AS SELECT * FROM audit_log WHERE seq IN (2, 3);
      DELETE FROM audit_log WHERE seq IN (2, 3);
      INSERT INTO audit_log SELECT 5 - seq, at, operation, fingerprint, details, previous_hash, hash
        FROM saved;
    `);
    const result = await verifyWithCli();
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/^sealpost: AUDIT_LOG_INVALID: Audit log entry 2 /);
  });
});
