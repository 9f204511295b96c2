// The database file, its -wal and -shm files and logs/sealpost.log are readable by the owner
// only (mode 0600), like keystore.json and the audit anchor, whatever the umask. Opening an
// existing file that an older version left at 0644 sets it to 0600.

import { chmodSync, existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/core/logger.ts';
import { localAddress, makeDataFolder } from './helpers.ts';
import type { DataFolder } from './helpers.ts';

let folders: DataFolder[] = [];
afterEach(() => {
  for (const created of folders) created.remove();
  folders = [];
});

function modeOf(file: string): string {
  return (statSync(file).mode & 0o777).toString(8);
}

describe('database file mode', () => {
  it('creates the database files 0600', async () => {
    const data = makeDataFolder();
    folders.push(data);
    const previous = process.umask(0o022);
    try {
      const sealpost = await data.open();
      await sealpost.keys.generate({ address: localAddress('mode'), name: null });
      const files = [
        data.paths.database,
        `${data.paths.database}-wal`,
        `${data.paths.database}-shm`,
      ];
      for (const file of files) {
        expect(existsSync(file), file).toBe(true);
        expect(modeOf(file), file).toBe('600');
      }
      sealpost.close();
    } finally {
      process.umask(previous);
    }
  });

  it('creates the log file 0600', async () => {
    const data = makeDataFolder();
    folders.push(data);
    const logFile = path.join(data.paths.logs, 'sealpost.log');
    const previous = process.umask(0o022);
    try {
      const logger = createLogger(data.paths.logs, 'info');
      logger.info('first line');
      logger.flush();
      expect(modeOf(logFile)).toBe('600');
      expect(readFileSync(logFile, 'utf8')).toContain('first line');
    } finally {
      process.umask(previous);
    }
  });

  it('tightens an existing 0644 log file', () => {
    const data = makeDataFolder();
    folders.push(data);
    const logFile = path.join(data.paths.logs, 'sealpost.log');
    writeFileSync(logFile, 'older line\n', { mode: 0o644 });
    chmodSync(logFile, 0o644);

    const logger = createLogger(data.paths.logs, 'info');
    logger.info('appended line');
    logger.flush();
    expect(modeOf(logFile)).toBe('600');
    const lines = readFileSync(logFile, 'utf8');
    expect(lines).toMatch(/^older line\n/);
    expect(lines).toContain('appended line');
  });

  it('tightens an existing 0644 database', async () => {
    const data = makeDataFolder();
    folders.push(data);
    (await data.open()).close();
    chmodSync(data.paths.database, 0o644);

    const sealpost = await data.open();
    expect(modeOf(data.paths.database)).toBe('600');
    sealpost.close();
  });
});
