// Message actions made in the app: set or clear flags (\Seen, \Flagged, \Answered, \Deleted,
// RFC 9051 section 2.3.2), move to another folder, and delete (to Trash, or for good). Each
// changes the local store and queues the server change in one transaction, so it shows at
// once, survives a restart, and reaches the server on the next connection (pending-replay.ts).

import type { Store, StoredMessage } from '@sealpost/storage';
import { CoreError } from '../errors.ts';
import { SyncError } from './sync-error.ts';

export const SYSTEM_FLAGS = ['\\Seen', '\\Flagged', '\\Answered', '\\Deleted', '\\Draft'];

export interface FlagChangeRequest {
  add?: string[];
  remove?: string[];
}

export interface ActionResult {
  /** Number of actions waiting for the server after this one. */
  queued: number;
}

export class MessageActions {
  constructor(private readonly store: Store) {}

  setFlags(id: number, request: FlagChangeRequest): ActionResult {
    const add = checkFlags(request.add ?? []);
    const remove = checkFlags(request.remove ?? []);
    if (add.some((flag) => remove.includes(flag))) {
      throw new SyncError(
        'INVALID_ARGUMENT',
        `A flag cannot be both added and removed: ${add.join(' ')}.`,
      );
    }
    const message = this.#requireServerMessage(id);
    const flags = new Set(message.flags);
    for (const flag of add) flags.add(flag);
    for (const flag of remove) flags.delete(flag);

    this.store.transaction(`change flags of message ${id}`, () => {
      this.store.messages.updateFlags(id, [...flags].sort());
      this.store.pendingActions.enqueue({
        ...serverRef(message),
        kind: 'flags',
        payload: { add, remove },
      });
    });
    return this.#result(message.accountId);
  }

  /**
   * Moves the message to the target folder at once, keeping its id. It is a local copy there
   * until the next sync moves it on the server and records its new UID (pending-replay.ts).
   */
  move(id: number, targetPath: string): ActionResult {
    const message = this.#requireServerMessage(id);
    const target = this.store.folders.getByPath(message.accountId, targetPath);
    if (!target) {
      throw new SyncError(
        'FOLDER_NOT_FOUND',
        `Folder ${JSON.stringify(targetPath)} not found; sync first, then use a folder the server lists.`,
      );
    }
    if (target.id === message.folderId) return this.#result(message.accountId);
    this.#moveAndQueue(message, target.id, target.path);
    return this.#result(message.accountId);
  }

  /** Moves the message to the Trash folder, or expunges it when `permanent` or already there. */
  delete(id: number, options: { permanent: boolean }): ActionResult {
    const message = this.#requireServerMessage(id);
    const trash = this.store.folders
      .listByAccount(message.accountId)
      .find((folder) => folder.specialUse === '\\Trash');
    if (!options.permanent && trash && trash.id !== message.folderId) {
      this.#moveAndQueue(message, trash.id, trash.path);
    } else {
      this.#removeAndQueue(message);
    }
    return this.#result(message.accountId);
  }

  #moveAndQueue(message: StoredMessage, targetId: number, targetPath: string): void {
    const ref = serverRef(message);
    this.store.transaction(`move message ${message.id}`, () => {
      this.store.messages.moveToFolder(message.id, targetId);
      // The local id goes along, so the replay can give this row the UID in the target folder.
      this.store.pendingActions.enqueue({
        ...ref,
        kind: 'move',
        payload: { targetPath, messageId: message.id },
      });
    });
  }

  #removeAndQueue(message: StoredMessage): void {
    const ref = serverRef(message);
    this.store.transaction(`expunge message ${message.id}`, () => {
      this.store.messageSync.removeByUids(ref.folderId, ref.uidValidity, [ref.uid]);
      // The local id goes along, so "read ID" can report that the message was deleted.
      this.store.pendingActions.enqueue({
        ...ref,
        kind: 'expunge',
        payload: { messageId: message.id },
      });
    });
  }

  #requireServerMessage(id: number): StoredMessage {
    const message = Number.isInteger(id) && id > 0 ? this.store.messages.get(id) : null;
    if (!message) {
      // Same code and wording as "read", so a script handles an unknown id the same way.
      throw new CoreError(
        'MESSAGE_NOT_FOUND',
        `No message with id ${id}; list messages with "sealpost list".`,
      );
    }
    if (message.uid === null || message.uidValidity === null) {
      throw new SyncError(
        'MESSAGE_NOT_ON_SERVER',
        `Message ${id} is a local copy that the server has not stored yet; sync, then try again.`,
      );
    }
    return message;
  }

  #result(accountId: number): ActionResult {
    return { queued: this.store.pendingActions.listByAccount(accountId).length };
  }
}

function serverRef(message: StoredMessage): {
  accountId: number;
  folderId: number;
  uidValidity: number;
  uid: number;
} {
  return {
    accountId: message.accountId,
    folderId: message.folderId,
    uidValidity: message.uidValidity!,
    uid: message.uid!,
  };
}

function checkFlags(flags: string[]): string[] {
  for (const flag of flags) {
    const keyword = /^[A-Za-z0-9$_.-]+$/.test(flag);
    if (!SYSTEM_FLAGS.includes(flag) && !keyword) {
      throw new SyncError(
        'INVALID_ARGUMENT',
        `Flag ${JSON.stringify(flag)} is invalid; use ${SYSTEM_FLAGS.join(', ')} or a keyword of letters and digits.`,
      );
    }
  }
  return flags;
}
