// Errors of the sync engine and the message actions, with a stable SCREAMING_SNAKE `code`.

export type SyncErrorCode =
  'MESSAGE_NOT_ON_SERVER' | 'MESSAGE_BODY_MISSING' | 'FOLDER_NOT_FOUND' | 'INVALID_ARGUMENT';

export class SyncError extends Error {
  readonly code: SyncErrorCode;

  constructor(code: SyncErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SyncError';
    this.code = code;
  }
}
