// Folder listing with the SPECIAL-USE attributes of RFC 6154 (LIST attributes such as \Sent
// and \Trash). imapflow marks INBOX as \Inbox; attributes outside SPECIAL_USES become null.
// Also folder creation: CREATE then SUBSCRIBE (RFC 9051 sections 6.3.4 and 6.3.7).

import type { ImapFlow } from 'imapflow';

import { toImapCommandError } from './imap-errors.ts';

export type SpecialUse =
  '\\Inbox' | '\\Sent' | '\\Drafts' | '\\Trash' | '\\Junk' | '\\Archive' | '\\All' | '\\Flagged';

const SPECIAL_USES: ReadonlyArray<string> = [
  '\\Inbox',
  '\\Sent',
  '\\Drafts',
  '\\Trash',
  '\\Junk',
  '\\Archive',
  '\\All',
  '\\Flagged',
];

export interface Folder {
  path: string;
  name: string;
  delimiter: string;
  specialUse: SpecialUse | null;
}

/** Lists every folder with its SPECIAL-USE attribute (INBOX gets '\\Inbox'). */
export async function listFolders(client: ImapFlow): Promise<Folder[]> {
  try {
    const folders = await client.list();
    return folders.map((folder) => ({
      path: folder.path,
      name: folder.name,
      delimiter: folder.delimiter,
      specialUse:
        folder.specialUse && SPECIAL_USES.includes(folder.specialUse)
          ? (folder.specialUse as SpecialUse)
          : null,
    }));
  } catch (error) {
    throw toImapCommandError(error, 'LIST', null);
  }
}

/**
 * Creates folder `path` and subscribes to it, so clients that show only subscribed folders
 * list it too. imapflow adds the personal namespace prefix when the server has one, and the
 * returned path includes it. `created` is false when the folder already existed, which is not
 * an error. imapflow 2.10 already sends SUBSCRIBE after a successful CREATE; the SUBSCRIBE here
 * also covers a folder that existed. imapflow reports a rejected SUBSCRIBE as false instead of
 * raising, so `subscribed` carries that outcome.
 */
export async function createFolder(
  client: ImapFlow,
  path: string,
): Promise<{ path: string; created: boolean; subscribed: boolean }> {
  let result: { path: string; created: boolean };
  try {
    result = await client.mailboxCreate(path);
  } catch (error) {
    throw toImapCommandError(error, 'CREATE', path);
  }
  let subscribed: boolean;
  try {
    subscribed = await client.mailboxSubscribe(result.path);
  } catch (error) {
    throw toImapCommandError(error, 'SUBSCRIBE', result.path);
  }
  return { path: result.path, created: result.created, subscribed };
}
