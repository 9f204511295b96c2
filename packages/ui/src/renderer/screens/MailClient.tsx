// The mail client: toolbar, search bar, sync progress, folders with unread counts, the message
// list (a folder or search results) and the reader, composer or contacts on the right. Syncs
// at start and every SYNC_INTERVAL_MS, shows a notification for new mail, and handles the
// keyboard shortcuts listed in SHORTCUTS.

import { useCallback, useEffect, useRef, useState } from 'react';
import type { FolderView, MessageSummary, MessageView } from '../../api/types.ts';
import type { OutboxEntryView } from '../../api/types.ts';
import type { MailApiClient } from '../api-client.ts';
import { messageOf } from '../api-client.ts';
import { SearchBar } from '../components/SearchBar.tsx';
import { SyncProgressBar, useNewMailNotices, useSyncProgress } from '../components/SyncStatus.tsx';
import { applyTheme, loadTheme } from '../theme.ts';
import { Composer } from './Composer.tsx';
import type { ComposerHeading } from './Composer.tsx';
import { forwardDraft, replyDraft } from './compose-from-message.ts';
import type { ComposerInitial } from './compose-from-message.ts';
import { Contacts } from './Contacts.tsx';
import { Drafts } from './Drafts.tsx';
import { FolderNav } from './FolderNav.tsx';
import { Outbox } from './Outbox.tsx';
import { MailToolbar } from './MailToolbar.tsx';
import { MoveDialog, useMessageActions } from './MessageActions.tsx';
import { MessageList, rowUpdateFrom } from './MessageList.tsx';
import type { FolderRef, RowAccess, RowUpdate } from './MessageList.tsx';
import { Reader } from './Reader.tsx';

const SYNC_INTERVAL_MS = 60_000;

export const SHORTCUTS: Record<string, string> = {
  j: 'next message',
  k: 'previous message',
  r: 'reply',
  f: 'forward',
  c: 'compose',
  e: 'archive',
  '#': 'delete (also the Delete key)',
  v: 'move to folder',
  s: 'flag or unflag',
  u: 'mark unread',
  '/': 'search',
  Escape: 'clear the search',
};

type Pane =
  | { kind: 'reader' }
  | { kind: 'composer'; initial: ComposerInitial; heading: ComposerHeading; serial: number }
  | { kind: 'contacts' }
  | { kind: 'drafts' }
  | { kind: 'outbox' };

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
  const [outbox, setOutbox] = useState<OutboxEntryView[]>([]);
  const [results, setResults] = useState<MessageSummary[] | null>(null);
  const [searchKey, setSearchKey] = useState(0);
  const [moving, setMoving] = useState<MessageSummary | null>(null);
  const rows = useRef<RowAccess>({ at: () => undefined, indexOf: () => -1, total: 0 });
  const opened = useRef<MessageView | null>(null);
  const searchInput = useRef<HTMLInputElement>(null);
  const composerSerial = useRef(0);

  // Each opening gets a new serial, so a new composer replaces an open one instead of keeping its fields.
  const openComposer = useCallback((initial: ComposerInitial, heading: ComposerHeading) => {
    composerSerial.current += 1;
    setPane({ kind: 'composer', initial, heading, serial: composerSerial.current });
  }, []);

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

  const loadOutbox = useCallback(async () => {
    try {
      setOutbox(await client.call('outbox:list'));
    } catch (caught) {
      setError(messageOf(caught));
    }
  }, [client]);

  // The folders reload after every sync, send and read, and so does the outbox count.
  useEffect(() => {
    void loadOutbox();
  }, [loadOutbox, folders]);

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
      // A sync sends what waits in the outbox, even when a later step of it failed.
      await loadOutbox();
    }
  }, [client, loadFolders, loadOutbox, started, finished]);

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
      setRowUpdates((current) =>
        new Map(current).set(message.id, { ...current.get(message.id), ...rowUpdateFrom(message) }),
      );
      // Reading marked the message \Seen, so the unread counts changed.
      void loadFolders();
    },
    [loadFolders],
  );

  const reply = useCallback(() => {
    const message = opened.current;
    if (!message) return;
    openComposer(replyDraft(message), 'Reply');
  }, [openComposer]);

  const forward = useCallback(async () => {
    const message = opened.current;
    if (!message) return;
    try {
      openComposer(await forwardDraft(client, message), 'Forward');
    } catch (caught) {
      setError(messageOf(caught));
    }
  }, [client, openComposer]);

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

  const updateRow = useCallback((id: number, update: RowUpdate) => {
    setRowUpdates((current) => new Map(current).set(id, { ...current.get(id), ...update }));
  }, []);

  const actions = useMessageActions(client, {
    onRemoved: (id) => {
      setSelected(null);
      setResults((current) => current && current.filter((message) => message.id !== id));
    },
    onRowUpdate: updateRow,
    notify,
    onError: setError,
    sync,
  });

  /** Returns the selected message's row as the list shows it, or null. */
  const selectedRow = (): MessageSummary | null => {
    if (!selected) return null;
    const index = rows.current.indexOf(selected.id);
    return rows.current.at(index >= 0 ? index : selected.index) ?? null;
  };
  const withSelected = (action: (message: MessageSummary) => unknown) => () => {
    const message = selectedRow();
    if (message) void action(message);
  };

  const clearSearch = useCallback(() => {
    setResults(null);
    setSelected(null);
    setSearchKey((value) => value + 1);
  }, []);

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
        case 'f':
          void forward();
          break;
        case 'c':
          openComposer({}, 'New message');
          break;
        case 'e':
          void archive();
          break;
        case '#':
        case 'Delete':
          withSelected(actions.remove)();
          break;
        case 'v':
          withSelected(setMoving)();
          break;
        case 's':
          withSelected(actions.toggleFlag)();
          break;
        case 'u':
          withSelected(actions.markUnread)();
          break;
        case '/':
          searchInput.current?.focus();
          break;
        case 'Escape':
          if (results === null || moving) return;
          clearSearch();
          break;
        default:
          return;
      }
      event.preventDefault();
    }
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  });

  async function lock() {
    await client.call('session:lock');
    onLocked();
  }

  function toggleTheme() {
    const next = theme === 'dark' ? 'light' : 'dark';
    applyTheme(next);
    setTheme(next);
  }

  // The update map is current during this render, while the list's row access lags a render.
  const flagged =
    selected !== null && (rowUpdates.get(selected.id)?.flagged ?? selectedRow()?.flagged) === true;
  return (
    <div className="layout">
      <MailToolbar
        hasSelection={selected !== null}
        flagged={flagged}
        syncing={progress !== null}
        contactsOpen={pane.kind === 'contacts'}
        theme={theme}
        on={{
          compose: () => openComposer({}, 'New message'),
          sync: () => void sync(),
          reply,
          forward: () => void forward(),
          archive: () => void archive(),
          toggleContacts: () =>
            setPane(pane.kind === 'contacts' ? { kind: 'reader' } : { kind: 'contacts' }),
          remove: withSelected(actions.remove),
          move: withSelected(setMoving),
          toggleFlag: withSelected(actions.toggleFlag),
          markUnread: withSelected(actions.markUnread),
          drafts: () => setPane({ kind: 'drafts' }),
          toggleTheme,
          lock: () => void lock(),
        }}
      />
      <SearchBar
        key={searchKey}
        client={client}
        folder={folder}
        inputRef={searchInput}
        onResults={(found) => {
          setSelected(null);
          setResults(found);
        }}
        onError={setError}
      />
      <SyncProgressBar progress={progress} />
      <div className="panes">
        <FolderNav
          folders={folders}
          outbox={outbox}
          current={folder}
          outboxOpen={pane.kind === 'outbox'}
          onOutbox={() => setPane({ kind: 'outbox' })}
          onFolder={(next) => {
            setFolder(next);
            if (results) clearSearch();
            setSelected(null);
            setPane({ kind: 'reader' });
          }}
        />
        <MessageList
          client={client}
          folder={folder}
          revision={revision}
          selectedId={selected?.id ?? null}
          updates={rowUpdates}
          results={results}
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
            key={pane.serial}
            client={client}
            initial={pane.initial}
            heading={pane.heading}
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
            onQueued={(notice) => {
              setPane({ kind: 'reader' });
              notify(notice);
              void loadFolders();
            }}
          />
        )}
        {pane.kind === 'contacts' && <Contacts client={client} />}
        {pane.kind === 'outbox' && (
          <Outbox client={client} entries={outbox} onChanged={loadOutbox} />
        )}
        {pane.kind === 'drafts' && (
          <Drafts client={client} onOpen={(draft) => openComposer(draft, 'Draft')} />
        )}
      </div>
      {moving && (
        <MoveDialog
          message={moving}
          folders={folders}
          onMove={(target) => {
            setMoving(null);
            void actions.move(moving, target);
          }}
          onCancel={() => setMoving(null)}
        />
      )}
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
