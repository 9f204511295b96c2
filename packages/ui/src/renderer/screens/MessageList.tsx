// The virtualized message list (@tanstack/react-virtual): only the visible rows are in the
// DOM, and pages of PAGE_SIZE messages are fetched from core when rows first come into view,
// so a folder of 100,000 messages scrolls without loading them all. Rows the user has read in
// this session show what the read returned: the protected subject and the signature status.
// Those updates live only in memory and are never written back to storage. During a search
// the list shows the search results instead of the folder.

import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useRef, useState } from 'react';
import type { MessageSummary, MessageView, SignatureView } from '../../api/types.ts';
import type { MailApiClient } from '../api-client.ts';
import { LockIcon } from '../components/LockIcon.tsx';
import { messageOf } from '../api-client.ts';

const PAGE_SIZE = 200;
const ROW_HEIGHT = 58;

export interface FolderRef {
  account: string;
  path: string;
}

/** Access to the loaded rows, for keyboard navigation. */
export interface RowAccess {
  at: (index: number) => MessageSummary | undefined;
  /** The index of message `id` among the loaded pages, or -1 when it is not loaded. */
  indexOf: (id: number) => number;
  total: number;
}

/** Row fields from a successful read or a flag change, applied over the stored summary. */
export type RowUpdate = Partial<
  Pick<MessageSummary, 'subject' | 'signature' | 'decryptionFailed' | 'unread' | 'flagged'>
>;

/** Returns the row state after reading `view`: its real subject, signature status, and read. */
export function rowUpdateFrom(view: MessageView): Required<Omit<RowUpdate, 'flagged'>> {
  return {
    subject: view.subject,
    signature: signatureStatusOf(view.signatures),
    decryptionFailed: false,
    unread: false,
  };
}

/** Returns the one status a row shows: any invalid signature wins, then a verified one. */
function signatureStatusOf(signatures: SignatureView[]): string {
  if (signatures.some((signature) => signature.status === 'invalid')) return 'invalid';
  if (signatures.some((signature) => signature.status === 'valid' && signature.signerMatchesFrom))
    return 'valid';
  if (signatures.some((signature) => signature.status === 'valid')) return 'signer-mismatch';
  return signatures[0]?.status ?? 'unsigned';
}

export function MessageList(props: {
  client: MailApiClient;
  folder: FolderRef | null;
  /** Changes whenever the folder's contents may have changed, e.g. after a sync. */
  revision: number;
  selectedId: number | null;
  /** Row state from reads in this session, by message id. */
  updates: ReadonlyMap<number, RowUpdate>;
  onSelect: (message: MessageSummary, index: number) => void;
  onRows: (rows: RowAccess) => void;
  /** Search results to show instead of the folder, or null when no search is active. */
  results: MessageSummary[] | null;
}) {
  const { client, folder, revision, updates, onRows, results } = props;
  const scroller = useRef<HTMLDivElement>(null);
  const pages = useRef(new Map<number, MessageSummary[]>());
  const loading = useRef(new Set<number>());
  const [total, setTotal] = useState(0);
  const [, setLoadedPages] = useState(0);
  const [error, setError] = useState<string | null>(null);

  const count = results ? results.length : total;
  const virtualizer = useVirtualizer({
    count,
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 10,
  });

  const rowAt = (index: number): MessageSummary | undefined => {
    const stored = results
      ? results[index]
      : pages.current.get(Math.floor(index / PAGE_SIZE))?.[index % PAGE_SIZE];
    const update = stored && updates.get(stored.id);
    return stored && update ? { ...stored, ...update } : stored;
  };

  async function loadPage(page: number) {
    if (results || !folder || pages.current.has(page) || loading.current.has(page)) return;
    loading.current.add(page);
    try {
      const result = await client.call('mail:list', {
        account: folder.account,
        folder: folder.path,
        offset: page * PAGE_SIZE,
        limit: PAGE_SIZE,
      });
      pages.current.set(page, result.messages);
      setTotal(result.total);
      setLoadedPages((count) => count + 1);
    } catch (caught) {
      setError(messageOf(caught));
    } finally {
      loading.current.delete(page);
    }
  }

  useEffect(() => {
    pages.current.clear();
    loading.current.clear();
    setTotal(0);
    setError(null);
    void loadPage(0);
    // loadPage reads the current folder; a new folder or revision starts over.
  }, [folder?.account, folder?.path, revision]);

  const items = virtualizer.getVirtualItems();
  useEffect(() => {
    for (const item of items) void loadPage(Math.floor(item.index / PAGE_SIZE));
  });
  const indexOf = (id: number): number => {
    if (results) return results.findIndex((message) => message.id === id);
    for (const [page, messages] of pages.current) {
      const offset = messages.findIndex((message) => message.id === id);
      if (offset >= 0) return page * PAGE_SIZE + offset;
    }
    return -1;
  };
  useEffect(() => {
    onRows({ at: rowAt, indexOf, total: count });
  });

  return (
    <div
      className="message-list"
      ref={scroller}
      role="listbox"
      aria-label={results ? 'Search results' : 'Messages'}
      data-testid="message-list"
    >
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {count === 0 && !error && (
        <p className="hint" style={{ padding: 16 }}>
          {results ? 'No messages match the search.' : 'No messages.'}
        </p>
      )}
      <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
        {items.map((item) => {
          const message = rowAt(item.index);
          return (
            <div
              key={item.key}
              className={`message-row${message?.unread ? ' unread' : ''}`}
              role="option"
              aria-selected={message !== undefined && message.id === props.selectedId}
              data-message-id={message?.id}
              style={{ top: item.start, height: ROW_HEIGHT }}
              onClick={() => message && props.onSelect(message, item.index)}
            >
              {message ? <MessageRow message={message} /> : <span className="hint">Loading…</span>}
            </div>
          );
        })}
      </div>
    </div>
  );
}

/** Names the lock badge's state, with the mode when the back end reports it. */
function lockLabel(message: MessageSummary): string {
  if (!message.encrypted) return 'Not encrypted';
  if (message.mode === 'ratchet') return 'Encrypted (ratchet mode)';
  if (message.mode === 'openpgp') return 'Encrypted (OpenPGP)';
  return 'Encrypted';
}

function MessageRow({ message }: { message: MessageSummary }) {
  return (
    <>
      <span title={lockLabel(message)}>
        {message.encrypted ? (
          <LockIcon label={lockLabel(message)} />
        ) : (
          <span className="badge bad" aria-label="Not encrypted">
            !
          </span>
        )}
      </span>
      <span className="from">{message.from ?? '-'}</span>
      <span className="date">
        {message.date ? new Date(message.date).toLocaleDateString() : ''}
      </span>
      <span className="subject" title={message.subject ?? undefined}>
        {message.flagged && (
          <span className="flag" aria-label="Flagged" title="Flagged">
            ⚑
          </span>
        )}
        <SignatureBadge message={message} />{' '}
        {message.encrypted && message.subject === '[...]'
          ? 'Encrypted message (open it to see the subject)'
          : (message.subject ?? '(no subject)')}
      </span>
    </>
  );
}

function SignatureBadge({ message }: { message: MessageSummary }) {
  if (message.decryptionFailed) return <span className="badge bad">cannot decrypt</span>;
  switch (message.signature) {
    case null:
      return <span className="badge warn">not checked yet</span>;
    case 'valid':
      return <span className="badge ok">signed</span>;
    case 'invalid':
      return <span className="badge bad">bad signature</span>;
    case 'unsigned':
      return <span className="badge warn">not signed</span>;
    case 'signer-mismatch':
      return <span className="badge warn">signed by another address</span>;
    default:
      return <span className="badge warn">signature unchecked</span>;
  }
}
