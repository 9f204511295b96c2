// Rotation and revocation through the mail stack. A due rotation runs before send and after a
// successful sync, and a rotated certificate reaches the contact by Autocrypt and is used for
// the next reply. A revoked
// certificate that arrives with its owner's next OpenPGP-mode message makes sends to its owner
// fail with KEY_REVOKED.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UnparseablePacket, readKey, readMessage } from 'openpgp';
import { readCertificate } from '@sealpost/crypto-core';
import type { Store } from '@sealpost/storage';
import { rotatedAtSetting } from '../../src/core/rotation.ts';
import {
  createTrio,
  createUser,
  fetchRawFromServer,
  swapCertificates,
  syncAndFind,
} from '../e2e/stack.ts';
import type { TestUser } from '../e2e/stack.ts';

const DAY_MS = 24 * 60 * 60 * 1000;

function message(to: TestUser[], subject: string, now?: Date) {
  return {
    from: null,
    to: to.map((user) => user.address),
    cc: [],
    bcc: [],
    subject,
    text: `${subject}\n`,
    attachments: [],
    allowPlaintext: false,
    ...(now ? { now } : {}),
  };
}

/** Returns the keydata of the Autocrypt header of a raw message, decoded. */
function autocryptKeydata(raw: Buffer): Uint8Array {
  const text = raw.toString('latin1');
  const headerEnd = text.indexOf('\r\n\r\n');
  const header = text.slice(0, headerEnd === -1 ? text.length : headerEnd);
  const unfolded = header.replace(/\r?\n[ \t]+/g, ' ');
  const line = unfolded.split(/\r?\n/).find((field) => /^autocrypt:/i.test(field));
  if (!line) throw new Error('the message has no Autocrypt header');
  const keydata = /keydata=([A-Za-z0-9+/= ]+)/.exec(line)?.[1];
  if (!keydata) throw new Error('the Autocrypt header has no keydata');
  return new Uint8Array(Buffer.from(keydata.replace(/ /g, ''), 'base64'));
}

/** Returns the fingerprints of every subkey in `keydata`, lowercase, valid or not. */
async function subkeyFingerprints(keydata: Uint8Array | string): Promise<string[]> {
  const key =
    typeof keydata === 'string'
      ? await readKey({ armoredKey: keydata })
      : await readKey({ binaryKey: keydata });
  const fingerprints = key.subkeys.map((subkey) => subkey.getFingerprint().toLowerCase());
  const info = await readCertificate(keydata);
  return [...fingerprints, ...info.postQuantumSubkeys.map((s) => s.fingerprint.toLowerCase())];
}

/** Returns the key IDs of the PKESK packets (v3) of the PGP/MIME message in a raw message. */
async function pkeskKeyIds(raw: Buffer): Promise<string[]> {
  const text = raw.toString('latin1');
  const start = text.indexOf('-----BEGIN PGP MESSAGE-----');
  const end = text.indexOf('-----END PGP MESSAGE-----');
  if (start === -1 || end === -1) throw new Error('the message has no armored PGP message');
  const armored = text.slice(start, end + '-----END PGP MESSAGE-----'.length).replace(/\r/g, '');
  const parsed = await readMessage({ armoredMessage: armored });
  const keyIds = parsed.getEncryptionKeyIDs().map((keyId) => keyId.toHex().toLowerCase());
  for (const packet of parsed.packets) {
    if (packet instanceof UnparseablePacket && packet.tag === 1) {
      // openpgp.js leaves algorithm-35 PKESKs unparsed. A v3 PKESK has the key ID in bytes 1-8.
      const body = (packet as unknown as { rawContent: Uint8Array }).rawContent;
      keyIds.push(Buffer.from(body.subarray(1, 9)).toString('hex'));
    }
  }
  return keyIds;
}

function keyIdOf(fingerprint: string): string {
  return fingerprint.toLowerCase().slice(-16);
}

describe('rotation and revocation through the mail stack', () => {
  let alice: TestUser;
  let bob: TestUser;
  let carol: TestUser;

  beforeAll(async () => {
    ({ alice, bob, carol } = await createTrio([
      ['alice', 'bob'],
      ['bob', 'carol'],
    ]));
  });

  afterAll(() => {
    alice?.close();
    bob?.close();
    carol?.close();
  });

  it('send rotates a due key first', async () => {
    const sender = await createUser('alice');
    try {
      await swapCertificates(sender, carol);
      sender.sealpost.keys.setRotationIntervalDays(1);
      const before = await subkeyFingerprints(
        autocryptKeydata(
          await fetchRawFromServer(
            carol,
            (await sender.sealpost.mail.send(message([carol], 'Before rotation'))).messageId,
          ),
        ),
      );

      const later = new Date(Date.now() + 2 * DAY_MS);
      const sent = await sender.sealpost.mail.send(message([carol], 'After rotation', later));
      const after = await subkeyFingerprints(
        autocryptKeydata(await fetchRawFromServer(carol, sent.messageId)),
      );
      expect(after.length).toBeGreaterThan(before.length);
      const added = after.filter((fingerprint) => !before.includes(fingerprint));
      const rotations = sender.sealpost.audit
        .list()
        .filter((entry) => entry.operation === 'subkey-rotate');
      expect(rotations).toHaveLength(1);
      expect(added).toHaveLength(rotations[0]!.details.subkeys as number);

      // The check runs once a day per run, so the next send does not rotate again.
      await sender.sealpost.mail.send(message([carol], 'No second rotation', later));
      const again = sender.sealpost.audit
        .list()
        .filter((entry) => entry.operation === 'subkey-rotate');
      expect(again).toHaveLength(1);
    } finally {
      sender.close();
    }
  });

  it('sync rotates a due key', async () => {
    const sender = await createUser('alice');
    try {
      await swapCertificates(sender, carol);
      sender.sealpost.keys.setRotationIntervalDays(1);
      const { fingerprint } = sender.sealpost.keys.list()[0]!;
      const before = await subkeyFingerprints(
        sender.sealpost.keys.exportCertificate(sender.address),
      );
      // Sync takes no clock, so the last rotation is moved two days back in the key settings,
      // as if the key had been in use that long.
      const store = (sender.sealpost as unknown as { store: Store }).store;
      store.keySettings.set(rotatedAtSetting(fingerprint), String(Date.now() - 2 * DAY_MS));

      await sender.sealpost.mail.sync({ account: null });
      const rotations = sender.sealpost.audit
        .list()
        .filter((entry) => entry.operation === 'subkey-rotate');
      expect(rotations).toHaveLength(1);
      const after = await subkeyFingerprints(
        sender.sealpost.keys.exportCertificate(sender.address),
      );
      const added = after.filter((subkey) => !before.includes(subkey));
      expect(added).toHaveLength(rotations[0]!.details.subkeys as number);

      const sent = await sender.sealpost.mail.send(message([carol], 'After a sync rotation'));
      const sentSubkeys = await subkeyFingerprints(
        autocryptKeydata(await fetchRawFromServer(carol, sent.messageId)),
      );
      for (const subkey of added) expect(sentSubkeys).toContain(subkey);

      // Sync and send share one check a day, so the send did not rotate again.
      const again = sender.sealpost.audit
        .list()
        .filter((entry) => entry.operation === 'subkey-rotate');
      expect(again).toHaveLength(1);
    } finally {
      sender.close();
    }
  });

  it('rotated certificate reaches bob', async () => {
    // Subkey creation times have one-second resolution, and peers pick the newest subkey.
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const rotation = await alice.sealpost.keys.rotate(alice.address);
    const sent = await alice.sealpost.mail.send(message([bob], 'Rotated'));
    expect(sent.mode).toBe('openpgp');
    const sentKeydata = autocryptKeydata(await fetchRawFromServer(bob, sent.messageId));
    const sentSubkeys = await subkeyFingerprints(sentKeydata);
    for (const fingerprint of rotation.subkeyFingerprints) {
      expect(sentSubkeys).toContain(fingerprint.toLowerCase());
    }

    const id = await syncAndFind(bob, sent.messageId);
    await bob.sealpost.mail.read(id);
    const pinned = bob.sealpost.contactCertificates(alice.address)[0]!;
    expect(pinned.fingerprint.toLowerCase()).toBe(
      alice.sealpost.keys.list()[0]!.fingerprint.toLowerCase(),
    );
    const pinnedSubkeys = await subkeyFingerprints(pinned.certificate);
    for (const fingerprint of rotation.subkeyFingerprints) {
      expect(pinnedSubkeys).toContain(fingerprint.toLowerCase());
    }

    // carol has no ratchet session with bob, so this message is OpenPGP for both recipients.
    const reply = await bob.sealpost.mail.send(message([alice, carol], 'Re: Rotated'));
    expect(reply.mode).toBe('openpgp');
    const keyIds = await pkeskKeyIds(await fetchRawFromServer(alice, reply.messageId));
    const newKeyIds = rotation.subkeyFingerprints.map(keyIdOf);
    expect(keyIds.some((keyId) => newKeyIds.includes(keyId))).toBe(true);
    const oldKeyIds = pinnedSubkeys
      .filter(
        (fingerprint) =>
          !rotation.subkeyFingerprints.map((f) => f.toLowerCase()).includes(fingerprint),
      )
      .map(keyIdOf);
    expect(keyIds.filter((keyId) => oldKeyIds.includes(keyId))).toEqual([]);

    const replyId = await syncAndFind(alice, reply.messageId);
    const read = await alice.sealpost.mail.read(replyId);
    expect(read.encryption.status).toBe('encrypted');
  });

  it('revoked certificate stops sends to bob', async () => {
    await bob.sealpost.keys.revoke(bob.address);
    // A revoked key sends nothing, in ratchet mode as in OpenPGP mode, until it is replaced.
    await expect(bob.sealpost.mail.send(message([alice], 'Revoked'))).rejects.toMatchObject({
      code: 'OWN_KEY_REVOKED',
    });
    await bob.sealpost.keys.replaceRevoked({ address: bob.address, name: null });

    // Bob has a ratchet session with alice, but the next message goes in OpenPGP mode, because
    // only that mode carries the revoked certificate. Alice's read applies it.
    const bobPlan = await bob.sealpost.planSend({
      from: null,
      to: [alice.address],
      cc: [],
      bcc: [],
    });
    expect(bobPlan.mode).toBe('openpgp');
    expect(bobPlan.warnings.join('\n')).toContain('carries the revoked certificate');
    const sent = await bob.sealpost.mail.send(message([alice], 'Revoked'));
    expect(sent.mode).toBe('openpgp');
    await alice.sealpost.mail.read(await syncAndFind(alice, sent.messageId));
    const pinned = alice.sealpost.contactCertificates(bob.address)[0]!;
    expect((await readCertificate(pinned.certificate)).isRevoked).toBe(true);
    // The plan refuses as the send does: a revoked pinned key is never used.
    const planError = await alice.sealpost
      .planSend({ from: null, to: [bob.address], cc: [], bcc: [] })
      .catch((failure: unknown) => failure);
    expect((planError as { code?: string }).code).toBe('KEY_REVOKED');
    expect((planError as Error).message).toContain(bob.address);

    const error = await alice.sealpost.mail
      .send(message([bob], 'To a revoked key'))
      .catch((failure: unknown) => failure);
    expect((error as { code?: string }).code).toBe('KEY_REVOKED');
    expect((error as Error).message).toContain(bob.address);
  });
});
