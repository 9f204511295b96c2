// The mail client's toolbar: compose, sync, the actions on the selected message (reply,
// forward, archive, delete, move, flag, mark unread) with their keyboard shortcuts, the side panes,
// the notification request, the theme switch and Lock.

import { NotificationButton } from '../components/SyncStatus.tsx';

export interface ToolbarHandlers {
  compose: () => void;
  sync: () => void;
  reply: () => void;
  forward: () => void;
  archive: () => void;
  toggleContacts: () => void;
  remove: () => void;
  move: () => void;
  toggleFlag: () => void;
  markUnread: () => void;
  drafts: () => void;
  toggleTheme: () => void;
  lock: () => void;
}

export function MailToolbar(props: {
  hasSelection: boolean;
  /** Whether the selected message is flagged, so the flag button unflags it. */
  flagged: boolean;
  syncing: boolean;
  contactsOpen: boolean;
  theme: string;
  on: ToolbarHandlers;
}) {
  const { on } = props;
  const none = !props.hasSelection;
  return (
    <header className="toolbar" role="toolbar" aria-label="Main actions">
      <span className="brand">Sealpost</span>
      <button type="button" className="primary" onClick={on.compose} aria-keyshortcuts="c">
        Compose
      </button>
      <button type="button" onClick={on.sync} disabled={props.syncing}>
        {props.syncing ? 'Syncing…' : 'Sync'}
      </button>
      <button type="button" onClick={on.reply} disabled={none} aria-keyshortcuts="r">
        Reply
      </button>
      <button type="button" onClick={on.forward} disabled={none} aria-keyshortcuts="f">
        Forward
      </button>
      <button type="button" onClick={on.archive} disabled={none} aria-keyshortcuts="e">
        Archive
      </button>
      <button type="button" onClick={on.remove} disabled={none} aria-keyshortcuts="# Delete">
        Delete
      </button>
      <button type="button" onClick={on.move} disabled={none} aria-keyshortcuts="v">
        Move…
      </button>
      <button type="button" onClick={on.toggleFlag} disabled={none} aria-keyshortcuts="s">
        {props.flagged ? 'Unflag' : 'Flag'}
      </button>
      <button type="button" onClick={on.markUnread} disabled={none} aria-keyshortcuts="u">
        Mark unread
      </button>
      <button type="button" onClick={on.toggleContacts}>
        {props.contactsOpen ? 'Mail' : 'Contacts and keys'}
      </button>
      <button type="button" onClick={on.drafts}>
        Local drafts
      </button>
      <span className="spacer" />
      <NotificationButton />
      <span className="hint" aria-label="Keyboard shortcuts">
        j/k next/previous · r reply · f forward · c compose · e archive · # delete · v move · s flag
        · u unread · / search
      </span>
      <button
        type="button"
        onClick={on.toggleTheme}
        aria-label={`Switch to ${props.theme === 'dark' ? 'light' : 'dark'} theme`}
      >
        {props.theme === 'dark' ? 'Light' : 'Dark'}
      </button>
      <button type="button" onClick={on.lock}>
        Lock
      </button>
    </header>
  );
}
