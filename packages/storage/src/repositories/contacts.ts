// ContactRepository: the `contacts` table, one row per correspondent address, and the entry
// point for their certificates. The pinning rule itself lives in ContactCertificateRepository;
// list() returns what the contact list shows: the pinned certificate and any key change.

import type { Connection } from '../connection.ts';
import { fromMillis } from '../connection.ts';
import { normalizeAddress } from '../validate.ts';
import { ContactCertificateRepository, toCertificate } from './contact-certificates.ts';
import type {
  CertificateRow,
  CertificateSighting,
  ContactCertificate,
  RecordOptions,
  RecordResult,
} from './contact-certificates.ts';

export interface Contact {
  id: number;
  /** Lowercased. */
  address: string;
  name: string | null;
  createdAt: Date;
}

export interface ContactSummary extends Contact {
  /** The pinned certificate, or null when no certificate was seen for the address. */
  pinned: ContactCertificate | null;
  /** True while at least one different fingerprint waits for the user's decision. */
  keyChanged: boolean;
  /** Fingerprints with status `changed`, oldest first. */
  changedFingerprints: string[];
}

interface ContactRow {
  id: number;
  address: string;
  name: string | null;
  created_at: number;
}

export class ContactRepository {
  private readonly certificates: ContactCertificateRepository;

  constructor(private readonly connection: Connection) {
    this.certificates = new ContactCertificateRepository(connection);
  }

  /** Creates the contact or updates its name; returns the stored row. */
  upsert(contact: { address: string; name: string | null }): Contact {
    const address = normalizeAddress(contact.address, 'contact.address');
    const name = contact.name ?? null;
    return this.connection.write(`save contact ${address}`, (db) => {
      db.prepare(
        `INSERT INTO contacts (address, name, created_at) VALUES (?, ?, ?)
         ON CONFLICT (address) DO UPDATE SET name = excluded.name`,
      ).run(address, name, Date.now());
      return toContact(
        db.prepare('SELECT * FROM contacts WHERE address = ?').get(address) as ContactRow,
      );
    });
  }

  get(address: string): Contact | null {
    const normalized = normalizeAddress(address, 'address');
    const row = this.connection.read(`get contact ${normalized}`, (db) =>
      db.prepare('SELECT * FROM contacts WHERE address = ?').get(normalized),
    ) as ContactRow | undefined;
    return row ? toContact(row) : null;
  }

  /** Lists all contacts by address with their pinned certificate and pending key changes. */
  list(): ContactSummary[] {
    return this.connection.read('list contacts', (db) => {
      const contacts = db.prepare('SELECT * FROM contacts ORDER BY address').all() as ContactRow[];
      const certificates = db
        .prepare(
          `SELECT * FROM contact_certificates WHERE status IN ('pinned', 'changed')
           ORDER BY first_seen, id`,
        )
        .all() as CertificateRow[];

      const pinnedByAddress = new Map<string, ContactCertificate>();
      const changedByAddress = new Map<string, string[]>();
      for (const row of certificates) {
        if (row.status === 'pinned') {
          pinnedByAddress.set(row.contact_address, toCertificate(row));
        } else {
          const changed = changedByAddress.get(row.contact_address) ?? [];
          changed.push(row.fingerprint);
          changedByAddress.set(row.contact_address, changed);
        }
      }

      return contacts.map((row) => {
        const changedFingerprints = changedByAddress.get(row.address) ?? [];
        return {
          ...toContact(row),
          pinned: pinnedByAddress.get(row.address) ?? null,
          keyChanged: changedFingerprints.length > 0,
          changedFingerprints,
        };
      });
    });
  }

  /** See ContactCertificateRepository.recordCertificate for the pinning rule and outcomes. */
  recordCertificate(sighting: CertificateSighting, options: RecordOptions = {}): RecordResult {
    return this.certificates.recordCertificate(sighting, options);
  }

  /** Returns the pinned certificate for `address`, or null when none was seen yet. */
  getPinned(address: string): ContactCertificate | null {
    return this.certificates.getPinned(address);
  }

  /** Lists every certificate recorded for `address`, the pinned one first. */
  listCertificates(address: string): ContactCertificate[] {
    return this.certificates.listForAddress(address);
  }

  /** See ContactCertificateRepository.acknowledgeChange. */
  acknowledgeChange(
    address: string,
    fingerprint: string,
    decision: { pin: boolean },
  ): ContactCertificate {
    return this.certificates.acknowledgeChange(address, fingerprint, decision);
  }
}

function toContact(row: ContactRow): Contact {
  return {
    id: row.id,
    address: row.address,
    name: row.name,
    createdAt: fromMillis(row.created_at),
  };
}
