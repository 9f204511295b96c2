// `sealpost contacts` for a contact whose pinned key is revoked: without a newer key it tells the user to
// import one with --replace, and once the contact's new key has arrived (here by Autocrypt, as
// sync hands it over) it names the `contacts accept-key` command with that key's fingerprint.

import { afterAll, describe, expect, it } from 'vitest';
import { certificateToBinary } from '@sealpost/crypto-core';
import type { Sealpost } from '../../src/core/sealpost.ts';
import { localAddress, makeDataFolder } from '../at-rest/helpers.ts';
import { runSealpost } from './cli-runner.ts';

describe('contacts with a revoked key', { timeout: 300_000 }, () => {
  const owner = makeDataFolder('sealpost-revoked-owner-');
  const contact = makeDataFolder('sealpost-revoked-contact-');
  const address = localAddress('revoked');

  afterAll(() => {
    owner.remove();
    contact.remove();
  });

  async function learnFrom(sealpost: Sealpost, armored: string): Promise<void> {
    await sealpost.contacts.learn({
      address,
      keydata: await certificateToBinary(armored),
      source: 'autocrypt',
      preferEncrypt: 'mutual',
      seenAt: new Date(),
    });
  }

  async function contactsOutput(): Promise<string> {
    const listed = await runSealpost(contact.paths.root, ['contacts']);
    expect(listed.stderr).toBe('');
    expect(listed.status).toBe(0);
    return listed.stdout;
  }

  it('names accept-key once the new key arrived', async () => {
    const ownerCore = await owner.open();
    await ownerCore.keys.generate({ address, name: null });
    const original = ownerCore.keys.exportCertificate(address);
    await ownerCore.keys.revoke(address);
    const revoked = ownerCore.keys.exportCertificate(address);
    const replaced = await ownerCore.keys.replaceRevoked({ address, name: null });
    const replacement = ownerCore.keys.exportCertificate(address);
    ownerCore.close();

    let contactCore = await contact.open();
    await learnFrom(contactCore, original);
    await learnFrom(contactCore, revoked);
    contactCore.close();
    const withoutNewKey = await contactsOutput();
    expect(withoutNewKey).toContain('REVOKED: ');
    expect(withoutNewKey).toContain('"sealpost key import FILE --replace"');

    contactCore = await contact.open();
    await learnFrom(contactCore, replacement);
    contactCore.close();
    const withNewKey = await contactsOutput();
    expect(withNewKey).toContain(
      'REVOKED: its owner revoked this key, so Sealpost does not encrypt to it. A new key ',
    );
    expect(withNewKey).toContain(
      `"sealpost contacts accept-key ${address} ${replaced.fingerprint}"`,
    );
    expect(withNewKey).not.toContain('key import FILE --replace');
  });
});
