// "sealpost key export --backup" and "key import --backup" as a script runs them: the code is
// printed once, read back from a file, and a wrong code, too few shares or shares of two splits
// exit 1 with their stable error codes and store no key.

import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runSealpost } from '../cli/cli-runner.ts';
import { localAddress } from './helpers.ts';

/** Runs `sealpost key generate` for `address` in `home` and checks that it succeeded. */
async function generateKey(home: string, address: string): Promise<void> {
  const generated = await runSealpost(home, ['key', 'generate', '--address', address]);
  expect(generated.status).toBe(0);
}

/** Runs `sealpost key import --backup backupFile` in `home` with the code in `codeFile`. */
function importWithCode(home: string, backupFile: string, codeFile: string) {
  return runSealpost(home, [
    'key',
    'import',
    '--backup',
    backupFile,
    '--recovery-code-file',
    codeFile,
  ]);
}

/** Runs `sealpost key import --backup backupFile` in `home` with the given share files. */
function importShares(home: string, backupFile: string, ...shares: string[]) {
  return runSealpost(home, ['key', 'import', '--backup', backupFile, '--share', ...shares]);
}

/** Runs `sealpost key export --backup backupFile` in `home` as 3 shares, any 2 of which restore. */
function exportShares(home: string, backupFile: string, outputDir: string) {
  return runSealpost(home, [
    'key',
    'export',
    '--backup',
    backupFile,
    '--shares',
    '3',
    '--threshold',
    '2',
    '--output-dir',
    outputDir,
  ]);
}

describe('key backup command', () => {
  const work = mkdtempSync(path.join(os.tmpdir(), 'sealpost-backup-cli-'));
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('exports and restores with a code file', async () => {
    const address = localAddress('carol');
    const source = path.join(work, 'source');
    const target = path.join(work, 'target');
    const backupFile = path.join(work, 'keys.backup.asc');
    await generateKey(source, address);

    const exported = await runSealpost(source, ['key', 'export', '--backup', backupFile]);
    expect(exported.status).toBe(0);
    const code = /\b\d{4}(?:-\d{4}){9}\b/.exec(exported.stdout)?.[0];
    expect(code).toBeDefined();
    const again = await runSealpost(source, ['key', 'export', '--backup', backupFile]);
    expect(again.status).toBe(1);

    const wrongFile = path.join(work, 'wrong-code');
    writeFileSync(wrongFile, `${'0'.repeat(40)}\n`);
    const wrong = await importWithCode(target, backupFile, wrongFile);
    expect(wrong.status).toBe(1);
    expect(wrong.stderr).toMatch(/RECOVERY_CODE_INVALID/);
    expect(wrong.stderr).toContain(`does not decrypt the backup ${backupFile}`);
    // The code is checked before the data folder, its keystore and keychain entry are created.
    expect(existsSync(target)).toBe(false);

    const codeFile = path.join(work, 'code');
    writeFileSync(codeFile, `${code}\n`);
    const restored = await importWithCode(target, backupFile, codeFile);
    expect(restored.stderr).toBe('');
    expect(restored.stdout).toMatch(new RegExp(`Restored .* for ${address}`));
    const listed = await runSealpost(target, ['key', 'list']);
    expect(listed.stdout).toContain(address);
  });

  it('restores from two of three shares', { timeout: 180_000 }, async () => {
    const address = localAddress('dave');
    const source = path.join(work, 'shares-source');
    const target = path.join(work, 'shares-target');
    const backupFile = path.join(work, 'shared.backup.asc');
    const sharesDir = path.join(work, 'shares');
    /** Returns the path of share `n` as text, or as the PNG image of its QR code. */
    const share = (n: number, extension = 'txt') => path.join(sharesDir, `share-${n}.${extension}`);
    await generateKey(source, address);

    const exported = await exportShares(source, backupFile, sharesDir);
    expect(exported.stderr).toBe('');
    expect(exported.stdout).not.toMatch(/\d{4}(-\d{4}){9}/);
    expect(readdirSync(sharesDir).sort()).toEqual([
      'share-1.png',
      'share-1.txt',
      'share-2.png',
      'share-2.txt',
      'share-3.png',
      'share-3.txt',
    ]);

    const one = await importShares(target, backupFile, share(2));
    expect(one.status).toBe(1);
    expect(one.stderr).toMatch(/SHARES_INSUFFICIENT/);
    expect(one.stderr).toContain('Pass 1 more share file(s) of the same split');

    const image = await importShares(target, backupFile, share(3, 'png'), share(1));
    expect(image.status).toBe(1);
    expect(image.stderr).toContain(
      `is a PNG image (the QR code of a share); pass the matching text file ${share(3)} instead`,
    );

    const twice = await importShares(target, backupFile, share(2), share(2));
    expect(twice.status).toBe(1);
    expect(twice.stderr).toContain(
      `Share 2 (${share(2)}) is the same share as share 1 (${share(2)})`,
    );

    const missing = await importShares(target, path.join(work, 'no-such.backup.asc'), share(1));
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain(
      `Cannot read the backup file ${path.join(work, 'no-such.backup.asc')}`,
    );

    const corruptFile = path.join(work, 'corrupt.backup.asc');
    writeFileSync(corruptFile, 'not an OpenPGP message\n');
    const corrupt = await importShares(target, corruptFile, share(3), share(1));
    expect(corrupt.status).toBe(1);
    expect(corrupt.stderr).toMatch(/BACKUP_CORRUPT/);
    expect(corrupt.stderr).toContain(`The backup file ${corruptFile} is unusable`);

    const restored = await importShares(target, backupFile, share(3), share(1));
    expect(restored.stderr).toBe('');
    expect(restored.stdout).toMatch(new RegExp(`Restored .* for ${address}`));
  });
  // Seven CLI runs, each starting Node.js and unlocking the data folder.
  it('rejects shares of two splits and stores nothing', { timeout: 180_000 }, async () => {
    const address = localAddress('erin');
    const source = path.join(work, 'mixed-source');
    const target = path.join(work, 'mixed-target');
    await generateKey(source, address);
    for (const name of ['first', 'second']) {
      const exported = await exportShares(
        source,
        path.join(work, `${name}.backup.asc`),
        path.join(work, `${name}-shares`),
      );
      expect(exported.stderr).toBe('');
    }

    const mixed = await importShares(
      target,
      path.join(work, 'first.backup.asc'),
      path.join(work, 'first-shares', 'share-1.txt'),
      path.join(work, 'second-shares', 'share-2.txt'),
    );
    expect(mixed.status).toBe(1);
    expect(mixed.stderr).toMatch(
      /^sealpost: SHARES_INVALID: Share 2 \(.*share-2\.txt\) belongs to split/,
    );

    const tooFew = await importShares(
      target,
      path.join(work, 'first.backup.asc'),
      path.join(work, 'first-shares', 'share-3.txt'),
    );
    expect(tooFew.status).toBe(1);
    expect(tooFew.stderr).toMatch(/^sealpost: SHARES_INSUFFICIENT: /);

    const listed = await runSealpost(target, ['key', 'list']);
    expect(listed.status).toBe(0);
    expect(listed.stdout).not.toContain(address);
    const audit = await runSealpost(target, ['audit', 'list']);
    expect(audit.status).toBe(0);
    expect(audit.stdout).not.toContain('backup-import');
  });

  it('writes no backup next to old shares', { timeout: 180_000 }, async () => {
    const address = localAddress('frank');
    const source = path.join(work, 'old-shares-source');
    const backupFile = path.join(work, 'old-shares.backup.asc');
    const sharesDir = path.join(work, 'old-shares');
    mkdirSync(sharesDir);
    writeFileSync(path.join(sharesDir, 'share-3.txt'), 'an older share\n');
    await generateKey(source, address);
    const args = ['key', 'export', '--backup', backupFile, '--shares', '5', '--threshold', '3'];

    const refused = await runSealpost(source, [...args, '--output-dir', sharesDir]);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toContain(
      `${path.join(sharesDir, 'share-3.txt')} already exists; choose another --output-dir`,
    );
    expect(refused.stdout).not.toContain('Wrote');
    expect(existsSync(backupFile)).toBe(false);
    expect(readdirSync(sharesDir)).toEqual(['share-3.txt']);

    // A dangling symbolic link passes the existence check but fails the exclusive write, so
    // the files written before it must be removed again.
    const brokenDir = path.join(work, 'broken-shares');
    mkdirSync(brokenDir);
    symlinkSync(path.join(work, 'missing-target'), path.join(brokenDir, 'share-2.png'));
    const failed = await runSealpost(source, [...args, '--output-dir', brokenDir]);
    expect(failed.status).toBe(1);
    expect(failed.stderr).toContain(
      `Cannot write the share QR code ${path.join(brokenDir, 'share-2.png')}`,
    );
    expect(failed.stderr).toContain('nothing was written');
    expect(existsSync(backupFile)).toBe(false);
    expect(readdirSync(brokenDir)).toEqual(['share-2.png']);

    const fresh = await runSealpost(source, [
      ...args,
      '--output-dir',
      path.join(work, 'new-shares'),
    ]);
    expect(fresh.stderr).toBe('');
    expect(existsSync(backupFile)).toBe(true);
  });
});
