// Folder listing with the SPECIAL-USE attributes of RFC 6154 (LIST attributes such as \Sent
// and \Trash). imapflow marks INBOX as \Inbox; attributes outside SPECIAL_USES become null.

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
