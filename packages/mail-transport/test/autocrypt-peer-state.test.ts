import { describe, expect, it } from 'vitest';

import {
  combineRecommendations,
  effectiveDate,
  normalizeSetupCode,
  parseSetupMessage,
  recommendForPeer,
  updatePeerGossip,
  updatePeerState,
} from '../src/index.ts';

const DAY = 24 * 60 * 60 * 1000;
const key = (byte: number) => new Uint8Array([byte]);
const header = (byte: number, preferEncrypt: 'mutual' | 'nopreference' = 'mutual') => ({
  keydata: key(byte),
  preferEncrypt,
});

describe('Autocrypt peer state', () => {
  it('uses the receipt time for a future or missing Date', () => {
    const now = new Date(10 * DAY);
    expect(effectiveDate(new Date(20 * DAY), now)).toEqual(now);
    expect(effectiveDate(null, now)).toEqual(now);
    expect(effectiveDate(new Date(5 * DAY), now)).toEqual(new Date(5 * DAY));
  });

  it('takes the header of a newer message', () => {
    const first = updatePeerState(null, { effectiveDate: new Date(DAY), header: header(1) })!;
    expect(first.publicKey).toEqual(key(1));
    expect(first.autocryptTimestamp).toEqual(new Date(DAY));
    const second = updatePeerState(first, {
      effectiveDate: new Date(2 * DAY),
      header: header(2, 'nopreference'),
    })!;
    expect(second.publicKey).toEqual(key(2));
    expect(second.preferEncrypt).toBe('nopreference');
  });

  it('ignores a message older than the last header', () => {
    const state = updatePeerState(null, { effectiveDate: new Date(5 * DAY), header: header(1) });
    expect(updatePeerState(state, { effectiveDate: new Date(DAY), header: header(2) })).toBeNull();
  });

  it('updates only last_seen for a message without header', () => {
    const state = updatePeerState(null, { effectiveDate: new Date(DAY), header: header(1) });
    const next = updatePeerState(state, { effectiveDate: new Date(3 * DAY), header: null })!;
    expect(next.lastSeen).toEqual(new Date(3 * DAY));
    expect(next.autocryptTimestamp).toEqual(new Date(DAY));
    expect(next.publicKey).toEqual(key(1));
  });

  it('keeps the newer gossip key', () => {
    const state = updatePeerGossip(null, { effectiveDate: new Date(2 * DAY), keydata: key(7) });
    expect(state?.gossipKey).toEqual(key(7));
    expect(updatePeerGossip(state, { effectiveDate: new Date(DAY), keydata: key(8) })).toBeNull();
  });
});

describe('Autocrypt recommendation', () => {
  const usable = { publicKey: true, gossipKey: true };
  const peer = (lastSeenDays: number, preferEncrypt: 'mutual' | 'nopreference') => {
    const first = updatePeerState(null, {
      effectiveDate: new Date(DAY),
      header: header(1, preferEncrypt),
    });
    return updatePeerState(first, { effectiveDate: new Date(lastSeenDays * DAY), header: null });
  };

  it('encrypts when both prefer mutual', () => {
    const result = recommendForPeer(peer(2, 'mutual'), { ownPreferEncrypt: 'mutual', usable });
    expect(result.recommendation).toBe('encrypt');
  });

  it('is available without mutual preference', () => {
    const result = recommendForPeer(peer(2, 'nopreference'), {
      ownPreferEncrypt: 'mutual',
      usable,
    });
    expect(result.recommendation).toBe('available');
  });

  it('discourages a key 36 days stale', () => {
    const result = recommendForPeer(peer(38, 'mutual'), { ownPreferEncrypt: 'mutual', usable });
    expect(result.recommendation).toBe('discourage');
  });

  it('discourages a gossip-only key and disables an unusable one', () => {
    const gossip = updatePeerGossip(null, { effectiveDate: new Date(DAY), keydata: key(3) });
    expect(recommendForPeer(gossip, { ownPreferEncrypt: 'mutual', usable }).recommendation).toBe(
      'discourage',
    );
    expect(
      recommendForPeer(peer(2, 'mutual'), {
        ownPreferEncrypt: 'mutual',
        usable: { publicKey: false, gossipKey: true },
      }).recommendation,
    ).toBe('disable');
    expect(recommendForPeer(null, { ownPreferEncrypt: 'mutual', usable }).recommendation).toBe(
      'disable',
    );
  });

  it('combines recipients by the weakest', () => {
    expect(combineRecommendations(['encrypt', 'encrypt'])).toBe('encrypt');
    expect(combineRecommendations(['encrypt', 'available'])).toBe('available');
    expect(combineRecommendations(['encrypt', 'discourage', 'available'])).toBe('discourage');
    expect(combineRecommendations(['encrypt', 'disable'])).toBe('disable');
  });
});

describe('Autocrypt Setup Message parsing', () => {
  const armored =
    '-----BEGIN PGP MESSAGE-----\r\nPassphrase-Format: numeric9x4\r\nPassphrase-Begin: 12\r\n\r\nwy4ECQMI\r\n=abcd\r\n-----END PGP MESSAGE-----\r\n';

  it('finds the block in a MIME setup message', () => {
    const raw = [
      'From: a@example.org',
      'To: a@example.org',
      'Subject: Autocrypt Setup Message',
      'Autocrypt-Setup-Message: v1',
      'MIME-Version: 1.0',
      'Content-Type: multipart/mixed; boundary="b"',
      '',
      '--b',
      'Content-Type: text/plain',
      '',
      'This message contains your Autocrypt setup data.',
      '--b',
      'Content-Type: application/autocrypt-setup',
      'Content-Disposition: attachment; filename="autocrypt-setup-message.html"',
      'Content-Transfer-Encoding: base64',
      '',
      Buffer.from(`<html><body><pre>\r\n${armored}</pre></body></html>`).toString('base64'),
      '--b--',
      '',
    ].join('\r\n');
    const setup = parseSetupMessage(new TextEncoder().encode(raw));
    expect(setup.passphraseFormat).toBe('numeric9x4');
    expect(setup.passphraseBegin).toBe('12');
    expect(setup.armoredMessage.startsWith('-----BEGIN PGP MESSAGE-----\n')).toBe(true);
  });

  it('rejects input without a setup block', () => {
    expect(() => parseSetupMessage(new TextEncoder().encode('hello'))).toThrow(
      expect.objectContaining({ code: 'SETUP_MESSAGE_INVALID' }),
    );
  });

  it('normalizes the setup code to dashed blocks', () => {
    const digits = '123456789012345678901234567890123456';
    expect(normalizeSetupCode(digits)).toBe('1234-5678-9012-3456-7890-1234-5678-9012-3456');
    expect(normalizeSetupCode('1234 5678-9012 3456 7890 1234 5678 9012 3456')).toHaveLength(44);
    expect(() => normalizeSetupCode('1234')).toThrow(/36 digits/);
  });
});
