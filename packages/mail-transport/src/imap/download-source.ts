// Streams the whole of one message (RFC 9051 section 6.4.5, UID FETCH BODY.PEEK[]<offset.length>
// in chunks, through imapflow's download()), so a message of hundreds of megabytes is never held
// in memory. The consumer reads the stream while the mailbox lock is held.

import type { ImapFlow } from 'imapflow';

/** Bytes asked per partial FETCH: few round trips, and one chunk in memory at a time. */
const DOWNLOAD_CHUNK_BYTES = 1024 * 1024;

/**
 * Downloads message `uid` of the selected mailbox and hands its bytes to `consume`, which must
 * read them to the end. Returns false when the server has no such message (expunged).
 */
export async function downloadSource(
  client: ImapFlow,
  uid: number,
  consume: (source: AsyncIterable<Uint8Array>) => Promise<void>,
): Promise<boolean> {
  const { content } = await client.download(String(uid), undefined, {
    uid: true,
    chunkSize: DOWNLOAD_CHUNK_BYTES,
  });
  if (!content) return false;
  try {
    await consume(content as AsyncIterable<Uint8Array>);
  } finally {
    // A consumer that stopped early (a full disk) leaves no FETCH running on the connection.
    content.destroy();
  }
  return true;
}
