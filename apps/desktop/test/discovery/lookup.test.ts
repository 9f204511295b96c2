// WKD and VKS lookups against a real local HTTPS server with a test CA, through the core
// service: found keys are pinned by the first-seen rule with their source, a WKD key without
// the looked-up address is refused, and a different key later is flagged, not used.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { certificateToBinary, readCertificate } from '@sealpost/crypto-core';
import { wkdUrls } from '@sealpost/mail-transport';
import {
  startKeyServer,
  type KeyServer,
} from '../../../../packages/mail-transport/test/key-server.ts';
import { contactCertificate, openLocalUser, type LocalUser } from './helpers.ts';

const binary = (armored: string) => certificateToBinary(armored);

describe('key lookup', () => {
  let server: KeyServer;
  let user: LocalUser;
  const lookup = () => ({ resolve: server.resolve, ca: server.ca, timeoutMs: 5000 });

  beforeAll(async () => {
    server = await startKeyServer(['openpgpkey.wkd.test', 'wkd.test', 'keys.vks.test']);
    user = await openLocalUser('lookup');
  });

  afterAll(async () => {
    user?.close();
    await server?.close();
  });

  it('pins a WKD key with source wkd', async () => {
    const certificate = await contactCertificate('dana@wkd.test');
    server.publish(
      'openpgpkey.wkd.test',
      wkdUrls('dana@wkd.test').advanced.pathname,
      await binary(certificate),
    );

    const result = await user.sealpost.discovery.lookup({
      address: 'dana@wkd.test',
      lookup: lookup(),
    });

    const expected = (await readCertificate(certificate)).fingerprint;
    expect(result.source).toBe('wkd');
    expect(result.outcome).toBe('new');
    expect(result.fingerprint).toBe(expected);
    const contact = user.sealpost.contacts
      .list()
      .find((entry) => entry.address === 'dana@wkd.test');
    expect(contact?.source).toBe('wkd');
    expect(contact?.fingerprint).toBe(expected);
  });

  it('refuses a WKD key without the address and falls to VKS', async () => {
    const foreign = await contactCertificate('someone-else@wkd.test');
    server.publish(
      'openpgpkey.wkd.test',
      wkdUrls('erin@wkd.test').advanced.pathname,
      await binary(foreign),
    );
    const own = await contactCertificate('erin@wkd.test');
    server.publish('keys.vks.test', '/vks/v1/by-email/erin%40wkd.test', own);

    const result = await user.sealpost.discovery.lookup({
      address: 'erin@wkd.test',
      vksBaseUrl: 'https://keys.vks.test',
      lookup: lookup(),
    });

    expect(result.attempts.map((attempt) => attempt.result)).toEqual(['unusable', 'found']);
    expect(result.source).toBe('vks');
    expect(result.fingerprint).toBe((await readCertificate(own)).fingerprint);
  });

  it('flags a different key found later', async () => {
    const second = await contactCertificate('dana@wkd.test');
    server.publish('keys.vks.test', '/vks/v1/by-email/dana%40wkd.test', second);
    const pinnedBefore = user.sealpost.contacts.list().find((c) => c.address === 'dana@wkd.test');

    const result = await user.sealpost.discovery.lookup({
      address: 'dana@wkd.test',
      wkd: false,
      vksBaseUrl: 'https://keys.vks.test',
      lookup: lookup(),
    });

    expect(result.outcome).toBe('changed-flagged');
    const contact = user.sealpost.contacts.list().find((c) => c.address === 'dana@wkd.test');
    expect(contact?.fingerprint).toBe(pinnedBefore?.fingerprint);
    expect(contact?.changedFingerprints).toEqual([result.fingerprint]);
  });

  it('reports every failed source when nothing is found', async () => {
    await expect(
      user.sealpost.discovery.lookup({
        address: 'nobody@unknown.test',
        vksBaseUrl: 'https://keys.vks.test',
        lookup: lookup(),
      }),
    ).rejects.toMatchObject({
      code: 'KEY_LOOKUP_NOT_FOUND',
      message: expect.stringMatching(/wkd: not-found.*vks: not-found/),
    });
  });

  it('reports a TLS failure without a trusted CA', async () => {
    await expect(
      user.sealpost.discovery.lookup({
        address: 'dana@wkd.test',
        lookup: { resolve: server.resolve, timeoutMs: 5000 },
      }),
    ).rejects.toMatchObject({
      code: 'KEY_LOOKUP_NOT_FOUND',
      message: expect.stringContaining('wkd: failed (KEY_LOOKUP_FAILED'),
    });
  });
});
