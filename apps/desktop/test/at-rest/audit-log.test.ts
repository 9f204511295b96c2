// The audit log: key operations are recorded with counts of signatures and decryptions, no
// addresses, and `sealpost audit verify` finds an edited, a removed and a reordered entry, and
// entries cut off the end or rolled back to an older copy of the database. Tampering is done as
// an attacker holding the database key would: the append-only triggers are dropped and rows are
// changed with SQL, or the database files are replaced.

import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import Database from 'better-sqlite3-multiple-ciphers';
import { afterEach, describe, expect, it } from 'vitest';
import { AuditAnchorFile, auditAnchorPath } from '../../src/core/audit-anchor.ts';
import { OsKeychain } from '../../src/core/keystore/keychain.ts';
import { entryName } from '../../src/core/keystore/keystore.ts';
import { readKeystoreFile } from '../../src/core/keystore/keystore-file.ts';
import { runSealpost } from '../cli/cli-runner.ts';
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

/** Opens and closes the data folder `times` times; each open appends an `unlock` entry. */
async function reopen(times: number): Promise<void> {
  for (let index = 0; index < times; index += 1) (await data.open()).close();
}

/** Copies the database files (with the WAL, if any) to `suffix` copies, or back from them. */
function copyDatabase(direction: 'save' | 'restore', suffix: string): void {
  for (const extension of ['', '-wal', '-shm']) {
    const live = `${data.paths.database}${extension}`;
    const saved = `${live}.${suffix}`;
    const [from, to] = direction === 'save' ? [live, saved] : [saved, live];
    if (existsSync(from)) copyFileSync(from, to);
    else rmSync(to, { force: true });
  }
}

async function errorOf(action: () => unknown): Promise<{ code?: string; message: string }> {
  try {
    await action();
  } catch (error) {
    return error as { code?: string; message: string };
  }
  throw new Error('expected an error, but the action succeeded');
}

async function verifyWithCli(
  command: string[] = ['verify'],
): Promise<{ status: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(
      process.execPath,
      [
        '--import',
        'tsx',
        path.join(repositoryRoot, 'apps/desktop/src/cli/main.ts'),
        'audit',
        ...command,
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

describe('audit log anchor', () => {
  it('verify finds the last entry cut off', async () => {
    await folderWithEntries();
    tamper('DELETE FROM audit_log WHERE seq = 4');
    const result = await verifyWithCli();
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/^sealpost: AUDIT_LOG_TRUNCATED: /);
    expect(result.stderr).toContain('entry 4 is the first missing one');
  });

  it('verify finds five entries cut off', async () => {
    await folderWithEntries();
    await reopen(3);
    tamper('DELETE FROM audit_log WHERE seq > 2');
    const result = await verifyWithCli();
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/^sealpost: AUDIT_LOG_TRUNCATED: /);
    expect(result.stderr).toContain('anchor names entry 7');
    expect(result.stderr).toContain('entry 3 is the first missing one');
  });

  it('verify finds an older copy of the log', async () => {
    await folderWithEntries();
    copyDatabase('save', 'old');
    await reopen(3);
    copyDatabase('restore', 'old');
    const result = await verifyWithCli();
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/^sealpost: AUDIT_LOG_TRUNCATED: /);
    expect(result.stderr).toContain('entry 5 is the first missing one');

    // The finding is itself a chained, anchored entry, so later runs keep reporting it.
    const again = await verifyWithCli();
    expect(again.status).toBe(1);
    expect(again.stderr).toContain('entry 5 is the first missing one');
  });

  it('accept records a known rollback', { timeout: 300_000 }, async () => {
    await folderWithEntries();
    copyDatabase('save', 'old');
    await reopen(3);
    copyDatabase('restore', 'old');
    const rolledBack = await verifyWithCli();
    expect(rolledBack.status).toBe(1);
    expect(rolledBack.stderr).toContain(
      'restore sealpost.db together with audit-anchor.json from the same backup',
    );
    expect(rolledBack.stderr).toContain('"sealpost audit accept --yes"');

    const unconfirmed = await verifyWithCli(['accept']);
    expect(unconfirmed.status).toBe(1);
    expect(unconfirmed.stderr).toMatch(/^sealpost: CONFIRMATION_REQUIRED: /);

    const accepted = await verifyWithCli(['accept', '--yes']);
    expect(accepted.stderr).toBe('');
    expect(accepted.status).toBe(0);
    expect(accepted.stdout).toMatch(/^Accepted the current audit log \(1 recorded mismatch/);

    const verified = await verifyWithCli();
    expect(verified.status).toBe(0);
    expect(verified.stdout).toMatch(/^The audit log is intact: /);
    expect(verified.stdout).toMatch(/Accepted with "sealpost audit accept": .* entry \d+\.\n$/);
    const sealpost = await data.open();
    const operations = sealpost.audit.list().map((entry) => entry.operation);
    sealpost.close();
    const acceptedAt = operations.lastIndexOf('audit-mismatch-accept');
    expect(acceptedAt).toBeGreaterThan(operations.lastIndexOf('audit-anchor-mismatch'));
    expect(operations.lastIndexOf('audit-anchor-mismatch')).toBeGreaterThan(0);

    const nothingToAccept = await verifyWithCli(['accept', '--yes']);
    expect(nothingToAccept.status).toBe(1);
    expect(nothingToAccept.stderr).toContain('nothing to accept');

    // An acceptance covers earlier mismatches only: a later cut is reported again.
    await reopen(2);
    tamper('DELETE FROM audit_log WHERE seq = (SELECT MAX(seq) FROM audit_log)');
    const cutAgain = await verifyWithCli();
    expect(cutAgain.status).toBe(1);
    expect(cutAgain.stderr).toMatch(/^sealpost: AUDIT_LOG_TRUNCATED: /);
  });

  it('rolled-back database rejects key use', { timeout: 300_000 }, async () => {
    const { address } = await folderWithEntries();
    copyDatabase('save', 'old');
    await reopen(3);
    copyDatabase('restore', 'old');

    const opened = await errorOf(() => data.open());
    expect(opened.code).toBe('AUDIT_LOG_TRUNCATED');
    expect(opened.message).toContain('entry 5 is the first missing one');

    const exported = await runSealpost(data.paths.root, ['key', 'export', '--address', address]);
    expect(exported.status).toBe(1);
    expect(exported.stderr).toMatch(/^sealpost: AUDIT_LOG_TRUNCATED: /);
    expect(exported.stderr).toContain('"sealpost audit accept --yes"');
    expect(exported.stdout).toBe('');

    const listed = await verifyWithCli(['list']);
    expect(listed.stderr).toBe('');
    expect(listed.status).toBe(0);
    expect(listed.stdout).toContain('audit-anchor-mismatch');

    // The audit commands moved the anchor on, and the recorded mismatch still blocks.
    const afterList = await runSealpost(data.paths.root, ['key', 'list']);
    expect(afterList.status).toBe(1);
    expect(afterList.stderr).toMatch(/^sealpost: AUDIT_LOG_TRUNCATED: /);
    expect(afterList.stderr).toContain('entry 5 is the first missing one');

    const accepted = await verifyWithCli(['accept', '--yes']);
    expect(accepted.status).toBe(0);
    const afterAccept = await runSealpost(data.paths.root, ['key', 'list']);
    expect(afterAccept.stderr).toBe('');
    expect(afterAccept.status).toBe(0);
    expect(afterAccept.stdout).toContain(address);
    (await data.open()).close();
  });

  it('cut log rejects unlock after lock', async () => {
    await folderWithEntries();
    const sealpost = await data.open();
    try {
      sealpost.lock();
      tamper('DELETE FROM audit_log WHERE seq = (SELECT MAX(seq) FROM audit_log)');
      const error = await errorOf(() => sealpost.unlock());
      expect(error.code).toBe('AUDIT_LOG_TRUNCATED');
      expect(sealpost.sessionStatus().unlocked).toBe(false);
    } finally {
      sealpost.close();
    }
  });

  it('verify passes after restarts', async () => {
    await folderWithEntries();
    await reopen(3);
    for (let run = 0; run < 2; run += 1) {
      const result = await verifyWithCli();
      expect(result.stderr).toBe('');
      expect(result.status).toBe(0);
    }
    const sealpost = await data.open();
    const entries = sealpost.audit.list();
    sealpost.close();
    expect(entries.map((entry) => entry.operation)).not.toContain('audit-anchor-mismatch');
  });

  it('verify accepts a crash before the anchor write', async () => {
    await folderWithEntries();
    const anchorFile = auditAnchorPath(data.paths.root);
    const sealpost = await data.open();
    try {
      // Putting back the anchor of the entry before the newest one gives the state that a crash
      // between the database commit and the anchor write leaves behind.
      const beforeAppend = readFileSync(anchorFile);
      sealpost.audit.record('unlock', null, { mode: 'keychain' });
      writeFileSync(anchorFile, beforeAppend);
      expect(sealpost.audit.verify().entries).toBe(6);

      // The next append moves the anchor to the end again.
      sealpost.audit.record('unlock', null, { mode: 'keychain' });
      writeFileSync(anchorFile, beforeAppend);
      const error = await errorOf(() => sealpost.audit.verify());
      expect(error.code).toBe('AUDIT_ANCHOR_INVALID');
      expect(error.message).toContain('replaced by an older copy');
    } finally {
      sealpost.close();
    }
  });

  it('verify passes after a crash and a restart', async () => {
    await folderWithEntries();
    const anchorFile = auditAnchorPath(data.paths.root);
    const sealpost = await data.open();
    const beforeAppend = readFileSync(anchorFile);
    sealpost.audit.record('unlock', null, { mode: 'keychain' });
    sealpost.close();
    writeFileSync(anchorFile, beforeAppend);

    const result = await verifyWithCli();
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^The audit log is intact: 7 entries/);
  });

  it('verify rejects an altered anchor', async () => {
    await folderWithEntries();
    const anchorFile = auditAnchorPath(data.paths.root);
    const anchor = JSON.parse(readFileSync(anchorFile, 'utf8')) as { seq: number };
    writeFileSync(anchorFile, JSON.stringify({ ...anchor, seq: anchor.seq - 1 }));
    // Opening appends an entry, which finds the altered anchor and records the finding.
    const sealpost = await data.open();
    try {
      const error = await errorOf(() => sealpost.audit.verify());
      expect(error.code).toBe('AUDIT_ANCHOR_INVALID');
      expect(error.message).toContain('altered or unreadable (found when entry 5 was written)');
    } finally {
      sealpost.close();
    }
  });

  it('anchor file rejects a changed field', async () => {
    data = makeDataFolder();
    const key = Buffer.alloc(32, 7);
    const anchors = new AuditAnchorFile(auditAnchorPath(data.paths.root), () => Buffer.from(key));
    const hash = new Uint8Array(32).fill(0xab);
    anchors.write({ seq: 9, hash });
    expect(anchors.read()).toEqual({ seq: 9, hash });

    const stored = JSON.parse(readFileSync(anchors.file, 'utf8')) as Record<string, unknown>;
    for (const changed of [{ seq: 8 }, { hash: 'cd'.repeat(32) }, { mac: '00'.repeat(32) }]) {
      writeFileSync(anchors.file, JSON.stringify({ ...stored, ...changed }));
      const error = await errorOf(() => anchors.read());
      expect(error.code).toBe('AUDIT_ANCHOR_INVALID');
      expect(error.message).toContain('fails its HMAC check');
    }
    writeFileSync(anchors.file, 'not json');
    expect((await errorOf(() => anchors.read())).code).toBe('AUDIT_ANCHOR_INVALID');
  });

  it('verify reports an anchor deleted with a rollback', async () => {
    await folderWithEntries();
    copyDatabase('save', 'old');
    await reopen(3);
    copyDatabase('restore', 'old');
    rmSync(auditAnchorPath(data.paths.root));

    const result = await verifyWithCli();
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(
      /^The audit log is intact since the anchor was recreated at entry 5 on /,
    );
    expect(result.stdout).toContain('Entries before entry 5 cannot be checked for cuts');
  });

  it('verify of an anchored log names no recreation', async () => {
    await folderWithEntries();
    const result = await verifyWithCli();
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^The audit log is intact: 5 entries/);
    expect(result.stdout).not.toContain('cannot be checked');
  });

  it('starts an anchor for a log without one', async () => {
    await folderWithEntries();
    rmSync(auditAnchorPath(data.paths.root));
    const result = await verifyWithCli();
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(
      /^The audit log is intact since the anchor was recreated at entry 5 on \d{4}-\d\d-\d\dT[\d:.]+Z: 6 entries/,
    );
    expect(result.stdout).toContain('Entries before entry 5 cannot be checked for cuts');
    const sealpost = await data.open();
    const entries = sealpost.audit.list();
    sealpost.close();
    expect(entries[4]).toMatchObject({
      operation: 'audit-anchor-create',
      details: { previousEntries: 4 },
    });
  });
});
