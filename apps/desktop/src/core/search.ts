// Search over mail: keeps the FTS5 index of the store current and runs queries. Sync only
// queues a message whose body arrived (search_queue). indexPending then indexes the queue in
// batches outside the sync: plain and signed mail in full, encrypted mail by its outer headers.
// ReadService adds the decrypted subject, addresses and text when it decrypts a message.
// NOTE: the index and the read Subject of a message (read-outcome.ts) are the only places
// where decrypted text is stored. Both stay inside the store, so its encryption at rest covers
// them, and nothing here writes decrypted text anywhere else.

import type { SearchOrder, Store } from '@sealpost/storage';
import { parseEntity, parseMessage } from '@sealpost/mail-transport';
import type { AccountService } from './accounts.ts';
import { CoreError } from './errors.ts';
import type { ReadResult } from './read.ts';
import { encryptionModeOf, isRatchetMessage, type EncryptionMode } from './message-kind.ts';
import { listedSubjectOf, signatureStatusOf } from './read-outcome.ts';

type ParsedMessage = ReturnType<typeof parseMessage>;

/** Longest body text kept in the index per message; longer text is cut, not skipped. */
const MAX_INDEXED_BODY_CHARS = 200_000;

/** Messages parsed and indexed per transaction by indexPending. */
export const INDEX_BATCH_SIZE = 200;

/** The state of the indexing queue after a batch. */
export interface IndexProgress {
  /** Messages indexed by this call so far. */
  indexed: number;
  /** Messages still waiting; search does not find them yet. */
  pending: number;
}

export interface IndexPendingOptions {
  /** Stops after the current batch; the rest stays queued. */
  signal?: AbortSignal;
  onProgress?: (progress: IndexProgress) => void;
}

export interface SearchRequest {
  text?: string;
  account?: string | null;
  folder?: string;
  from?: string;
  since?: Date;
  before?: Date;
  hasAttachment?: boolean;
  encrypted?: boolean;
  signed?: boolean;
  /** 'newest' (the default) or 'relevance'; see SearchOrder in @sealpost/storage. */
  order?: SearchOrder;
  limit?: number;
}

export interface SearchResultItem {
  id: number;
  account: string;
  folder: string;
  date: string;
  from: string | null;
  /** The Subject a successful read showed, else the outer one ("[...]" when protected). */
  subject: string | null;
  /** True when `subject` comes from a successful read. */
  subjectRead: boolean;
  /** The signature status of the last successful read (as in list rows), or null before. */
  signature: string | null;
  kind: string;
  /** The encryption mode (ratchet mail included), or null for unencrypted mail. */
  mode: EncryptionMode | null;
  /** True when the IMAP \\Seen flag is absent (RFC 9051 section 2.3.2). */
  unread: boolean;
  flagged: boolean;
}

export class SearchService {
  constructor(
    private readonly store: Store,
    private readonly accounts: AccountService,
  ) {}

  /** Returns how many stored messages wait for indexing. */
  indexStatus(): { pending: number } {
    return { pending: this.store.searchIndex.countQueued() };
  }

  /**
   * Indexes the queued messages in batches of INDEX_BATCH_SIZE, one transaction each, and
   * yields to the event loop between batches so the app stays responsive. Returns the number
   * of messages taken off the queue.
   */
  async indexPending(options: IndexPendingOptions = {}): Promise<number> {
    let indexed = 0;
    while (!options.signal?.aborted) {
      const count = this.#indexBatch();
      if (count === 0) break;
      indexed += count;
      options.onProgress?.({ indexed, pending: this.store.searchIndex.countQueued() });
      await new Promise((resolve) => setImmediate(resolve));
    }
    return indexed;
  }

  /** Indexes every queued message before returning; search calls it so no mail is missed. */
  indexPendingNow(): number {
    let indexed = 0;
    for (let count = this.#indexBatch(); count > 0; count = this.#indexBatch()) indexed += count;
    return indexed;
  }

  /** Parses the next batch of queued messages, then indexes them in one transaction. */
  #indexBatch(): number {
    const ids = this.store.searchIndex.listQueued(INDEX_BATCH_SIZE);
    if (ids.length === 0) return 0;
    const parsed = ids.map((id) => ({ id, parsed: this.#parseStored(id) }));
    this.store.transaction(`index ${ids.length} messages`, () => {
      for (const message of parsed) {
        if (message.parsed) this.indexArrived(message.id, message.parsed);
        else this.store.searchIndex.dequeue(message.id);
      }
    });
    return ids.length;
  }

  /** Parses a stored message; null when it is gone or malformed, which leaves nothing to index. */
  #parseStored(id: number): ParsedMessage | null {
    try {
      return parseMessage(this.store.messages.getRaw(id));
    } catch {
      return null;
    }
  }

  /** Indexes a message from its parsed body; a null body leaves the index unchanged. */
  indexArrived(messageId: number, parsed: ParsedMessage | null): void {
    if (!parsed) return;
    const headers = parsed.headers;
    const common = {
      sender: mailboxText(headers.from ? [headers.from] : []),
      recipients: mailboxText([...headers.to, ...headers.cc]),
    };
    // Ratchet mail is multipart/mixed around its ciphertext part, so it is indexed as encrypted.
    const ratchet = isRatchetMessage(parsed);
    if ((parsed.kind === 'plain' && !ratchet) || parsed.kind === 'pgp-mime-signed') {
      const entity =
        parsed.kind === 'plain' ? parsed.body! : safeEntity(parsed.signed!.signedBytes);
      this.store.searchIndex.index(messageId, {
        ...common,
        subject: headers.subject ?? '',
        body: clip(entity?.text ?? ''),
        hasAttachment: (entity?.attachments.length ?? 0) > 0,
        encrypted: false,
        signed: parsed.kind === 'pgp-mime-signed',
        depth: 'full',
      });
      return;
    }
    // Encrypted or inline PGP: only the outer headers are readable before decryption.
    this.store.searchIndex.index(messageId, {
      ...common,
      subject: headers.subject ?? '',
      body: parsed.kind === 'inline-pgp-signed' ? clip(parsed.inline?.armored ?? '') : '',
      hasAttachment: false,
      encrypted: ratchet || parsed.kind.endsWith('-encrypted'),
      signed: parsed.kind.endsWith('-signed'),
      depth: 'outer',
    });
  }

  /** Indexes the decrypted, verified content that ReadService returned. */
  indexRead(result: ReadResult): void {
    this.store.searchIndex.index(result.id, {
      subject: result.subject ?? '',
      sender: result.from ?? '',
      recipients: [...result.to, ...result.cc].join(' '),
      body: clip(result.text ?? ''),
      hasAttachment: result.attachments.length > 0,
      encrypted: result.encryption.status === 'encrypted',
      signed: result.signatures.some((signature) => signature.status === 'valid'),
      depth: 'full',
    });
  }

  /** Indexes the queued messages first, then searches. */
  search(request: SearchRequest): SearchResultItem[] {
    this.indexPendingNow();
    const accounts =
      request.account == null
        ? this.store.accounts.list()
        : [this.accounts.resolve(request.account)];
    const results: SearchResultItem[] = [];
    for (const account of accounts) {
      let folderId: number | undefined;
      if (request.folder !== undefined) {
        const folder = this.store.folders.getByPath(account.id, request.folder);
        if (!folder) continue;
        folderId = folder.id;
      }
      const hits = this.store.searchIndex.search({
        ...(request.text === undefined ? {} : { text: request.text }),
        accountId: account.id,
        ...(folderId === undefined ? {} : { folderId }),
        ...definedFilters(request),
        limit: request.limit ?? 50,
      });
      for (const hit of hits) {
        const message = this.store.messages.get(hit.messageId);
        if (!message) continue;
        results.push({
          id: message.id,
          account: account.email,
          folder: this.store.folders.get(message.folderId)?.path ?? '',
          date: hit.date.toISOString(),
          from: message.fromAddress,
          ...listedSubjectOf(message),
          signature: signatureStatusOf(message.result),
          kind: message.kind,
          mode: encryptionModeOf(message.kind, message.result as { kind?: unknown } | null),
          unread: !message.flags.includes('\\Seen'),
          flagged: message.flags.includes('\\Flagged'),
        });
      }
    }
    return results;
  }
}

function definedFilters(request: SearchRequest): Record<string, unknown> {
  const filters: Record<string, unknown> = {};
  const keys = [
    'from',
    'since',
    'before',
    'hasAttachment',
    'encrypted',
    'signed',
    'order',
  ] as const;
  for (const key of keys) {
    if (request[key] !== undefined) filters[key] = request[key];
  }
  if (filters.since && filters.before && (filters.since as Date) >= (filters.before as Date)) {
    throw new CoreError(
      'INVALID_ARGUMENT',
      'The date range is empty: --since must be before --before.',
    );
  }
  return filters;
}

function mailboxText(mailboxes: Array<{ address: string; name?: string | null }>): string {
  return mailboxes.map((mailbox) => `${mailbox.name ?? ''} ${mailbox.address}`.trim()).join(' ');
}

function clip(text: string): string {
  return text.length > MAX_INDEXED_BODY_CHARS ? text.slice(0, MAX_INDEXED_BODY_CHARS) : text;
}

function safeEntity(bytes: Uint8Array): ReturnType<typeof parseEntity> | null {
  try {
    return parseEntity(bytes);
  } catch {
    return null;
  }
}
