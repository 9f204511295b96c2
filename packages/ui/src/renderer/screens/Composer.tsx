// The composer: To, Cc and Bcc with each recipient's key status, the mode that core will use
// for this recipient set (shown before sending), attachments, drafts sealed by core, and
// sending without encryption only after an explicit confirmation.

import { useEffect, useState } from 'react';
import type { DraftContent, SendOutcome, SendPlan } from '../../api/types.ts';
import type { MailApiClient } from '../api-client.ts';
import { messageOf } from '../api-client.ts';
import { ConfirmDialog } from '../components/ConfirmDialog.tsx';

interface Attachment {
  filename: string;
  contentType: string;
  contentBase64: string;
  size: number;
}

const STATUS_WORDS = {
  'key-known': { label: 'key known', className: 'ok' },
  'key-missing': { label: 'key missing', className: 'bad' },
  'key-changed': { label: 'key changed: check with them', className: 'warn' },
} as const;

function splitAddresses(value: string): string[] {
  return value
    .split(/[,;\s]+/)
    .map((part) => part.trim())
    .filter((part) => part.length > 0);
}

export function Composer(props: {
  client: MailApiClient;
  initial: Partial<DraftContent> & { draftId?: string | null };
  onClose: (sent: SendOutcome | null) => void;
}) {
  const { client } = props;
  const [to, setTo] = useState((props.initial.to ?? []).join(', '));
  const [cc, setCc] = useState((props.initial.cc ?? []).join(', '));
  const [bcc, setBcc] = useState((props.initial.bcc ?? []).join(', '));
  const [subject, setSubject] = useState(props.initial.subject ?? '');
  const [text, setText] = useState(props.initial.text ?? '');
  const [attachments, setAttachments] = useState<Attachment[]>([]);
  const [draftId, setDraftId] = useState<string | null>(props.initial.draftId ?? null);
  const [plan, setPlan] = useState<SendPlan | null>(null);
  const [planError, setPlanError] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [info, setInfo] = useState<string | null>(null);
  const [confirmPlaintext, setConfirmPlaintext] = useState(false);
  const [busy, setBusy] = useState(false);

  const recipients = {
    from: null,
    to: splitAddresses(to),
    cc: splitAddresses(cc),
    bcc: splitAddresses(bcc),
  };
  const recipientKey = JSON.stringify(recipients);

  useEffect(() => {
    const current = JSON.parse(recipientKey) as typeof recipients;
    if (current.to.length + current.cc.length + current.bcc.length === 0) {
      setPlan(null);
      setPlanError(null);
      return;
    }
    let active = true;
    const timer = setTimeout(() => {
      client
        .call('mail:plan', current)
        .then((next) => {
          if (!active) return;
          setPlan(next);
          setPlanError(null);
        })
        .catch((caught: unknown) => {
          if (!active) return;
          setPlan(null);
          setPlanError(messageOf(caught));
        });
    }, 250);
    return () => {
      active = false;
      clearTimeout(timer);
    };
  }, [client, recipientKey]);

  async function addFiles(files: FileList | null) {
    for (const file of Array.from(files ?? [])) {
      const bytes = new Uint8Array(await file.arrayBuffer());
      let binary = '';
      for (const byte of bytes) binary += String.fromCharCode(byte);
      setAttachments((current) => [
        ...current,
        {
          filename: file.name,
          contentType: file.type || 'application/octet-stream',
          contentBase64: btoa(binary),
          size: bytes.length,
        },
      ]);
    }
  }

  function draft(): DraftContent {
    return { ...recipients, subject, text };
  }

  async function saveDraft() {
    setError(null);
    try {
      const saved = await client.call('draft:save', { id: draftId, draft: draft() });
      setDraftId(saved.id);
      setInfo('Draft saved, encrypted on this computer.');
    } catch (caught) {
      setError(messageOf(caught));
    }
  }

  async function send(allowPlaintext: boolean) {
    setConfirmPlaintext(false);
    setBusy(true);
    setError(null);
    try {
      const outcome = await client.call('mail:send', {
        ...draft(),
        attachments: attachments.map(({ filename, contentType, contentBase64 }) => ({
          filename,
          contentType,
          contentBase64,
        })),
        allowPlaintext,
      });
      if (draftId) await client.call('draft:delete', { id: draftId });
      props.onClose(outcome);
    } catch (caught) {
      setError(messageOf(caught));
    } finally {
      setBusy(false);
    }
  }

  function requestSend() {
    if (plan?.mode === 'openpgp' || plan?.mode === 'ratchet') void send(false);
    else setConfirmPlaintext(true);
  }

  return (
    <section className="composer" aria-labelledby="composer-title">
      <h2 id="composer-title">New message</h2>
      <AddressField id="compose-to" label="To" value={to} onChange={setTo} />
      <AddressField id="compose-cc" label="Cc" value={cc} onChange={setCc} />
      <AddressField id="compose-bcc" label="Bcc" value={bcc} onChange={setBcc} />
      {plan && (
        <div
          className="recipient-status"
          aria-label="Recipient keys"
          data-testid="recipient-status"
        >
          {plan.recipients.map((recipient) => {
            const words = STATUS_WORDS[recipient.status];
            return (
              <span
                key={recipient.address}
                className={`badge ${words.className}`}
                title={recipient.fingerprint ?? 'no key'}
              >
                {recipient.address}: {words.label}
              </span>
            );
          })}
        </div>
      )}
      {plan?.warnings && plan.warnings.length > 0 && (
        <ul className="plan-warnings" aria-label="Warnings" data-testid="plan-warnings">
          {plan.warnings.map((warning) => (
            <li key={warning} className="error">
              {warning}
            </li>
          ))}
        </ul>
      )}
      {planError && <p className="error">{planError}</p>}
      <label htmlFor="compose-subject">Subject</label>
      <input
        id="compose-subject"
        value={subject}
        onChange={(event) => setSubject(event.target.value)}
      />
      <p className="hint">The subject travels inside the encryption; servers see only “[...]”.</p>
      <label htmlFor="compose-body">Message</label>
      <textarea
        id="compose-body"
        rows={12}
        value={text}
        onChange={(event) => setText(event.target.value)}
      />
      <label htmlFor="compose-attach">Attachments</label>
      <input
        id="compose-attach"
        type="file"
        multiple
        onChange={(event) => void addFiles(event.target.files)}
      />
      {attachments.length > 0 && (
        <ul aria-label="Attached files">
          {attachments.map((attachment, index) => (
            <li key={`${index}-${attachment.filename}`}>
              {attachment.filename} ({attachment.size} bytes){' '}
              <button
                type="button"
                aria-label={`Remove ${attachment.filename}`}
                onClick={() => setAttachments((current) => current.filter((_, i) => i !== index))}
              >
                Remove
              </button>
            </li>
          ))}
        </ul>
      )}
      {plan && (
        <p
          className={`mode ${plan.mode === 'signed-plaintext' ? 'error' : 'success'}`}
          data-testid="send-mode"
          role="status"
        >
          {plan.mode === 'ratchet'
            ? 'Will be sent encrypted in ratchet mode (forward secrecy) to every recipient.'
            : plan.mode === 'openpgp'
              ? 'Will be sent encrypted and signed (OpenPGP) to every recipient.'
              : 'Warning: will be sent NOT encrypted (signed only), because a recipient key is missing.'}
        </p>
      )}
      {info && (
        <p className="success" role="status">
          {info}
        </p>
      )}
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      <div className="actions">
        <button className="primary" type="button" disabled={busy || !plan} onClick={requestSend}>
          {busy ? 'Sending…' : 'Send'}
        </button>
        <button type="button" onClick={() => void saveDraft()} disabled={busy}>
          Save draft
        </button>
        <button type="button" onClick={() => props.onClose(null)} disabled={busy}>
          Discard
        </button>
      </div>
      {confirmPlaintext && plan && (
        <ConfirmDialog
          title="Send without encryption?"
          confirmLabel="Send unencrypted"
          danger
          onConfirm={() => void send(true)}
          onCancel={() => setConfirmPlaintext(false)}
        >
          <p>
            No key is known for{' '}
            {plan.recipients
              .filter((recipient) => recipient.status === 'key-missing')
              .map((recipient) => recipient.address)
              .join(', ')}
            . The message will be signed but readable by every server on its way.
          </p>
        </ConfirmDialog>
      )}
    </section>
  );
}

function AddressField(props: {
  id: string;
  label: string;
  value: string;
  onChange: (value: string) => void;
}) {
  return (
    <>
      <label htmlFor={props.id}>{props.label}</label>
      <input
        id={props.id}
        type="text"
        placeholder="name@example.org, …"
        value={props.value}
        onChange={(event) => props.onChange(event.target.value)}
      />
    </>
  );
}
