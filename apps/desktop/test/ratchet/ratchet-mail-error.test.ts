// explainReceiveFailure: the next step named for a ratchet message that no kept session or
// prekey can read. The sender keeps their old session until our next message arrives, so the
// message must point the reader to writing first or to an OpenPGP resend.

import { RatchetError } from '@sealpost/crypto-core';
import { describe, expect, it } from 'vitest';
import {
  explainReceiveFailure,
  RatchetMailError,
} from '../../src/core/ratchet/ratchet-mail-error.ts';

describe('explainReceiveFailure', () => {
  for (const code of ['HEADER_DECRYPT_FAILED', 'PREKEY_NOT_FOUND'] as const) {
    it(`names the next step for ${code}`, () => {
      const cause = new RatchetError(code, 'Ask the sender to write again.');
      const error = explainReceiveFailure(cause, 7);

      expect(error).toBeInstanceOf(RatchetMailError);
      const message = (error as RatchetMailError).message;
      expect((error as RatchetMailError).code).toBe(code);
      expect((error as RatchetMailError).cause).toBe(cause);
      expect(message).toContain('Ratchet message 7 belongs to no session');
      expect(message).toContain('Write to the sender first');
      expect(message).toContain('sealpost send --openpgp');
      expect(message).toContain('The message stays stored as received.');
      expect(message).not.toMatch(/write again/i);
    });
  }
});
