// The error envelope across IPC: a coded error keeps its code, message and the outbox entry of
// a send that failed after queuing, and an uncoded error reveals nothing of itself.

import { describe, expect, it } from 'vitest';
import { MailApiError, toApiError } from '../src/api/result.ts';

class QueuedSendError extends Error {
  readonly code = 'SMTP_CONNECTION_FAILED';
  constructor(readonly outboxId: number) {
    super('Connection refused. The message is kept in the outbox.');
  }
}

describe('toApiError', () => {
  it('keeps code and message', () => {
    expect(toApiError(new MailApiError('INVALID_ARGUMENT', 'Bad address.'))).toEqual({
      code: 'INVALID_ARGUMENT',
      message: 'Bad address.',
    });
  });

  it('keeps the outbox entry of a queued send', () => {
    expect(toApiError(new QueuedSendError(7))).toEqual({
      code: 'SMTP_CONNECTION_FAILED',
      message: 'Connection refused. The message is kept in the outbox.',
      outboxId: 7,
    });
  });

  it('hides an uncoded error', () => {
    const error = toApiError(new Error('SQLITE_BUSY at /home/user/.sealpost'));
    expect(error.code).toBe('INTERNAL_ERROR');
    expect(error.message).not.toContain('/home/user');
    expect(error).not.toHaveProperty('outboxId');
  });
});
