// The split of a core notice into its plain sentence and the bracketed cause that the first-run
// screen puts behind "Details", checked on the notice core writes when the keychain fails.

import { describe, expect, it } from 'vitest';
import { splitNoticeDetail } from '../src/renderer/components/NoticeText.tsx';

const KEYCHAIN_ERROR =
  'Cannot write the keychain entry "probe" in the Secret Service (org.freedesktop.DBus.Error.ServiceUnknown: ' +
  'The name is not activatable). Start and unlock a Secret Service keyring (gnome-keyring or ' +
  'KeePassXC), or set up Sealpost with --passphrase-file on a machine without one.';

describe('notice detail split', () => {
  it('moves a nested cause out', () => {
    const { text, detail } = splitNoticeDetail(
      `No OS keychain is available (${KEYCHAIN_ERROR}). Your keys are protected by the ` +
        'Sealpost passphrase instead, which Sealpost will ask for each time it starts.',
    );
    expect(text).toBe(
      'No OS keychain is available. Your keys are protected by the Sealpost passphrase ' +
        'instead, which Sealpost will ask for each time it starts.',
    );
    expect(detail).toBe(KEYCHAIN_ERROR);
  });

  it('keeps a notice without brackets', () => {
    const notice =
      'Your keys moved to the OS keychain; Sealpost no longer asks for the passphrase.';
    expect(splitNoticeDetail(notice)).toEqual({ text: notice, detail: null });
  });

  it('keeps unbalanced brackets whole', () => {
    const notice = 'Keychain failed (no closing bracket. Try again.';
    expect(splitNoticeDetail(notice)).toEqual({ text: notice, detail: null });
  });
});
