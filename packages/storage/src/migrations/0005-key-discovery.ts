// Migration 5: key discovery and trust. Certificates may now come from WKD and VKS lookups;
// `autocrypt_peers` holds the Autocrypt Level 1 peer state (section 2.3), `contact_trust` the
// user's fingerprint verifications and the post-quantum capability seen per address, and
// `negotiation_records` the mode and reason chosen for each sent message.

import type { Migration } from './migration.ts';

const PUBLIC_KEY_HEADER = '-----BEGIN PGP PUBLIC KEY BLOCK-----';

const FINGERPRINT_CHECK = (column: string): string =>
  `length(${column}) IN (40, 64) AND ${column} NOT GLOB '*[^0-9a-f]*'`;

const ADDRESS_CHECK = (column: string): string =>
  `${column} = lower(${column}) AND ${column} LIKE '%_@_%'`;

// SQLite cannot change a CHECK constraint in place, so contact_certificates is rebuilt with the
// new sources and its rows copied unchanged (https://sqlite.org/lang_altertable.html, section 7).
const REBUILD_CONTACT_CERTIFICATES = `
CREATE TABLE contact_certificates_new (
  id INTEGER PRIMARY KEY,
  contact_address TEXT NOT NULL REFERENCES contacts (address) ON DELETE CASCADE ON UPDATE CASCADE,
  fingerprint TEXT NOT NULL CHECK (${FINGERPRINT_CHECK('fingerprint')}),
  certificate TEXT NOT NULL CHECK (instr(certificate, '${PUBLIC_KEY_HEADER}') = 1),
  source TEXT NOT NULL CHECK (source IN ('autocrypt', 'gossip', 'import', 'wkd', 'vks')),
  prefer_encrypt TEXT CHECK (prefer_encrypt IN ('mutual', 'nopreference')),
  status TEXT NOT NULL CHECK (status IN ('pinned', 'changed', 'replaced', 'rejected')),
  first_seen INTEGER NOT NULL,
  last_seen INTEGER NOT NULL CHECK (last_seen >= first_seen),
  UNIQUE (contact_address, fingerprint)
) STRICT;

INSERT INTO contact_certificates_new
  SELECT id, contact_address, fingerprint, certificate, source, prefer_encrypt, status,
         first_seen, last_seen
  FROM contact_certificates;

DROP TABLE contact_certificates;
ALTER TABLE contact_certificates_new RENAME TO contact_certificates;

CREATE UNIQUE INDEX contact_certificates_pinned
  ON contact_certificates (contact_address) WHERE status = 'pinned';
`;

const SCHEMA = `
CREATE TABLE autocrypt_peers (
  address TEXT PRIMARY KEY CHECK (${ADDRESS_CHECK('address')}),
  last_seen INTEGER,
  autocrypt_timestamp INTEGER,
  -- Binary OpenPGP keydata as the Autocrypt header carried it, and its primary fingerprint.
  public_key BLOB CHECK (public_key IS NULL OR length(public_key) > 0),
  public_key_fingerprint TEXT CHECK (
    public_key_fingerprint IS NULL OR (${FINGERPRINT_CHECK('public_key_fingerprint')})
  ),
  prefer_encrypt TEXT CHECK (prefer_encrypt IN ('mutual', 'nopreference')),
  gossip_timestamp INTEGER,
  gossip_key BLOB CHECK (gossip_key IS NULL OR length(gossip_key) > 0),
  gossip_key_fingerprint TEXT CHECK (
    gossip_key_fingerprint IS NULL OR (${FINGERPRINT_CHECK('gossip_key_fingerprint')})
  ),
  CHECK ((public_key IS NULL) = (autocrypt_timestamp IS NULL)),
  CHECK ((public_key IS NULL) = (public_key_fingerprint IS NULL)),
  CHECK ((gossip_key IS NULL) = (gossip_timestamp IS NULL)),
  CHECK ((gossip_key IS NULL) = (gossip_key_fingerprint IS NULL))
) STRICT;

CREATE TABLE contact_verifications (
  address TEXT NOT NULL CHECK (${ADDRESS_CHECK('address')}),
  fingerprint TEXT NOT NULL CHECK (${FINGERPRINT_CHECK('fingerprint')}),
  method TEXT NOT NULL CHECK (method IN ('fingerprint', 'qr-code')),
  verified_at INTEGER NOT NULL,
  PRIMARY KEY (address, fingerprint)
) STRICT;

-- The last time a certificate of the address offered a usable ML-KEM-768+X25519 subkey, so a
-- later certificate without one is reported as a downgrade instead of accepted silently.
CREATE TABLE contact_capabilities (
  address TEXT PRIMARY KEY CHECK (${ADDRESS_CHECK('address')}),
  post_quantum_fingerprint TEXT NOT NULL CHECK (${FINGERPRINT_CHECK('post_quantum_fingerprint')}),
  post_quantum_seen_at INTEGER NOT NULL
) STRICT;

CREATE TABLE negotiation_records (
  message_id TEXT PRIMARY KEY CHECK (message_id <> ''),
  mode TEXT NOT NULL CHECK (mode IN ('openpgp', 'signed-plaintext')),
  encryption TEXT CHECK (encryption IN ('pq', 'classical')),
  reason TEXT NOT NULL CHECK (reason <> ''),
  -- [{address, fingerprint, postQuantum}] of the recipients when the message was sent.
  recipients TEXT NOT NULL CHECK (json_valid(recipients) AND json_type(recipients) = 'array'),
  warnings TEXT NOT NULL CHECK (json_valid(warnings) AND json_type(warnings) = 'array'),
  created_at INTEGER NOT NULL,
  CHECK ((mode = 'openpgp') = (encryption IS NOT NULL))
) STRICT;
`;

export const keyDiscovery: Migration = {
  version: 5,
  name: 'key-discovery',
  up(db) {
    db.exec(REBUILD_CONTACT_CERTIFICATES);
    db.exec(SCHEMA);
  },
};
