// Body fetch for large messages: a message whose RFC822.SIZE is LARGE_MESSAGE_MIN_BYTES or
// more is streamed from the server (RFC 9051 partial UID FETCH BODY.PEEK[]) into an encrypted
// message file (MessageFiles) instead of the message_raw row, so memory stays bounded. The
// file is complete and flushed before the row that refers to it commits, so a crash leaves at
// most a file without a row, which a later sync deletes, and the message is fetched again.

import type { Folder } from '@sealpost/storage';
import { classifyMessage, type MessageClassification } from '@sealpost/mail-transport';
import { messageFilesOf, type EncryptedMessageFile, type MessageFiles } from '../message-files.ts';
import type { FolderSyncContext } from './folder-sync.ts';

/** Messages of this RFC822.SIZE or more are stored in an encrypted file. */
export const LARGE_MESSAGE_MIN_BYTES = 8 * 1024 * 1024;

/** Large messages listed at a time. Each is downloaded and stored on its own. */
const LARGE_LIST_SIZE = 100;

/**
 * Downloads every large message of `folder` that has only its headers into an encrypted file,
 * one at a time, and links the file to the message's row. Deletes files that no message
 * refers to first. Returns the number of messages stored.
 */
export async function fetchLargeBodies(
  context: FolderSyncContext,
  folder: Folder,
): Promise<number> {
  const { store } = context;
  const pending = store.messageFiles.listLargeBodyPending(
    folder.id,
    LARGE_MESSAGE_MIN_BYTES,
    LARGE_LIST_SIZE,
  );
  // A store in memory (tests) has no data folder, and with nothing to fetch it needs none.
  if (pending.length === 0 && store.path === ':memory:') return 0;
  const files = messageFilesOf(store);
  const removed = await files.removeOrphans(store.messageFiles.listNames());
  if (removed.length > 0) {
    context.log.info({ count: removed.length }, 'deleted message files without a message');
  }

  let stored = 0;
  for (const [index, message] of pending.entries()) {
    if (await fetchLargeBody(context, folder, files, message)) stored += 1;
    context.onProgress({
      account: context.account.email,
      folder: folder.path,
      phase: 'bodies',
      done: index + 1,
      total: pending.length,
    });
  }
  // More than one list's worth: the next call takes the rest.
  if (pending.length === LARGE_LIST_SIZE) stored += await fetchLargeBodies(context, folder);
  return stored;
}

async function fetchLargeBody(
  context: FolderSyncContext,
  folder: Folder,
  files: MessageFiles,
  message: { id: number; uid: number },
): Promise<boolean> {
  const { store } = context;
  let file: EncryptedMessageFile | null = null;
  const found = await context.session.downloadSource(folder.path, message.uid, async (source) => {
    file = await files.write(source);
  });
  const written = file as EncryptedMessageFile | null;
  if (!found || written === null) {
    // The server no longer has the UID: it was expunged meanwhile, so the headers go too.
    const { uidValidity } = store.folders.get(folder.id)!;
    if (uidValidity !== null) store.messageSync.removeByUids(folder.id, uidValidity, [message.uid]);
    return false;
  }

  try {
    if (!store.messageFiles.complete(message.id, written)) {
      files.remove(written.name);
      return false;
    }
  } catch (error) {
    files.remove(written.name);
    throw error;
  } finally {
    written.key.fill(0);
  }
  context.log.info(
    { messageId: message.id, uid: message.uid, bytes: written.size },
    'stored a large message in an encrypted file',
  );

  const classified = classifyHeaderSection(store.messages.getRaw(message.id));
  if (classified) await context.onBodyStored(message.id, classified);
  return true;
}

/**
 * Reads the Autocrypt headers and From address from the stored header section. The
 * Content-Type is left out, because a multipart type without its body parts is malformed.
 */
function classifyHeaderSection(header: Uint8Array): MessageClassification | null {
  const text = Buffer.from(header).toString('latin1');
  const withoutContentType = text.replace(/^content-type:.*\r?\n(?:[ \t].*\r?\n)*/gim, '');
  try {
    return classifyMessage(Buffer.from(withoutContentType, 'latin1'));
  } catch {
    return null;
  }
}
