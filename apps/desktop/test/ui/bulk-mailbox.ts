// A mailbox of many messages for the message-list test and benchmark: rows are written straight
// into the data folder's encrypted database through @sealpost/storage (no IMAP), into a local
// folder that the server does not list, so sync leaves it alone. The app then opens it, and
// every `mail:list` page request is recorded.

import { openDatabase } from '@sealpost/storage';
import { unlockKeystore } from '../../src/core/keystore/keystore.ts';
import { PASSPHRASE, openPreparedApp } from './prepared-app.ts';
import type { PreparedApp } from './prepared-app.ts';

export const BULK_FOLDER = 'Bulk';
const START = Date.UTC(2024, 0, 1);

export interface BulkMailbox extends PreparedApp {
  /** The offset of every `mail:list` page the app requested, in order. */
  pageRequests: number[];
}

/**
 * Opens the app on a data folder whose BULK_FOLDER contains `count` messages, message n received
 * n minutes after START (so the oldest, "Bulk message 1", is the last row). Every third message
 * carries \Seen, so the folder has count - floor(count / 3) unread.
 */
export async function openBulkMailbox(role: string, count: number): Promise<BulkMailbox> {
  const app = await openPreparedApp(role, {
    setup: async (sealpost, paths) => {
      const address = sealpost.accounts.list()[0]!.email;
      const keystore = unlockKeystore(paths.keystore, { keychain: null, passphrase: PASSPHRASE });
      const store = openDatabase(paths.database, { encryptionKey: keystore.databaseKey });
      try {
        const account = store.accounts.getByEmail(address)!;
        const folder = store.folders.upsert({
          accountId: account.id,
          path: BULK_FOLDER,
          specialUse: null,
        });
        store.folders.resetUidValidity(folder.id, 1);
        store.transaction(`insert ${count} bulk messages`, () => {
          for (let n = 1; n <= count; n += 1) {
            const subject = `Bulk message ${n}`;
            store.messages.insertReceived({
              folderId: folder.id,
              uidValidity: 1,
              uid: n,
              raw: Buffer.from(`Subject: ${subject}\r\n\r\nBody ${n}\r\n`, 'latin1'),
              flags: n % 3 === 0 ? ['\\Seen'] : [],
              internalDate: new Date(START + n * 60_000),
              messageId: `<bulk-${n}@bulk.test>`,
              fromAddress: `sender-${n % 100}@bulk.test`,
              subject,
              date: new Date(START + n * 60_000),
              kind: 'plain',
            });
          }
        });
      } finally {
        store.close();
        keystore.wipe();
      }
    },
  });

  // Records the offsets the renderer requests, around the real page method.
  const pageRequests: number[] = [];
  const pages = app.core().pages;
  const page = pages.page.bind(pages);
  pages.page = (options) => {
    if (options.folder === BULK_FOLDER) pageRequests.push(options.offset);
    return page(options);
  };
  return { ...app, pageRequests };
}
