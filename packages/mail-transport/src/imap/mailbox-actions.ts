// Changes the app makes to messages on the server: UID STORE of flags (RFC 9051 section
// 6.4.6), UID MOVE (RFC 6851) with the COPYUID mapping of UIDPLUS (RFC 4315), \Deleted plus
// UID EXPUNGE, a UID SEARCH by Message-ID, and IDLE (RFC 2177) until the mailbox changes.
// Every action is idempotent, so replaying one after a dropped connection is safe.

import type { ImapFlow } from 'imapflow';

export interface MoveResult {
  /** UIDVALIDITY of the target folder, when the server sent COPYUID. */
  uidValidity: number | null;
  /** UID in the target folder per source UID, empty without COPYUID. */
  uidMap: Map<number, number>;
}

export async function storeFlags(
  client: ImapFlow,
  uids: readonly number[],
  change: { add: string[]; remove: string[] },
): Promise<void> {
  const range = uids.join(',');
  if (change.add.length > 0) await client.messageFlagsAdd(range, change.add, { uid: true });
  if (change.remove.length > 0)
    await client.messageFlagsRemove(range, change.remove, { uid: true });
}

export async function moveMessages(
  client: ImapFlow,
  uids: readonly number[],
  targetPath: string,
): Promise<MoveResult> {
  const result = await client.messageMove(uids.join(','), targetPath, { uid: true });
  if (!result) return { uidValidity: null, uidMap: new Map() };
  return {
    uidValidity: result.uidValidity === undefined ? null : Number(result.uidValidity),
    uidMap: result.uidMap ?? new Map(),
  };
}

/** Sets \Deleted and expunges only these UIDs (UID EXPUNGE when the server has UIDPLUS). */
export async function expungeMessages(client: ImapFlow, uids: readonly number[]): Promise<void> {
  await client.messageDelete(uids.join(','), { uid: true });
}

/** Returns the UIDs of messages whose Message-ID header contains `messageId`. */
export async function searchMessageId(client: ImapFlow, messageId: string): Promise<number[]> {
  if (client.mailbox && client.mailbox.exists === 0) return [];
  const found = await client.search({ header: { 'message-id': messageId } }, { uid: true });
  return found || [];
}

/**
 * Waits in IDLE until the server reports a new, expunged or changed message, `timeoutMs`
 * passes or `signal` aborts. Returns true when the mailbox changed.
 */
export async function idleUntilChange(
  client: ImapFlow,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<boolean> {
  // An abort before this point fires no event that the listener below could catch.
  if (signal?.aborted) return false;
  let changed = false;
  let wake: () => void = () => {};
  const woken = new Promise<void>((resolve) => {
    wake = resolve;
  });
  const onChange = (): void => {
    changed = true;
    wake();
  };
  const timer = setTimeout(wake, timeoutMs);
  signal?.addEventListener('abort', wake, { once: true });
  client.on('exists', onChange);
  client.on('expunge', onChange);
  client.on('flags', onChange);
  try {
    const idling = client.idle();
    await Promise.race([woken, idling]);
    // Any command ends IDLE with DONE first; NOOP is the one with no other effect.
    if (client.usable) await client.noop();
    await idling;
    return changed;
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener('abort', wake);
    client.off('exists', onChange);
    client.off('expunge', onChange);
    client.off('flags', onChange);
  }
}
