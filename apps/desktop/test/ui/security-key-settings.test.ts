// Enrolling and removing a FIDO2 security key from the app's "Contacts and keys" view, end to
// end: the browser shell in Debian's Chromium, the software authenticator behind the
// session's FIDO2 device source, and core's keystore.json. Enrolment requests a touch, shows
// a wrong PIN with the tries left, and a required key cannot be removed when it is the last.

import { afterEach, describe, expect, it } from 'vitest';
import { SoftwareAuthenticator } from '../../../../packages/hardware-token/test/fido2/software-authenticator.ts';
import { openPreparedApp } from './prepared-app.ts';
import { plugged } from './plugged-security-key.ts';
import type { PreparedApp } from './prepared-app.ts';

const KEY_PIN = '4821';

let app: PreparedApp | null = null;
afterEach(async () => {
  await app?.close();
  app = null;
});

async function openSecurityKeys(role: string, authenticator: SoftwareAuthenticator) {
  app = await openPreparedApp(role, { session: { fido2Device: plugged(authenticator) } });
  await app.page.getByRole('button', { name: 'Contacts and keys' }).click();
  await app.page.getByRole('heading', { name: 'Security keys' }).waitFor();
  return app;
}

describe('security key settings', () => {
  it('enrolls after a touch and removes', async () => {
    const authenticator = new SoftwareAuthenticator({ pin: KEY_PIN });
    const { page, core, session } = await openSecurityKeys('fido2-enroll', authenticator);
    const panel = page.getByRole('region', { name: 'Security keys' });
    await panel.getByText('No security key is enrolled.').waitFor();

    await panel.getByLabel('Name (optional)').fill('desk key');
    await panel.getByLabel('Security key PIN (empty if it has none)').fill(KEY_PIN);
    authenticator.presence = 'never';
    await panel.getByRole('button', { name: 'Enroll security key' }).click();
    await panel.getByRole('status').filter({ hasText: 'Touch your security key' }).waitFor();
    expect(core().fido2.list()).toEqual([]);

    authenticator.presence = 'touch';
    await panel
      .getByText(
        'Enrolled security key "desk key", which needs its PIN to unlock. ' +
          'The security key is an additional way to unlock Sealpost.',
      )
      .waitFor();
    expect(
      core()
        .fido2.list()
        .map((key) => key.name),
    ).toEqual(['desk key']);
    expect((await session.status()).securityKey).toMatchObject({
      enrolled: true,
      required: false,
      pinRequired: true,
    });
    const list = panel.getByRole('list', { name: 'Enrolled security keys' });
    expect(await list.textContent()).toContain('desk key');

    await panel.getByRole('button', { name: 'Remove security key desk key' }).click();
    await panel.getByText('Removed security key "desk key".').waitFor();
    await panel.getByText('No security key is enrolled.').waitFor();
    expect(core().fido2.list()).toEqual([]);
  });

  it('shows tries left after a wrong PIN', async () => {
    const authenticator = new SoftwareAuthenticator({ pin: KEY_PIN });
    const { page, core } = await openSecurityKeys('fido2-enroll-pin', authenticator);
    const panel = page.getByRole('region', { name: 'Security keys' });
    const retriesBefore = authenticator.pinRetries;

    await panel.getByLabel('Security key PIN (empty if it has none)').fill('9999');
    await panel.getByRole('button', { name: 'Enroll security key' }).click();
    const alert = panel.getByRole('alert');
    await alert.waitFor();
    expect(await alert.textContent()).toBe(
      `Wrong security key PIN: ${retriesBefore - 1} tries left before the key blocks its PIN. Enter the PIN again.`,
    );
    expect(authenticator.pinRetries).toBe(retriesBefore - 1);
    expect(core().fido2.list()).toEqual([]);
  });

  it('keeps the last required key', async () => {
    const authenticator = new SoftwareAuthenticator();
    const { page, core, session } = await openSecurityKeys('fido2-enroll-require', authenticator);
    const panel = page.getByRole('region', { name: 'Security keys' });

    await panel.getByRole('checkbox', { name: /Require a security key/ }).check();
    await panel.getByRole('button', { name: 'Enroll security key' }).click();
    await panel.getByText('Sealpost now needs an enrolled security key to start.').waitFor();
    await panel.getByText('A security key is required to unlock Sealpost.').waitFor();
    expect(core().fido2.mode()).toBe('fido2');
    // A passphrase folder keeps its passphrase as the recovery path, so no code is shown.
    expect(await panel.getByLabel('Recovery code', { exact: true }).count()).toBe(0);
    expect((await session.status()).securityKey).toMatchObject({
      required: true,
      recovery: 'passphrase',
    });

    await panel.getByRole('button', { name: 'Remove security key security-key-1' }).click();
    const alert = panel.getByRole('alert');
    await alert.waitFor();
    expect(await alert.textContent()).toContain(
      '"security-key-1" is the only FIDO2 key that unlocks this data folder',
    );
    expect(
      core()
        .fido2.list()
        .map((key) => key.name),
    ).toEqual(['security-key-1']);
  });
});
