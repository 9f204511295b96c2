// The outbox: messages that wait for their next send attempt and those the server refused for
// good. Each entry shows why its last attempt failed, with Retry (send now) and Discard (delete
// unsent, after a confirmation). Nothing leaves the outbox unsent without that confirmation.
// The mail client owns the entry list and reloads it after every sync, so the rows stay current.

import { useState } from 'react';
import type { OutboxEntryView } from '../../api/types.ts';
import type { MailApiClient } from '../api-client.ts';
import { messageOf } from '../api-client.ts';
import { ConfirmDialog } from '../components/ConfirmDialog.tsx';

/** Returns how many outbox entries failed for good, for the folder list's count. */
export function failedCount(entries: readonly OutboxEntryView[]): number {
  return entries.filter((entry) => entry.state === 'failed').length;
}

/** Returns when an entry was queued, in the user's locale. */
function queuedWords(entry: OutboxEntryView): string {
  return `queued ${new Date(entry.createdAt).toLocaleString()}`;
}

export function Outbox(props: {
  client: MailApiClient;
  entries: readonly OutboxEntryView[];
  /** Reloads the entries; the parent passes the new list back in `entries`. */
  onChanged: () => Promise<void>;
}) {
  const { client, entries, onChanged } = props;
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [busy, setBusy] = useState<number | null>(null);
  const [discarding, setDiscarding] = useState<OutboxEntryView | null>(null);

  async function retry(entry: OutboxEntryView) {
    setBusy(entry.id);
    setError(null);
    setNotice(null);
    try {
      const outcome = await client.call('outbox:retry', { id: entry.id });
      setNotice(
        outcome.rejectedRecipients.length > 0
          ? `Sent, but the server refused ${outcome.rejectedRecipients.join(', ')}.`
          : `Sent to ${entry.to.join(', ')}.`,
      );
    } catch (caught) {
      setError(messageOf(caught));
    } finally {
      setBusy(null);
      await onChanged();
    }
  }

  async function discard(entry: OutboxEntryView) {
    setDiscarding(null);
    setError(null);
    setNotice(null);
    try {
      await client.call('outbox:discard', { id: entry.id, confirm: true });
      setNotice(`Discarded the message to ${entry.to.join(', ')}; it was not sent.`);
    } catch (caught) {
      setError(messageOf(caught));
    } finally {
      await onChanged();
    }
  }

  return (
    <section className="contacts" aria-labelledby="outbox-title">
      <h2 id="outbox-title">Outbox</h2>
      <p className="hint">
        Messages wait here until the server accepts them. Queued ones are sent again at the next
        sync; failed ones wait for you.
      </p>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {notice && <p role="status">{notice}</p>}
      {entries.length === 0 && <p className="hint">The outbox is empty.</p>}
      {entries.length > 0 && (
        <table>
          <thead>
            <tr>
              <th scope="col">To</th>
              <th scope="col">State</th>
              <th scope="col">Reason</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {entries.map((entry) => (
              <tr key={entry.id} data-state={entry.state}>
                <td>
                  {entry.to.join(', ')}
                  {/* Entries queued before core stored the subject have none. */}
                  {entry.subject && <div data-testid="outbox-subject">{entry.subject}</div>}
                  <div className="hint">
                    from {entry.account}, {queuedWords(entry)}
                  </div>
                </td>
                <td>
                  {entry.state === 'failed' ? 'Failed' : 'Waiting'}, {entry.attempts} attempt(s)
                  <div className="hint">{nextAttemptWords(entry)}</div>
                </td>
                <td>{entry.lastError ?? 'Not tried yet.'}</td>
                <td>
                  <button
                    type="button"
                    aria-label={`Retry the message to ${entry.to.join(', ')}`}
                    disabled={busy !== null}
                    onClick={() => void retry(entry)}
                  >
                    {busy === entry.id ? 'Sending…' : 'Retry'}
                  </button>{' '}
                  <button
                    type="button"
                    className="danger"
                    aria-label={`Discard the message to ${entry.to.join(', ')}`}
                    disabled={busy !== null}
                    onClick={() => setDiscarding(entry)}
                  >
                    Discard
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {discarding && (
        <ConfirmDialog
          title="Discard this message?"
          confirmLabel="Discard without sending"
          danger
          onConfirm={() => void discard(discarding)}
          onCancel={() => setDiscarding(null)}
        >
          <p>
            The message to {discarding.to.join(', ')} ({queuedWords(discarding)}) is deleted and
            never sent. This cannot be undone.
          </p>
        </ConfirmDialog>
      )}
    </section>
  );
}

function nextAttemptWords(entry: OutboxEntryView): string {
  if (entry.state === 'failed') return 'Not sent again unless you retry it.';
  if (entry.nextAttemptAt === null) return 'Sent again at the next sync.';
  return `Sent again after ${new Date(entry.nextAttemptAt).toLocaleString()}.`;
}
