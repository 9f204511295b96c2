// The validation layer shared by the Electron main process and the browser shell: checks that
// a channel names a MailApi method and that its argument matches the method's request schema,
// before anything reaches core. Unknown keys are rejected, not dropped.

import type { z } from 'zod';
import { MAIL_API_METHODS, MAIL_API_REQUESTS } from './contract.ts';
import type { MailApiMethod, MailApiRequest } from './contract.ts';
import { MailApiError } from './result.ts';

const METHOD_SET = new Set<string>(MAIL_API_METHODS);

export function isMailApiMethod(value: unknown): value is MailApiMethod {
  return typeof value === 'string' && METHOD_SET.has(value);
}

/** Returns the validated request of `method`, or raises INVALID_ARGUMENT naming each bad field. */
export function validateRequest<M extends MailApiMethod>(
  method: M,
  argument: unknown,
): MailApiRequest<M> {
  const schema: z.ZodType = MAIL_API_REQUESTS[method];
  const parsed = schema.safeParse(argument);
  if (parsed.success) return parsed.data as MailApiRequest<M>;

  const problems = parsed.error.issues.map((issue) => {
    const where = issue.path.length > 0 ? issue.path.join('.') : 'argument';
    return `${where}: ${issue.message}`;
  });
  throw new MailApiError(
    'INVALID_ARGUMENT',
    `Invalid argument for ${method}: ${problems.join('; ')}.`,
  );
}

/** Raises UNKNOWN_METHOD unless `channel` is a MailApi method. */
export function requireMailApiMethod(channel: unknown): MailApiMethod {
  if (!isMailApiMethod(channel)) {
    throw new MailApiError(
      'UNKNOWN_METHOD',
      `Unknown MailApi method ${JSON.stringify(channel)}; expected one of ${MAIL_API_METHODS.join(', ')}.`,
    );
  }
  return channel;
}
