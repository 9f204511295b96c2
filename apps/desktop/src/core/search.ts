// Search over mail: keeps the FTS5 index of the store current and answers queries. Plain and
// signed mail is indexed in full when its body arrives; encrypted mail gets its outer headers
// then and its decrypted subject, addresses and text when ReadService decrypts it.
// NOTE: the index is the one place where decrypted text is stored; it stays inside the store so
// the store's encryption at rest covers it, and nothing here writes it anywhere else.

import type { Store } from '@sealpost/storage';
import { parseEntity, type parseMessage } from '@sealpost/mail-transport';
import type { AccountService } from './accounts.ts';
import { CoreError } from './errors.ts';
import type { ReadResult } from './read.ts';

type ParsedMessage = ReturnType<typeof parseMessage>;

/** Longest body text kept in the index per message; longer text is cut, not skipped. */
const MAX_INDEXED_BODY_CHARS = 200_000;

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
  limit?: number;
}

export interface SearchResultItem {
  id: number;
  account: string;
  folder: string;
  date: string;
  from: string | null;
  /** The outer Subject; "[...]" for encrypted mail until it is read. */
  subject: string | null;
  kind: string;
}

export class SearchService {
  constructor(
    private readonly store: Store,
    private readonly accounts: AccountService,
  ) {}

  /** Indexes a message whose body just arrived. */
  indexArrived(messageId: number, parsed: ParsedMessage | null): void {
    if (!parsed) return;
    const headers = parsed.headers;
    const common = {
      sender: mailboxText(headers.from ? [headers.from] : []),
      recipients: mailboxText([...headers.to, ...headers.cc]),
    };
    if (parsed.kind === 'plain' || parsed.kind === 'pgp-mime-signed') {
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
      encrypted: parsed.kind.endsWith('-encrypted'),
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

  search(request: SearchRequest): SearchResultItem[] {
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
          subject: message.subject,
          kind: message.kind,
        });
      }
    }
    return results;
  }
}

function definedFilters(request: SearchRequest): Record<string, unknown> {
  const filters: Record<string, unknown> = {};
  for (const key of ['from', 'since', 'before', 'hasAttachment', 'encrypted', 'signed'] as const) {
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
