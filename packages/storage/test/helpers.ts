// Fixtures shared by the storage tests: temporary database folders, armored-looking key
// texts, and ready-made account, folder and message inputs.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { openDatabase } from '../src/index.ts';
import type {
  MessageKind,
  NewAccount,
  ReceivedMessage,
  SearchDocument,
  Store,
} from '../src/index.ts';

export const PUBLIC_KEY =
  '-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nxjMEZ...\n-----END PGP PUBLIC KEY BLOCK-----\n';
export const SECRET_KEY =
  '-----BEGIN PGP PRIVATE KEY BLOCK-----\n\nxYYEZ...\n-----END PGP PRIVATE KEY BLOCK-----\n';
export const REVOCATION =
  '-----BEGIN PGP PUBLIC KEY BLOCK-----\nComment: revocation\n\nwnge...\n-----END PGP PUBLIC KEY BLOCK-----\n';
export const SERVER_CERTIFICATE =
  '-----BEGIN CERTIFICATE-----\nMIIB...\n-----END CERTIFICATE-----\n';

export const FINGERPRINT_A = 'a'.repeat(40);
export const FINGERPRINT_B = 'b'.repeat(40);
export const FINGERPRINT_C = 'c'.repeat(40);

/** A search document with empty texts and no flags, fully indexed, for tests to override. */
export const EMPTY_SEARCH_DOCUMENT: SearchDocument = {
  subject: '',
  sender: '',
  recipients: '',
  body: '',
  hasAttachment: false,
  encrypted: false,
  signed: false,
  depth: 'full',
};

/** Creates a temporary folder and returns it with a cleanup function for afterEach. */
export function makeTempDir(): { dir: string; cleanup: () => void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sealpost-storage-'));
  return { dir, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

export function openMemory(): Store {
  return openDatabase(':memory:');
}

export function accountInput(email = 'Alice@Example.org'): NewAccount {
  return {
    email,
    displayName: 'Alice',
    imap: { host: 'imap.example.org', port: 993, security: 'tls', user: 'alice' },
    smtp: { host: 'smtp.example.org', port: 587, security: 'starttls', user: 'alice' },
    pinnedCertificate: null,
    sealedPassword: new Uint8Array([1, 2, 3, 4]),
  };
}

/** Adds an account and an INBOX with UIDVALIDITY `uidValidity`; returns their ids. */
export function seedFolder(
  store: Store,
  email = 'alice@example.org',
  folderPath = 'INBOX',
  uidValidity = 7,
): { accountId: number; folderId: number } {
  const account = store.accounts.getByEmail(email) ?? store.accounts.insert(accountInput(email));
  const folder = store.folders.upsert({
    accountId: account.id,
    path: folderPath,
    specialUse: null,
  });
  store.folders.resetUidValidity(folder.id, uidValidity);
  return { accountId: account.id, folderId: folder.id };
}

export function receivedMessage(
  folderId: number,
  uid: number,
  overrides: Partial<ReceivedMessage> = {},
): ReceivedMessage {
  const kind: MessageKind = 'pgp-mime-encrypted';
  return {
    folderId,
    uidValidity: 7,
    uid,
    raw: Buffer.from(
      `Message-ID: <${uid}@example.org>\r\nSubject: ...\r\n\r\nbody ${uid}\r\n`,
      'latin1',
    ),
    flags: [],
    internalDate: new Date(Date.UTC(2025, 0, 1) + uid * 60_000),
    messageId: `<${uid}@example.org>`,
    fromAddress: 'bob@example.net',
    subject: '...',
    date: new Date(Date.UTC(2025, 0, 1)),
    kind,
    ...overrides,
  };
}
