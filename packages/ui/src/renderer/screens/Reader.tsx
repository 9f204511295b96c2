// The reader: decrypts and verifies the selected message through core, then shows the app's
// security status, the real (protected) headers, the message area and the attachments, which
// are fetched and saved only when the user asks for one.

import { useEffect, useState } from 'react';
import type { MessageView } from '../../api/types.ts';
import type { MailApiClient } from '../api-client.ts';
import { messageOf } from '../api-client.ts';
import { MessageBody } from '../components/MessageBody.tsx';
import { SecurityStatus } from '../components/SecurityStatus.tsx';
import { formatByteSize } from '../byte-size.ts';

/** Subjects longer than this start clamped to three lines, with a button to show them in full. */
const LONG_SUBJECT_CHARS = 200;

export function Reader(props: {
  client: MailApiClient;
  messageId: number | null;
  onLoaded: (message: MessageView) => void;
}) {
  const { client, messageId, onLoaded } = props;
  const [message, setMessage] = useState<MessageView | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    setMessage(null);
    setError(null);
    if (messageId === null) return;
    let current = true;
    client
      .call('mail:read', { id: messageId })
      .then((view) => {
        if (!current) return;
        setMessage(view);
        onLoaded(view);
      })
      .catch((caught: unknown) => current && setError(messageOf(caught)));
    return () => {
      current = false;
    };
  }, [client, messageId, onLoaded]);

  async function save(index: number) {
    try {
      const attachment = await client.call('mail:attachment', { id: messageId!, index });
      const bytes = Uint8Array.from(atob(attachment.contentBase64), (c) => c.charCodeAt(0));
      const url = URL.createObjectURL(new Blob([bytes], { type: 'application/octet-stream' }));
      const link = document.createElement('a');
      link.href = url;
      link.download = attachment.filename;
      link.click();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    } catch (caught) {
      setError(messageOf(caught));
    }
  }

  if (messageId === null) {
    return (
      <section className="reader" aria-label="Reader">
        <p className="empty">Select a message to read it.</p>
      </section>
    );
  }
  return (
    <section className="reader" aria-label="Reader">
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {!message && !error && <p className="empty">Decrypting and verifying…</p>}
      {message && (
        <>
          <SecurityStatus message={message} />
          <header className="headers">
            <Subject key={message.id} subject={message.subject} />
            <dl>
              <dt>From</dt>
              <dd>{message.from ?? '-'}</dd>
              <dt>To</dt>
              <dd>{[...message.to, ...message.cc].join(', ') || '-'}</dd>
              <dt>Date</dt>
              <dd>{message.date ? new Date(message.date).toLocaleString() : '-'}</dd>
            </dl>
          </header>
          <MessageBody key={message.id} html={message.html} text={message.text} />
          {message.attachments.length > 0 && (
            <section className="attachments" aria-label="Attachments">
              <strong>Attachments</strong>
              <ul>
                {message.attachments.map((attachment) => (
                  <li key={attachment.index}>
                    {attachment.filename} ({formatByteSize(attachment.size)}){' '}
                    <button
                      type="button"
                      aria-label={`Save ${attachment.filename}`}
                      onClick={() => void save(attachment.index)}
                    >
                      Save
                    </button>
                  </li>
                ))}
              </ul>
            </section>
          )}
        </>
      )}
    </section>
  );
}

/** Renders the subject heading, which wraps anywhere so no subject widens the pane, and clamps long ones. */
function Subject({ subject }: { subject: string | null }) {
  const long = (subject?.length ?? 0) > LONG_SUBJECT_CHARS;
  const [expanded, setExpanded] = useState(false);
  return (
    <>
      <h2 data-testid="reader-subject" className={long && !expanded ? 'clamped' : undefined}>
        {subject ?? '(no subject)'}
      </h2>
      {long && (
        <button type="button" className="link-button" onClick={() => setExpanded(!expanded)}>
          {expanded ? 'Show less of the subject' : 'Show the full subject'}
        </button>
      )}
    </>
  );
}
