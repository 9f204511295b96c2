// The mail client: toolbar, sync progress, folders with unread counts, the message list and
// the reader, composer or contacts on the right. Syncs at start and every SYNC_INTERVAL_MS,
// shows a notification for new mail, and handles the keyboard shortcuts listed in SHORTCUTS.

import { useCallback, useEffect, useRef, useState } from 'react';
import type { DraftContent, FolderView, MessageSummary, MessageView } from '../../api/types.ts';
import type { MailApiClient } from '../api-client.ts';
import { messageOf } from '../api-client.ts';
import {
  NotificationButton,
  SyncProgressBar,
  useNewMailNotices,
  useSyncProgress,
} from '../components/SyncStatus.tsx';
import { applyTheme, loadTheme } from '../theme.ts';
import { Composer } from './Composer.tsx';
import { Contacts } from './Contacts.tsx';
import { Drafts } from './Drafts.tsx';
import { MessageList, rowUpdateFrom } from './MessageList.tsx';
import type { FolderRef, RowAccess, RowUpdate } from './MessageList.tsx';
import { Reader } from './Reader.tsx';

const SYNC_INTERVAL_MS = 60_000;

export const SHORTCUTS: Record<string, string> = {
  j: 'next message',
  k: 'previous message',
  r: 'reply',
  c: 'compose',
  e: 'archive',
};

type Pane =
  | { kind: 'reader' }
  | { kind: 'composer'; initial: Partial<DraftContent> & { draftId?: string } }
  | { kind: 'contacts' }
  | { kind: 'drafts' };

export function MailClient({ client, onLocked }: { client: MailApiClient; onLocked: () => void }) {
  const [folders, setFolders] = useState<FolderView[]>([]);
  const [folder, setFolder] = useState<FolderRef | null>(null);
  const [revision, setRevision] = useState(0);
  const [selected, setSelected] = useState<{ id: number; index: number } | null>(null);
  const [rowUpdates, setRowUpdates] = useState<ReadonlyMap<number, RowUpdate>>(new Map());
  const [pane, setPane] = useState<Pane>({ kind: 'reader' });
  const [toasts, setToasts] = useState<Array<{ id: number; text: string }>>([]);
  const [error, setError] = useState<string | null>(null);
  const [theme, setTheme] = useState(loadTheme());
  const rows = useRef<RowAccess>({ at: () => undefined, indexOf: () => -1, total: 0 });
  const opened = useRef<MessageView | null>(null);

  const notify = useCallback((text: string) => {
    const id = Date.now() + Math.random();
    setToasts((current) => [...current, { id, text }]);
    setTimeout(() => setToasts((current) => current.filter((toast) => toast.id !== id)), 6000);
  }, []);

  const loadFolders = useCallback(async () => {
    const next = await client.call('mail:folders');
    setFolders(next);
    setFolder((current) => {
      if (current) return current;
      const inbox = next.find((entry) => entry.path === 'INBOX') ?? next[0];
      return inbox ? { account: inbox.account, path: inbox.path } : null;
    });
  }, [client]);

  const { progress, started, finished } = useSyncProgress(client);
  useNewMailNotices(client, notify);

  const sync = useCallback(async () => {
    setError(null);
    started();
    try {
      await client.call('mail:sync');
      await loadFolders();
      setRevision((value) => value + 1);
    } catch (caught) {
      setError(messageOf(caught));
    } finally {
      finished();
    }
  }, [client, loadFolders, started, finished]);

  useEffect(() => {
    void loadFolders().then(sync);
    const timer = setInterval(() => void sync(), SYNC_INTERVAL_MS);
    return () => clearInterval(timer);
  }, [loadFolders, sync]);

  const select = useCallback((message: MessageSummary, index: number) => {
    setSelected({ id: message.id, index });
    setPane({ kind: 'reader' });
  }, []);

  const onLoaded = useCallback(
    (message: MessageView) => {
      opened.current = message;
      setRowUpdates((current) => new Map(current).set(message.id, rowUpdateFrom(message)));
      // Reading marked the message \Seen, so the unread counts changed.
      void loadFolders();
    },
    [loadFolders],
  );

  const reply = useCallback(() => {
    const message = opened.current;
    if (!message) return;
    const subject = message.subject ?? '';
    setPane({
      kind: 'composer',
      initial: {
        to: message.from ? [message.from] : [],
        subject: /^re:/i.test(subject) ? subject : `Re: ${subject}`,
        text: `\n\n${message.from ?? 'The sender'} wrote:\n${(message.text ?? '')
          .split('\n')
          .map((line) => `> ${line}`)
          .join('\n')}`,
      },
    });
  }, []);

  const archive = useCallback(async () => {
    if (!selected) return;
    try {
      const { folder: target } = await client.call('mail:archive', { id: selected.id });
      notify(`Moved to ${target}.`);
      setSelected(null);
      await loadFolders();
      setRevision((value) => value + 1);
    } catch (caught) {
      setError(messageOf(caught));
    }
  }, [client, selected, loadFolders, notify]);

  useEffect(() => {
    function onKey(event: KeyboardEvent) {
      const target = event.target as HTMLElement;
      if (event.ctrlKey || event.metaKey || event.altKey) return;
      if (['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName) || target.isContentEditable)
        return;
      const step = (delta: number) => {
        // A sync may have moved the selected message, so its index is looked up again.
        const found = selected ? rows.current.indexOf(selected.id) : -1;
        const index = (found >= 0 ? found : (selected?.index ?? -1)) + delta;
        const message = rows.current.at(index);
        if (message) select(message, index);
      };
      switch (event.key) {
        case 'j':
          step(1);
          break;
        case 'k':
          step(-1);
          break;
        case 'r':
          reply();
          break;
        case 'c':
          setPane({ kind: 'composer', initial: {} });
          break;
        case 'e':
          void archive();
          break;
        default:
          return;
      }
      event.preventDefault();
    }
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [selected, select, reply, archive]);

  async function lock() {
    await client.call('session:lock');
    onLocked();
  }

  function toggleTheme() {
    const next = theme === 'dark' ? 'light' : 'dark';
    applyTheme(next);
    setTheme(next);
  }

  const accounts = [...new Set(folders.map((entry) => entry.account))];
  return (
    <div className="layout">
      <header className="toolbar" role="toolbar" aria-label="Main actions">
        <span className="brand">Sealpost</span>
        <button
          type="button"
          className="primary"
          onClick={() => setPane({ kind: 'composer', initial: {} })}
          aria-keyshortcuts="c"
        >
          Compose
        </button>
        <button type="button" onClick={() => void sync()} disabled={progress !== null}>
          {progress !== null ? 'Syncing…' : 'Sync'}
        </button>
        <button type="button" onClick={reply} disabled={!selected} aria-keyshortcuts="r">
          Reply
        </button>
        <button
          type="button"
          onClick={() => void archive()}
          disabled={!selected}
          aria-keyshortcuts="e"
        >
          Archive
        </button>
        <button
          type="button"
          onClick={() =>
            setPane(pane.kind === 'contacts' ? { kind: 'reader' } : { kind: 'contacts' })
          }
        >
          {pane.kind === 'contacts' ? 'Mail' : 'Contacts and keys'}
        </button>
        <button type="button" onClick={() => setPane({ kind: 'drafts' })}>
          Drafts
        </button>
        <span className="spacer" />
        <NotificationButton />
        <span className="hint" aria-label="Keyboard shortcuts">
          j/k next/previous · r reply · c compose · e archive
        </span>
        <button
          type="button"
          onClick={toggleTheme}
          aria-label={`Switch to ${theme === 'dark' ? 'light' : 'dark'} theme`}
        >
          {theme === 'dark' ? 'Light' : 'Dark'}
        </button>
        <button type="button" onClick={() => void lock()}>
          Lock
        </button>
      </header>
      <SyncProgressBar progress={progress} />
      <div className="panes">
        <nav className="folders" aria-label="Folders">
          {accounts.map((account) => (
            <div key={account}>
              <div className="account">{account}</div>
              {folders
                .filter((entry) => entry.account === account)
                .map((entry) => (
                  <button
                    type="button"
                    key={entry.path}
                    aria-current={folder?.account === account && folder.path === entry.path}
                    aria-label={`${entry.path}, ${entry.unread} unread of ${entry.total}`}
                    onClick={() => {
                      setFolder({ account, path: entry.path });
                      setSelected(null);
                      setPane({ kind: 'reader' });
                    }}
                  >
                    {entry.path}
                    {entry.unread > 0 && <span className="count">{entry.unread}</span>}
                  </button>
                ))}
            </div>
          ))}
        </nav>
        <MessageList
          client={client}
          folder={folder}
          revision={revision}
          selectedId={selected?.id ?? null}
          updates={rowUpdates}
          onSelect={select}
          onRows={(access) => {
            rows.current = access;
          }}
        />
        {pane.kind === 'reader' && (
          <Reader client={client} messageId={selected?.id ?? null} onLoaded={onLoaded} />
        )}
        {pane.kind === 'composer' && (
          <Composer
            client={client}
            initial={pane.initial}
            onClose={(sent) => {
              setPane({ kind: 'reader' });
              if (sent) {
                notify(
                  sent.mode !== 'signed-plaintext'
                    ? `Sent encrypted to ${sent.recipients.join(', ')}.`
                    : `Sent unencrypted to ${sent.recipients.join(', ')}.`,
                );
                void loadFolders();
              }
            }}
          />
        )}
        {pane.kind === 'contacts' && <Contacts client={client} />}
        {pane.kind === 'drafts' && (
          <Drafts
            client={client}
            onOpen={(draft) => setPane({ kind: 'composer', initial: draft })}
          />
        )}
      </div>
      {error && (
        <p className="error toasts" role="alert">
          {error}
        </p>
      )}
      <div className="toasts" aria-live="polite">
        {toasts.map((toast) => (
          <div className="toast" key={toast.id} role="status">
            {toast.text}
          </div>
        ))}
      </div>
    </div>
  );
}
