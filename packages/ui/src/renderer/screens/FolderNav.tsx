// The folder list: the Outbox (shown while it has entries, with its failed count) and each
// account's folders with their unread counts.

import type { FolderView, OutboxEntryView } from '../../api/types.ts';
import type { FolderRef } from './MessageList.tsx';
import { failedCount } from './Outbox.tsx';

export function FolderNav(props: {
  folders: readonly FolderView[];
  outbox: readonly OutboxEntryView[];
  current: FolderRef | null;
  outboxOpen: boolean;
  onOutbox: () => void;
  onFolder: (folder: FolderRef) => void;
}) {
  const { folders, outbox, current } = props;
  const accounts = [...new Set(folders.map((entry) => entry.account))];
  return (
    <nav className="folders" aria-label="Folders">
      {outbox.length > 0 && (
        <button
          type="button"
          aria-current={props.outboxOpen}
          aria-label={`Outbox, ${failedCount(outbox)} failed of ${outbox.length}`}
          onClick={props.onOutbox}
        >
          Outbox
          {failedCount(outbox) > 0 && <span className="count">{failedCount(outbox)}</span>}
        </button>
      )}
      {accounts.map((account) => (
        <div key={account}>
          <div className="account">{account}</div>
          {folders
            .filter((entry) => entry.account === account)
            .map((entry) => (
              <button
                type="button"
                key={entry.path}
                aria-current={current?.account === account && current.path === entry.path}
                aria-label={`${entry.path}, ${entry.unread} unread of ${entry.total}`}
                onClick={() => props.onFolder({ account, path: entry.path })}
              >
                {entry.path}
                {entry.unread > 0 && <span className="count">{entry.unread}</span>}
              </button>
            ))}
        </div>
      ))}
    </nav>
  );
}
