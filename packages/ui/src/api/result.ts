// The envelope every MailApi call resolves to across IPC and the WebSocket: a value or a coded
// error, never a thrown exception, because neither transport keeps an Error's fields intact.

export interface ApiError {
  /** Stable SCREAMING_SNAKE code, e.g. INVALID_ARGUMENT or IMAP_AUTH_FAILED. */
  code: string;
  message: string;
  /** The outbox entry that contains the message, when a send failed after queuing it. */
  outboxId?: number;
}

export type ApiResult<T> = { ok: true; value: T } | { ok: false; error: ApiError };

/** An error with a stable code, raised by the validation layer and by the renderer's client. */
export class MailApiError extends Error {
  readonly code: string;
  /** The outbox entry that contains the message, when a send failed after queuing it. */
  readonly outboxId: number | undefined;

  constructor(code: string, message: string, options?: { cause?: unknown; outboxId?: number }) {
    super(message, options);
    this.name = 'MailApiError';
    this.code = code;
    this.outboxId = options?.outboxId;
  }
}

/**
 * Converts any thrown value into an ApiError, keeping a coded error's code and message, and the
 * outbox entry of a send that failed after queuing.
 */
export function toApiError(error: unknown): ApiError {
  if (error instanceof Error && 'code' in error && typeof error.code === 'string') {
    if (/^[A-Z][A-Z0-9_]+$/.test(error.code)) {
      const outboxId = 'outboxId' in error ? error.outboxId : undefined;
      return {
        code: error.code,
        message: error.message,
        ...(typeof outboxId === 'number' ? { outboxId } : {}),
      };
    }
  }
  // NOTE: uncoded errors may carry internals (paths, SQL), so only a generic message leaves.
  return { code: 'INTERNAL_ERROR', message: 'An internal error occurred; see the Sealpost log.' };
}
