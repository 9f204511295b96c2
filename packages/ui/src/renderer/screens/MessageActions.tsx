// Message actions in the mail client: delete (to Trash, or for good when it is in Trash),
// move to another folder, flag or unflag, and mark unread. Core changes its store at once and
// queues the server change for the next sync, so each action here starts a sync right away.

import { useState } from 'react';
import type { FolderView, MessageSummary } from '../../api/types.ts';
import type { MailApiClient } from '../api-client.ts';
import { messageOf } from '../api-client.ts';
import { ConfirmDialog } from '../components/ConfirmDialog.tsx';
import type { RowUpdate } from './MessageList.tsx';

export interface MessageActionHooks {
  /** The message removed from its folder (deleted or moved), so it leaves the list. */
  onRemoved: (id: number) => void;
  onRowUpdate: (id: number, update: RowUpdate) => void;
  notify: (text: string) => void;
  onError: (message: string) => void;
  /** Sends the queued change to the server. */
  sync: () => Promise<void>;
}

/** Returns the four actions, each taking the selected message's current row. */
export function useMessageActions(client: MailApiClient, hooks: MessageActionHooks) {
  async function run(action: () => Promise<void>) {
    try {
      await action();
      await hooks.sync();
    } catch (caught) {
      hooks.onError(messageOf(caught));
    }
  }

  return {
    remove: (message: MessageSummary) =>
      run(async () => {
        await client.call('mail:delete', { id: message.id });
        hooks.onRemoved(message.id);
        hooks.notify('Message deleted.');
      }),
    move: (message: MessageSummary, folder: string) =>
      run(async () => {
        await client.call('mail:move', { id: message.id, folder });
        hooks.onRemoved(message.id);
        hooks.notify(`Moved to ${folder}.`);
      }),
    toggleFlag: (message: MessageSummary) =>
      run(async () => {
        const flagged = message.flagged === true;
        await client.call(
          'mail:flag',
          flagged
            ? { id: message.id, add: [], remove: ['\\Flagged'] }
            : { id: message.id, add: ['\\Flagged'], remove: [] },
        );
        hooks.onRowUpdate(message.id, { flagged: !flagged });
        hooks.notify(flagged ? 'Flag removed.' : 'Message flagged.');
      }),
    markUnread: (message: MessageSummary) =>
      run(async () => {
        await client.call('mail:flag', { id: message.id, add: [], remove: ['\\Seen'] });
        hooks.onRowUpdate(message.id, { unread: true });
        hooks.notify('Marked as unread.');
      }),
  };
}

/** Asks for the target folder among the other folders of the message's account. */
export function MoveDialog(props: {
  message: MessageSummary;
  folders: FolderView[];
  onMove: (folder: string) => void;
  onCancel: () => void;
}) {
  const targets = props.folders.filter(
    (entry) => entry.account === props.message.account && entry.path !== props.message.folder,
  );
  const [target, setTarget] = useState(targets[0]?.path ?? '');
  return (
    <ConfirmDialog
      title="Move message"
      confirmLabel="Move"
      onConfirm={() => target && props.onMove(target)}
      onCancel={props.onCancel}
    >
      {targets.length === 0 ? (
        <p>This account has no other folder; sync to fetch the folder list.</p>
      ) : (
        <>
          <label htmlFor="move-target">Move to folder</label>
          <select
            id="move-target"
            value={target}
            onChange={(event) => setTarget(event.target.value)}
          >
            {targets.map((entry) => (
              <option key={entry.path} value={entry.path}>
                {entry.path}
              </option>
            ))}
          </select>
        </>
      )}
    </ConfirmDialog>
  );
}
