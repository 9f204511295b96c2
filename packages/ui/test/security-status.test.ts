// The reader's security status after a contact's key change. Core's words name the CLI command
// with a plain fingerprint; the app shows grouped fingerprints, which that command rejects, so
// the status points at the app's Accept new key button instead of the command.

import { renderToStaticMarkup } from 'react-dom/server';
import { createElement } from 'react';
import { describe, expect, it } from 'vitest';
import type { MessageView } from '../src/api/types.ts';
import { SecurityStatus } from '../src/renderer/components/SecurityStatus.tsx';

const NEW_KEY = '956D49FF0123456789ABCDEF0123456789ABCDEF';
const OLD_KEY = '1111222233334444555566667777888899990000';

const message: MessageView = {
  id: 1,
  from: 'bob@example.org',
  to: ['alice@example.org'],
  cc: [],
  date: null,
  subject: 'New key',
  headersProtected: true,
  encryption: { status: 'encrypted', mode: 'openpgp', decryptedWith: null, words: 'encrypted' },
  signatures: [
    {
      status: 'unknown-key',
      signerFingerprint: NEW_KEY,
      signerMatchesFrom: false,
      words:
        `signed by ${NEW_KEY}, a new key of bob@example.org that is not pinned; bob@example.org ` +
        `revoked the pinned key ${OLD_KEY}. Check ${NEW_KEY} with the sender, then run ` +
        `"sealpost contacts accept-key bob@example.org ${NEW_KEY}"`,
    },
  ],
  text: 'Hello.',
  html: null,
  attachments: [],
};

describe('SecurityStatus after a key change', () => {
  const markup = renderToStaticMarkup(createElement(SecurityStatus, { message }));

  it('points at Accept new key', () => {
    expect(markup).toContain('then accept it with “Accept new key” in Contacts and keys');
  });

  it('shows no CLI command', () => {
    expect(markup).not.toContain('sealpost contacts accept-key');
  });

  it('groups the fingerprints', () => {
    expect(markup).toContain('Check 956D 49FF 0123');
  });
});
