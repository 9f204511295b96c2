// Local drafts, which core keeps sealed in the data folder, apart from the server's Drafts
// folder. The list shows each draft's subject, recipients and time, and opens it in the
// composer or deletes it.

import type { DraftContent } from '../../api/types.ts';
import type { MailApiClient } from '../api-client.ts';
import { messageOf } from '../api-client.ts';
import { useApiList } from '../use-api-list.ts';

export function Drafts(props: {
  client: MailApiClient;
  onOpen: (draft: DraftContent & { draftId: string }) => void;
}) {
  const { client, onOpen } = props;
  const { items: drafts, error, setError, refresh } = useApiList(client, 'draft:list');

  async function open(id: string) {
    try {
      onOpen({ ...(await client.call('draft:load', { id })), draftId: id });
    } catch (caught) {
      setError(messageOf(caught));
    }
  }

  async function remove(id: string) {
    try {
      await client.call('draft:delete', { id });
      await refresh();
    } catch (caught) {
      setError(messageOf(caught));
    }
  }

  return (
    <section className="contacts" aria-labelledby="drafts-title">
      <h2 id="drafts-title">Local drafts</h2>
      <p className="hint">
        Drafts saved in the composer are stored encrypted on this computer only. A Drafts folder in
        the folder list is the mail server&apos;s folder, which other mail programs fill.
      </p>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {drafts !== null && drafts.length === 0 && <p className="hint">No drafts.</p>}
      {drafts !== null && drafts.length > 0 && (
        <table>
          <thead>
            <tr>
              <th scope="col">Subject</th>
              <th scope="col">To</th>
              <th scope="col">Saved</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {drafts.map((draft) => (
              <tr key={draft.id}>
                <td>{draft.subject || '(no subject)'}</td>
                <td>{draft.to.join(', ') || '-'}</td>
                <td>{new Date(draft.savedAt).toLocaleString()}</td>
                <td>
                  <button
                    type="button"
                    aria-label={`Open draft ${draft.subject || '(no subject)'}`}
                    onClick={() => void open(draft.id)}
                  >
                    Open
                  </button>{' '}
                  <button
                    type="button"
                    aria-label={`Delete draft ${draft.subject || '(no subject)'}`}
                    onClick={() => void remove(draft.id)}
                  >
                    Delete
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
