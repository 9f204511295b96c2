// Restoring a recovery-code backup through the MailApi `key:restore`, as the first-run key step
// does. A backup without a key for the requested address stores nothing (no key, no contact),
// and the audit log records the rejected restore. The matching address restores the key.

import { afterEach, describe, expect, it } from 'vitest';
import { dispatchMailApi } from '@sealpost/ui';
import type { AppSession } from '../../src/core/app-session.ts';
import { createMailApiHandlers } from '../../src/core/mail-api-handlers.ts';
import type { Sealpost } from '../../src/core/sealpost.ts';
import { localAddress, makeDataFolder } from './helpers.ts';
import type { DataFolder } from './helpers.ts';

let folders: DataFolder[] = [];
let opened: Sealpost[] = [];
afterEach(() => {
  for (const sealpost of opened) sealpost.close();
  for (const created of folders) created.remove();
  opened = [];
  folders = [];
});

async function openFolder(): Promise<Sealpost> {
  const data = makeDataFolder();
  folders.push(data);
  const sealpost = await data.open();
  opened.push(sealpost);
  return sealpost;
}

/** Makes a backup of one key for `address` in its own data folder. */
async function backupFor(address: string) {
  const source = await openFolder();
  await source.keys.generate({ address, name: null });
  return source.keys.exportBackup();
}

function handlersFor(sealpost: Sealpost) {
  // The handlers only need the unlocked core from the session.
  const session = { require: () => sealpost } as unknown as AppSession;
  return createMailApiHandlers(session, () => undefined);
}

describe('key:restore through the MailApi', () => {
  it('stores nothing for another address', async () => {
    const other = localAddress('other');
    const requested = localAddress('requested');
    const backup = await backupFor(other);
    const target = await openFolder();
    const handlers = handlersFor(target);
    const auditBefore = target.audit.list().length;

    const result = await dispatchMailApi(handlers, 'key:restore', {
      armored: backup.armored,
      recoveryCode: backup.recoveryCode,
      address: requested,
    });

    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.code).toBe('BACKUP_ADDRESS_MISMATCH');
    expect(result.error.message).toContain(`not for ${requested}`);
    expect(target.keys.list()).toEqual([]);
    const contacts = await dispatchMailApi(handlers, 'contact:list', undefined);
    expect(contacts).toEqual({ ok: true, value: [] });

    const added = target.audit.list().slice(auditBefore);
    expect(added.map((entry) => entry.operation)).toEqual(['backup-import']);
    expect(added[0]!.details).toEqual({ outcome: 'rejected', error: 'BACKUP_ADDRESS_MISMATCH' });
    expect(target.audit.verify().entries).toBe(auditBefore + 1);
  });

  it('restores the key for the requested address', async () => {
    const requested = localAddress('requested');
    const backup = await backupFor(requested);
    const target = await openFolder();

    const result = await dispatchMailApi(handlersFor(target), 'key:restore', {
      armored: backup.armored,
      recoveryCode: backup.recoveryCode,
      address: requested.toUpperCase(),
    });

    expect(result.ok).toBe(true);
    expect(target.keys.list().map((identity) => identity.address)).toEqual([requested]);
    const operations = target.audit.list().map((entry) => entry.operation);
    expect(operations).toContain('backup-import');
  });
});
