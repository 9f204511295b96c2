// The search bar above the message list: full-text words plus the filters core's search
// supports (sender, this folder only, with attachments, encrypted, signed). Enter runs the
// search through `mail:search`; Escape clears it and shows the folder again. Encrypted mail
// matches on its decrypted text only after it was opened once, because only then is it indexed.

import { useState } from 'react';
import type { FormEvent, Ref } from 'react';
import type { MessageSummary, SearchHit } from '../../api/types.ts';
import type { MailApiClient } from '../api-client.ts';
import { messageOf } from '../api-client.ts';

/** Most results one search shows; core returns the newest first. */
const SEARCH_LIMIT = 500;

/** Returns a list row for a search hit, whose signature status is null until it is read. */
export function summaryOfHit(hit: SearchHit): MessageSummary {
  return {
    id: hit.id,
    account: hit.account,
    folder: hit.folder,
    date: hit.date,
    from: hit.from,
    subject: hit.subject,
    encrypted: hit.mode !== null,
    mode: hit.mode,
    signature: hit.signature ?? null,
    decryptionFailed: false,
    unread: hit.unread,
    flagged: hit.flagged,
  };
}

export function SearchBar(props: {
  client: MailApiClient;
  folder: { account: string; path: string } | null;
  inputRef: Ref<HTMLInputElement>;
  onResults: (results: MessageSummary[] | null) => void;
  onError: (message: string) => void;
}) {
  const [text, setText] = useState('');
  const [from, setFrom] = useState('');
  const [thisFolder, setThisFolder] = useState(false);
  const [hasAttachment, setHasAttachment] = useState(false);
  const [encrypted, setEncrypted] = useState(false);
  const [signed, setSigned] = useState(false);

  async function search(event: FormEvent) {
    event.preventDefault();
    const scoped = thisFolder && props.folder !== null;
    try {
      const hits = await props.client.call('mail:search', {
        text: text.trim(),
        account: scoped ? props.folder!.account : null,
        folder: scoped ? props.folder!.path : null,
        from: from.trim() || null,
        hasAttachment: hasAttachment || null,
        encrypted: encrypted || null,
        signed: signed || null,
        limit: SEARCH_LIMIT,
      });
      props.onResults(hits.map(summaryOfHit));
    } catch (caught) {
      props.onError(messageOf(caught));
    }
  }

  function clear() {
    setText('');
    setFrom('');
    setThisFolder(false);
    setHasAttachment(false);
    setEncrypted(false);
    setSigned(false);
    props.onResults(null);
  }

  return (
    <form
      className="search"
      role="search"
      aria-label="Search mail"
      onSubmit={(event) => void search(event)}
      onKeyDown={(event) => {
        if (event.key !== 'Escape') return;
        event.preventDefault();
        clear();
        (event.target as HTMLElement).blur();
      }}
    >
      <input
        ref={props.inputRef}
        type="search"
        aria-label="Search words"
        aria-keyshortcuts="/"
        placeholder="Search mail (/)"
        value={text}
        onChange={(event) => setText(event.target.value)}
      />
      <input
        className="from"
        aria-label="From address"
        placeholder="From"
        value={from}
        onChange={(event) => setFrom(event.target.value)}
      />
      <label>
        <input
          type="checkbox"
          checked={thisFolder}
          disabled={props.folder === null}
          onChange={(event) => setThisFolder(event.target.checked)}
        />
        In {props.folder?.path ?? 'this folder'} only
      </label>
      <label>
        <input
          type="checkbox"
          checked={hasAttachment}
          onChange={(event) => setHasAttachment(event.target.checked)}
        />
        With attachments
      </label>
      <label>
        <input
          type="checkbox"
          checked={encrypted}
          onChange={(event) => setEncrypted(event.target.checked)}
        />
        Encrypted
      </label>
      <label>
        <input
          type="checkbox"
          checked={signed}
          onChange={(event) => setSigned(event.target.checked)}
        />
        Signed
      </label>
      <button type="submit">Search</button>
      <button type="button" onClick={clear}>
        Clear
      </button>
    </form>
  );
}
