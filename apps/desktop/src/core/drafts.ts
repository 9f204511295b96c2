// Drafts saved from the composer, each sealed by the vault (AES-256-GCM under the key that the
// Sealpost passphrase unlocks) into its own file in the data folder's `drafts` folder. Nothing
// of a draft is written in the clear, attachments included; the file name is a random UUID.

import { randomUUID } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { CoreError } from './errors.ts';

export interface Draft {
  from: string | null;
  to: string[];
  cc: string[];
  bcc: string[];
  subject: string;
  text: string;
  /** Files attached in the composer, sealed in the same file as the rest of the draft. */
  attachments: DraftAttachment[];
}

export interface DraftAttachment {
  filename: string;
  contentType: string;
  contentBase64: string;
}

export interface DraftSummary {
  id: string;
  subject: string;
  to: string[];
  savedAt: string;
}

export interface Sealer {
  seal(data: Uint8Array, purpose: string): Buffer;
  unseal(sealed: Uint8Array, purpose: string): Buffer;
}

const PURPOSE = 'draft';
const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

interface SealedDraft {
  // Drafts saved before attachments were kept have no `attachments` field.
  draft: Omit<Draft, 'attachments'> & { attachments?: DraftAttachment[] };
  savedAt: string;
}

export class DraftStore {
  constructor(
    private readonly folder: string,
    private readonly sealer: () => Sealer,
  ) {}

  save(id: string | null, draft: Draft): DraftSummary {
    const draftId = id === null ? randomUUID() : checkId(id);
    const record: SealedDraft = { draft, savedAt: new Date().toISOString() };
    const plaintext = Buffer.from(JSON.stringify(record), 'utf8');
    try {
      const sealed = this.sealer().seal(plaintext, PURPOSE);
      mkdirSync(this.folder, { recursive: true, mode: 0o700 });
      const file = this.#file(draftId);
      // Write then rename, so a crash never leaves a half-written draft in place.
      writeFileSync(`${file}.tmp`, sealed, { mode: 0o600 });
      renameSync(`${file}.tmp`, file);
    } finally {
      plaintext.fill(0);
    }
    return summarize(draftId, record);
  }

  list(): DraftSummary[] {
    let names: string[];
    try {
      names = readdirSync(this.folder);
    } catch {
      return [];
    }
    return names
      .filter((name) => name.endsWith('.sealed'))
      .map((name) => name.slice(0, -'.sealed'.length))
      .filter((id) => UUID_PATTERN.test(id))
      .map((id) => summarize(id, this.#read(id)))
      .sort((a, b) => b.savedAt.localeCompare(a.savedAt));
  }

  load(id: string): Draft {
    const { draft } = this.#read(checkId(id));
    return { ...draft, attachments: draft.attachments ?? [] };
  }

  delete(id: string): boolean {
    const file = this.#file(checkId(id));
    try {
      rmSync(file);
      return true;
    } catch {
      return false;
    }
  }

  #read(id: string): SealedDraft {
    let sealed: Buffer;
    try {
      sealed = readFileSync(this.#file(id));
    } catch (error) {
      throw new CoreError('INVALID_ARGUMENT', `No draft ${id}; list drafts to pick one.`, {
        cause: error,
      });
    }
    const plaintext = this.sealer().unseal(sealed, PURPOSE);
    try {
      return JSON.parse(plaintext.toString('utf8')) as SealedDraft;
    } finally {
      plaintext.fill(0);
    }
  }

  #file(id: string): string {
    return path.join(this.folder, `${id}.sealed`);
  }
}

function checkId(id: string): string {
  if (!UUID_PATTERN.test(id)) {
    throw new CoreError('INVALID_ARGUMENT', `Draft id "${id}" is not a UUID.`);
  }
  return id;
}

function summarize(id: string, record: SealedDraft): DraftSummary {
  return { id, subject: record.draft.subject, to: record.draft.to, savedAt: record.savedAt };
}
