// Migration 1: the first schema. Accounts, identities, contacts with their certificates,
// IMAP folders, messages as received, and the outbox. Every table is STRICT, times are
// INTEGER milliseconds since the Unix epoch, and addresses are stored lowercased.

import type { Migration } from './migration.ts';

// An armored block must start with its header line; the CHECKs compare the first characters.
const PUBLIC_KEY_HEADER = '-----BEGIN PGP PUBLIC KEY BLOCK-----';
const PRIVATE_KEY_HEADER = '-----BEGIN PGP PRIVATE KEY BLOCK-----';
const SIGNATURE_HEADER = '-----BEGIN PGP SIGNATURE-----';
const X509_HEADER = '-----BEGIN CERTIFICATE-----';

// A v4 fingerprint is 40 hex digits (RFC 4880 section 12.2), a v6 one 64 (RFC 9580 section 5.5.4).
const FINGERPRINT_CHECK = (column: string): string =>
  `length(${column}) IN (40, 64) AND ${column} NOT GLOB '*[^0-9a-f]*'`;

const SCHEMA = `
CREATE TABLE accounts (
  id INTEGER PRIMARY KEY,
  email TEXT NOT NULL UNIQUE CHECK (email = lower(email) AND email LIKE '%_@_%'),
  display_name TEXT,
  imap_host TEXT NOT NULL CHECK (imap_host <> ''),
  imap_port INTEGER NOT NULL CHECK (imap_port BETWEEN 1 AND 65535),
  imap_security TEXT NOT NULL CHECK (imap_security IN ('starttls', 'tls')),
  imap_user TEXT NOT NULL CHECK (imap_user <> ''),
  smtp_host TEXT NOT NULL CHECK (smtp_host <> ''),
  smtp_port INTEGER NOT NULL CHECK (smtp_port BETWEEN 1 AND 65535),
  smtp_security TEXT NOT NULL CHECK (smtp_security IN ('starttls', 'tls')),
  smtp_user TEXT NOT NULL CHECK (smtp_user <> ''),
  -- PEM of a self-signed server certificate the user chose to trust, for IMAP and SMTP alike.
  pinned_certificate TEXT
    CHECK (pinned_certificate IS NULL OR instr(pinned_certificate, '${X509_HEADER}') = 1),
  sealed_password BLOB NOT NULL CHECK (length(sealed_password) > 0),
  created_at INTEGER NOT NULL
) STRICT;

CREATE TABLE identities (
  id INTEGER PRIMARY KEY,
  account_id INTEGER REFERENCES accounts (id) ON DELETE SET NULL,
  address TEXT NOT NULL UNIQUE CHECK (address = lower(address) AND address LIKE '%_@_%'),
  fingerprint TEXT NOT NULL UNIQUE CHECK (${FINGERPRINT_CHECK('fingerprint')}),
  certificate TEXT NOT NULL CHECK (instr(certificate, '${PUBLIC_KEY_HEADER}') = 1),
  secret_key TEXT NOT NULL CHECK (instr(secret_key, '${PRIVATE_KEY_HEADER}') = 1),
  revocation_certificate TEXT CHECK (
    instr(revocation_certificate, '${PUBLIC_KEY_HEADER}') = 1
    OR instr(revocation_certificate, '${SIGNATURE_HEADER}') = 1
  ),
  created_at INTEGER NOT NULL
) STRICT;

CREATE INDEX identities_account_id ON identities (account_id);

CREATE TABLE contacts (
  id INTEGER PRIMARY KEY,
  address TEXT NOT NULL UNIQUE CHECK (address = lower(address) AND address LIKE '%_@_%'),
  name TEXT,
  created_at INTEGER NOT NULL
) STRICT;

CREATE TABLE contact_certificates (
  id INTEGER PRIMARY KEY,
  contact_address TEXT NOT NULL REFERENCES contacts (address) ON DELETE CASCADE ON UPDATE CASCADE,
  fingerprint TEXT NOT NULL CHECK (${FINGERPRINT_CHECK('fingerprint')}),
  certificate TEXT NOT NULL CHECK (instr(certificate, '${PUBLIC_KEY_HEADER}') = 1),
  source TEXT NOT NULL CHECK (source IN ('autocrypt', 'gossip', 'import')),
  prefer_encrypt TEXT CHECK (prefer_encrypt IN ('mutual', 'nopreference')),
  status TEXT NOT NULL CHECK (status IN ('pinned', 'changed', 'replaced', 'rejected')),
  first_seen INTEGER NOT NULL,
  last_seen INTEGER NOT NULL CHECK (last_seen >= first_seen),
  UNIQUE (contact_address, fingerprint)
) STRICT;

-- At most one pinned certificate per address.
CREATE UNIQUE INDEX contact_certificates_pinned
  ON contact_certificates (contact_address) WHERE status = 'pinned';

CREATE TABLE folders (
  id INTEGER PRIMARY KEY,
  account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  path TEXT NOT NULL CHECK (path <> ''),
  special_use TEXT CHECK (special_use GLOB '\\?*'),
  uid_validity INTEGER CHECK (uid_validity BETWEEN 1 AND 4294967295),
  last_uid INTEGER NOT NULL DEFAULT 0 CHECK (last_uid BETWEEN 0 AND 4294967295),
  highest_modseq INTEGER CHECK (highest_modseq >= 0),
  UNIQUE (account_id, path),
  -- Target of the composite foreign key in messages, which keeps a message in its account.
  UNIQUE (id, account_id)
) STRICT;

CREATE TABLE messages (
  id INTEGER PRIMARY KEY,
  account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  folder_id INTEGER NOT NULL,
  uid_validity INTEGER CHECK (uid_validity BETWEEN 1 AND 4294967295),
  uid INTEGER CHECK (uid BETWEEN 1 AND 4294967295),
  message_id TEXT,
  raw BLOB NOT NULL,
  size INTEGER NOT NULL CHECK (size = length(raw)),
  flags TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(flags) AND json_type(flags) = 'array'),
  internal_date INTEGER NOT NULL,
  from_address TEXT,
  subject TEXT,
  date INTEGER,
  kind TEXT NOT NULL CHECK (kind <> ''),
  result TEXT CHECK (result IS NULL OR json_valid(result)),
  created_at INTEGER NOT NULL,
  FOREIGN KEY (folder_id, account_id) REFERENCES folders (id, account_id) ON DELETE CASCADE,
  -- A message has both a UID and its UIDVALIDITY (fetched from the server) or neither (a local copy).
  CHECK ((uid IS NULL) = (uid_validity IS NULL))
) STRICT;

-- Re-syncing a folder finds the same (uidValidity, uid) and never inserts it twice.
CREATE UNIQUE INDEX messages_folder_uid
  ON messages (folder_id, uid_validity, uid) WHERE uid IS NOT NULL;
CREATE INDEX messages_folder_internal_date ON messages (folder_id, account_id, internal_date);
CREATE INDEX messages_account_internal_date ON messages (account_id, internal_date);
CREATE INDEX messages_message_id ON messages (message_id);

CREATE TABLE outbox (
  id INTEGER PRIMARY KEY,
  account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  raw BLOB NOT NULL CHECK (length(raw) > 0),
  envelope_from TEXT NOT NULL CHECK (envelope_from <> ''),
  envelope_to TEXT NOT NULL CHECK (
    json_valid(envelope_to) AND json_type(envelope_to) = 'array' AND json_array_length(envelope_to) > 0
  ),
  state TEXT NOT NULL DEFAULT 'queued' CHECK (state IN ('queued', 'sending', 'sent', 'failed')),
  attempts INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
  last_error TEXT,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  sent_at INTEGER,
  CHECK ((state = 'sent') = (sent_at IS NOT NULL))
) STRICT;

CREATE INDEX outbox_state_created_at ON outbox (state, created_at);
CREATE INDEX outbox_account_id ON outbox (account_id);
`;

export const initial: Migration = {
  version: 1,
  name: 'initial',
  up(db) {
    db.exec(SCHEMA);
  },
};
