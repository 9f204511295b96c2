// Ratchet sessions end with the key that authenticated them, through the real Dovecot and
// Postfix. alice and bob hold a session; alice revokes and replaces her key, and her next
// message carries the revocation. Both sides then start a new session from her new key instead
// of going on with the old one.

import { describe, expect, it } from 'vitest';
import { useCorrespondents, sendEncrypted, syncAndFind, type TestUser } from '../e2e/stack.ts';

async function receive(reader: TestUser, messageId: string) {
  return reader.sealpost.mail.read(await syncAndFind(reader, messageId));
}

async function modeTo(sender: TestUser, recipient: TestUser): Promise<string> {
  const plan = await sender.sealpost.planSend({
    from: null,
    to: [recipient.address],
    cc: [],
    bcc: [],
  });
  return plan.mode;
}

describe('ratchet sessions after a key revocation', () => {
  let alice: TestUser;
  let bob: TestUser;

  useCorrespondents((pair) => ({ alice, bob } = pair));

  it('starts a new session from the new key', async () => {
    // alice's first message carries her prekey bundle, so bob's reply starts a session.
    const opening = await sendEncrypted(alice, [bob], { subject: 'Hello', text: 'Hi.\n' });
    await receive(bob, opening.messageId);
    const reply = await sendEncrypted(bob, [alice], { subject: 'Re: Hello', text: 'Hi back.\n' });
    expect(reply.mode).toBe('ratchet');
    await receive(alice, reply.messageId);

    await alice.sealpost.keys.revoke(alice.address);
    const { fingerprint } = await alice.sealpost.keys.replaceRevoked({
      address: alice.address,
      name: null,
    });
    // The pending revocation, not an --openpgp request, keeps the message out of ratchet mode.
    const noticePlan = await alice.sealpost.planSend({
      from: null,
      to: [bob.address],
      cc: [],
      bcc: [],
    });
    expect(noticePlan.mode).toBe('openpgp');
    expect(noticePlan.reason).toContain(
      'ratchet mode is not used because this message carries the revoked certificate',
    );
    expect(noticePlan.reason).not.toContain('OpenPGP mode was requested');
    expect(noticePlan.warnings.join('\n')).toContain('carries the revoked certificate');
    const notice = await sendEncrypted(alice, [bob], { subject: 'New key', text: 'Changed.\n' });
    expect(notice.mode).toBe('openpgp');
    expect(notice.modeReason).toBe(noticePlan.reason);
    const noticeRead = await receive(bob, notice.messageId);
    expect((await bob.sealpost.revokedContacts()).has(alice.address)).toBe(true);

    // The old session was authenticated by the revoked key, so bob does not go on with it.
    bob.sealpost.trust.acceptKey(alice.address, fingerprint);
    expect(noticeRead.signatures[0]!.signerFingerprint).toBe(fingerprint);
    expect(await modeTo(bob, alice)).toBe('openpgp');
    const fresh = await sendEncrypted(bob, [alice], { subject: 'Your new key', text: 'Noted.\n' });
    expect(fresh.mode).toBe('openpgp');
    await receive(alice, fresh.messageId);

    // alice starts a new session with a bundle signed by her new key, which bob accepts.
    const next = await sendEncrypted(alice, [bob], { subject: 'Ratchet again', text: 'Again.\n' });
    expect(next.mode).toBe('ratchet');
    const nextRead = await receive(bob, next.messageId);
    expect(nextRead.kind).toBe('ratchet-encrypted');
    expect(nextRead.text?.replace(/\r\n/g, '\n')).toBe('Again.\n');
    expect(nextRead.signatureSummary).toBe('verified');
  });
});
