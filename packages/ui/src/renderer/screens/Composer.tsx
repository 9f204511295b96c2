// The composer: To, Cc and Bcc with each recipient's key status, the mode that core will use
// for this recipient set (shown before sending), attachments, drafts sealed by core, and
// sending without encryption only after an explicit confirmation.

import { useEffect, useState } from 'react';
import type { AttachmentContent, DraftContent, SendOutcome, SendPlan } from '../../api/types.ts';
import type { MailApiClient } from '../api-client.ts';
import { messageOf } from '../api-client.ts';
import { MailApiError } from '../../api/result.ts';
import { ConfirmDialog } from '../components/ConfirmDialog.tsx';
import { formatFingerprint } from '../fingerprint.ts';
import { appWording } from '../app-wording.ts';
import { invalidAddressMessage, splitAddresses } from '../address-list.ts';
import { formatByteSize } from '../byte-size.ts';

interface Attachment extends AttachmentContent {
  size: number;
}

/** Returns the byte size that a padded base64 string decodes to. */
function decodedSize(base64: string): number {
  const padding = base64.endsWith('==') ? 2 : base64.endsWith('=') ? 1 : 0;
  return Math.floor((base64.length * 3) / 4) - padding;
}

function withSize(attachment: AttachmentContent): Attachment {
  const { filename, contentType, contentBase64 } = attachment;
  return { filename, contentType, contentBase64, size: decodedSize(contentBase64) };
}

const STATUS_WORDS = {
  'key-known': { label: 'key known', className: 'ok' },
  'key-missing': { label: 'key missing', className: 'bad' },
  'key-changed': { label: 'key changed: check with them', className: 'warn' },
} as const;

/** The composer's title: what the message starts from. */
export type ComposerHeading = 'New message' | 'Reply' | 'Forward' | 'Draft';

export function Composer(props: {
  client: MailApiClient;
  initial: Partial<DraftContent> & { draftId?: string | null };
  heading: ComposerHeading;
  onClose: (sent: SendOutcome | null) => void;
  /** Called instead of onClose when sending failed after the message was queued in the outbox. */
  onQueued: (notice: string) => void;
}) {
  const { client } = props;
  const [to, setTo] = useState((props.initial.to ?? []).join(', '));
  const [cc, setCc] = useState((props.initial.cc ?? []).join(', '));
  const [bcc, setBcc] = useState((props.initial.bcc ?? []).join(', '));
  const [subject, setSubject] = useState(props.initial.subject ?? '');
  const [text, setText] = useState(props.initial.text ?? '');
  const [attachments, setAttachments] = useState<Attachment[]>(() =>
    (props.initial.attachments ?? []).map(withSize),
  );
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
  const addressError =
    invalidAddressMessage('To', recipients.to) ??
    invalidAddressMessage('Cc', recipients.cc) ??
    invalidAddressMessage('Bcc', recipients.bcc);

  useEffect(() => {
    const current = JSON.parse(recipientKey) as typeof recipients;
    if (current.to.length + current.cc.length + current.bcc.length === 0 || addressError) {
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
  }, [client, recipientKey, addressError]);

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
    return {
      ...recipients,
      subject,
      text,
      attachments: attachments.map(({ filename, contentType, contentBase64 }) => ({
        filename,
        contentType,
        contentBase64,
      })),
    };
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

  /** Deletes the local draft of a message that was sent or queued, so it is not sent twice. */
  async function deleteSentDraft() {
    if (!draftId) return;
    // NOTE: a draft whose deletion fails stays in Local drafts until the user discards it.
    await client.call('draft:delete', { id: draftId }).catch(() => undefined);
  }

  async function send(allowPlaintext: boolean) {
    if (busy) return;
    setConfirmPlaintext(false);
    setBusy(true);
    setError(null);

    let outcome: SendOutcome;
    try {
      outcome = await client.call('mail:send', { ...draft(), allowPlaintext });
    } catch (caught) {
      // A send that failed may still have queued the message, which the outbox sends at the next
      // sync. The composer then closes, because another click on Send would queue a second copy.
      const queued = caught instanceof MailApiError && caught.outboxId !== undefined;
      if (!queued) {
        setError(messageOf(caught));
        setBusy(false);
        return;
      }
      await deleteSentDraft();
      props.onQueued(messageOf(caught));
      return;
    }

    await deleteSentDraft();
    props.onClose(outcome);
  }

  function requestSend() {
    if (plan?.mode === 'openpgp' || plan?.mode === 'ratchet') void send(false);
    else setConfirmPlaintext(true);
  }

  return (
    <section className="composer" aria-labelledby="composer-title">
      <h2 id="composer-title">{props.heading}</h2>
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
                title={
                  recipient.fingerprint === null
                    ? 'no key'
                    : formatFingerprint(recipient.fingerprint)
                }
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
              {appWording(warning)}
            </li>
          ))}
        </ul>
      )}
      {(addressError ?? planError) && (
        <p className="error" data-testid="address-error">
          {addressError ?? planError}
        </p>
      )}
      <label htmlFor="compose-subject">Subject</label>
      <input
        id="compose-subject"
        value={subject}
        onChange={(event) => setSubject(event.target.value)}
      />
      {(plan?.mode === 'openpgp' || plan?.mode === 'ratchet') && (
        <p className="hint" data-testid="subject-hint">
          The subject travels inside the encryption; servers see only “[...]”.
        </p>
      )}
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
              {attachment.filename} ({formatByteSize(attachment.size)}){' '}
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
