// The message area: HTML mail sanitized and shown in an iframe with sandbox="" (no scripts,
// forms, popups or navigation of the app) and its own deny-all CSP; plain text as text. Links
// are listed below the area and open only after the user confirms the full address. Remote
// images load only after the user clicks "Load remote images" on this message. The choice is
// kept in this component's state, so it ends with the message (the reader keys it by id).

import { useMemo, useState } from 'react';
import { ConfirmDialog } from './ConfirmDialog.tsx';
import { findTextLinks, sanitizeMailHtml } from '../sanitize.ts';

export function MessageBody(props: { html: string | null; text: string | null }) {
  const [pendingLink, setPendingLink] = useState<string | null>(null);
  const [allowRemoteImages, setAllowRemoteImages] = useState(false);
  const sanitized = useMemo(
    () => (props.html !== null ? sanitizeMailHtml(props.html, { allowRemoteImages }) : null),
    [props.html, allowRemoteImages],
  );
  const links = sanitized ? sanitized.links : findTextLinks(props.text ?? '');

  function openLink(url: string) {
    setPendingLink(null);
    // noopener: the opened page gets no handle on the app window.
    window.open(url, '_blank', 'noopener,noreferrer');
  }

  return (
    <>
      <p className="message-caption">Message content (written by the sender)</p>
      <div className="message-area" data-testid="message-area">
        {sanitized ? (
          <iframe
            title="Message content"
            sandbox=""
            data-remote-images={allowRemoteImages ? 'allowed' : 'blocked'}
            srcDoc={sanitized.srcdoc}
            referrerPolicy="no-referrer"
          />
        ) : (
          <pre>{props.text ?? ''}</pre>
        )}
      </div>
      {sanitized && !allowRemoteImages && sanitized.blockedRemote > 0 && (
        <p className="notice message-caption" data-testid="remote-blocked">
          {sanitized.blockedRemote} remote image(s) or style(s) were blocked so the sender cannot
          see when you read this message.{' '}
          <button type="button" className="link-button" onClick={() => setAllowRemoteImages(true)}>
            Load remote images
          </button>
        </p>
      )}
      {sanitized && allowRemoteImages && (
        <p className="notice message-caption" data-testid="remote-allowed">
          {sanitized.allowedRemote} remote image(s) loaded over HTTPS for this message only; their
          servers can see that you read it. Scripts, styles and other content stay blocked.
        </p>
      )}
      {links.length > 0 && (
        <nav className="links" aria-label="Links in this message">
          <strong>Links in this message</strong>
          <ul>
            {links.map((link, index) => (
              <li key={`${index}-${link}`}>
                <button type="button" className="link-button" onClick={() => setPendingLink(link)}>
                  {link}
                </button>
              </li>
            ))}
          </ul>
        </nav>
      )}
      {pendingLink && (
        <ConfirmDialog
          title="Open this link?"
          confirmLabel="Open link"
          onConfirm={() => openLink(pendingLink)}
          onCancel={() => setPendingLink(null)}
        >
          <p>The link leads to:</p>
          <p className="fingerprint" data-testid="pending-link">
            {pendingLink}
          </p>
          <p className="hint">Opening it tells that server that you read this message.</p>
        </ConfirmDialog>
      )}
    </>
  );
}
