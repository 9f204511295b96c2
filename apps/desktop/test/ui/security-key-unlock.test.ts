// Unlocking the desktop app with a FIDO2 security key, end to end: the browser shell in
// Debian's Chromium, a data folder whose key was enrolled through core with `require`, and the
// software authenticator behind the session's FIDO2 device source. The user is asked to touch
// the key, a wrong PIN shows the tries left, and a missing touch times out and stays locked.
// A keychain error shows its sentence with the technical cause behind "Details".

import { readFileSync, writeFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { createSilentLogger } from '../../src/core/logger.ts';
import { KEYCHAIN_CALL_TIMEOUT_MS, OsKeychain } from '../../src/core/keystore/keychain.ts';
import { entryName } from '../../src/core/keystore/keystore.ts';
import { readKeystoreFile } from '../../src/core/keystore/keystore-file.ts';
import type { Fido2DeviceSource } from '../../src/core/hardware/fido2-device.ts';
import { Sealpost } from '../../src/core/sealpost.ts';
import { SoftwareAuthenticator } from '../../../../packages/hardware-token/test/fido2/software-authenticator.ts';
import {
  IMAP_STARTTLS_PORT,
  SMTP_SUBMISSION_PORT,
  stackCertificate,
  stackPassword,
  uniqueAddress,
} from '../e2e/stack.ts';
import { openApp } from './harness.ts';
import { plugged } from './plugged-security-key.ts';
import type { AppUnderTest } from './harness.ts';

const PASSPHRASE = 'security key app passphrase';
const KEY_PIN = '4821';

let app: AppUnderTest | null = null;
afterEach(async () => {
  await app?.close();
  app = null;
});

/**
 * Opens the app on a data folder with an account on the local mail stack, a key, and
 * `authenticator` enrolled as the required way in (the passphrase remains for recovery).
 */
async function openWithSecurityKey(
  role: string,
  authenticator: SoftwareAuthenticator,
  options: {
    pin?: string;
    timeoutMs?: number;
    /** Enrols the key as an additional way in, beside the passphrase. */
    optional?: boolean;
    /** The device the session reaches; `authenticator` when omitted. */
    device?: Fido2DeviceSource;
    /** Changes keystore.json after enrolment, as an attacker with write access could. */
    tamper?: (keystoreFile: string) => void;
    /** Keeps the keys in the OS keychain instead of sealing them with PASSPHRASE. */
    keychain?: OsKeychain;
    /** The keychain the app session reaches; `keychain` when omitted. */
    sessionKeychain?: OsKeychain;
  } = {},
): Promise<AppUnderTest> {
  const address = uniqueAddress(role);
  return openApp(
    role,
    async (paths) => {
      const sealpost = await Sealpost.open(
        paths,
        createSilentLogger(),
        options.keychain
          ? { keychain: options.keychain }
          : { keychain: null, passphrase: PASSPHRASE },
      );
      try {
        const server = { host: '127.0.0.1', user: address };
        await sealpost.accounts.add({
          email: address,
          displayName: null,
          imap: { ...server, port: IMAP_STARTTLS_PORT, security: 'starttls' },
          smtp: { ...server, port: SMTP_SUBMISSION_PORT, security: 'starttls' },
          password: stackPassword(address),
          pinnedCertificate: stackCertificate(),
        });
        await sealpost.keys.generate({ address, name: null });
        await sealpost.fido2.enroll({
          name: 'desk key',
          require: !options.optional,
          device: plugged(authenticator),
          requestPin: async () => options.pin ?? null,
        });
      } finally {
        sealpost.close();
      }
      options.tamper?.(paths.keystore);
    },
    {},
    {
      fido2Device: options.device ?? plugged(authenticator),
      ...(options.keychain ? { keychain: options.sessionKeychain ?? options.keychain } : {}),
      ...(options.timeoutMs === undefined ? {} : { fido2TimeoutMs: options.timeoutMs }),
    },
  );
}

describe('security key unlock screen', () => {
  it('unlocks after a touch', async () => {
    const authenticator = new SoftwareAuthenticator();
    app = await openWithSecurityKey('fido2-touch', authenticator);
    const { page } = app;
    // The user has not touched the key yet; enrolment above took its touches.
    authenticator.presence = 'never';

    const unlock = page.getByRole('button', { name: 'Unlock with security key', exact: true });
    await unlock.waitFor();
    // The key is required, so the passphrase sits behind the recovery button.
    await expect(page.getByLabel('Sealpost passphrase', { exact: true }).count()).resolves.toBe(0);
    await page.getByRole('button', { name: 'Use recovery passphrase', exact: true }).waitFor();
    const touchesBefore = authenticator.touchRequests;

    await unlock.click();
    await page.getByRole('status').filter({ hasText: 'Touch your security key' }).waitFor();
    expect((await app.session.status()).unlocked).toBe(false);

    authenticator.presence = 'touch';
    await page.getByRole('toolbar', { name: 'Main actions' }).waitFor();
    expect((await app.session.status()).unlocked).toBe(true);
    expect(authenticator.touchRequests).toBeGreaterThan(touchesBefore);
  });

  it('shows tries left after a wrong PIN', async () => {
    const authenticator = new SoftwareAuthenticator({ pin: KEY_PIN });
    app = await openWithSecurityKey('fido2-pin', authenticator, { pin: KEY_PIN });
    const { page } = app;
    const retriesBefore = authenticator.pinRetries;

    const pin = page.getByLabel('Security key PIN', { exact: true });
    await pin.fill('9999');
    await page.getByRole('button', { name: 'Unlock with security key', exact: true }).click();
    const alert = page.getByRole('alert');
    await alert.waitFor();
    expect(await alert.textContent()).toBe(
      `Wrong security key PIN: ${retriesBefore - 1} tries left before the key blocks its PIN. Enter the PIN again.`,
    );
    expect(authenticator.pinRetries).toBe(retriesBefore - 1);
    expect((await app.session.status()).unlocked).toBe(false);

    await pin.fill(KEY_PIN);
    await page.getByRole('button', { name: 'Unlock with security key', exact: true }).click();
    await page.getByRole('toolbar', { name: 'Main actions' }).waitFor();
    expect(authenticator.pinRetries).toBe(retriesBefore);
  });

  it('times out without a touch and stays locked', async () => {
    const authenticator = new SoftwareAuthenticator();
    app = await openWithSecurityKey('fido2-timeout', authenticator, { timeoutMs: 2_000 });
    const { page } = app;
    authenticator.presence = 'never';

    await page.getByRole('button', { name: 'Unlock with security key', exact: true }).click();
    await page.getByRole('status').filter({ hasText: 'Touch your security key' }).waitFor();
    const alert = page.getByRole('alert');
    await alert.waitFor();
    expect(await alert.textContent()).toBe(
      'No touch within 2 seconds — touch the key and try again.',
    );
    expect((await app.session.status()).unlocked).toBe(false);
    expect(await page.getByRole('toolbar', { name: 'Main actions' }).count()).toBe(0);

    // The recovery passphrase still opens the folder without the key.
    await page.getByRole('button', { name: 'Use recovery passphrase', exact: true }).click();
    await page.getByLabel('Sealpost passphrase', { exact: true }).fill(PASSPHRASE);
    await page.getByRole('button', { name: 'Unlock', exact: true }).click();
    await page.getByRole('toolbar', { name: 'Main actions' }).waitFor();
  });

  it('offers the key beside the passphrase', async () => {
    const enrolled = new SoftwareAuthenticator();
    const stranger = new SoftwareAuthenticator();
    let connected = stranger;
    app = await openWithSecurityKey('fido2-optional', enrolled, {
      optional: true,
      device: { isConnected: async () => true, open: async () => connected },
    });
    const { page } = app;

    await page.getByLabel('Sealpost passphrase', { exact: true }).waitFor();
    const unlock = page.getByRole('button', { name: 'Unlock with security key', exact: true });
    await unlock.click();
    const alert = page.getByRole('alert');
    await alert.waitFor();
    expect(await alert.textContent()).toBe(
      'This key is not enrolled for this data folder. Connect the enrolled key, or use your Sealpost passphrase.',
    );
    expect((await app.session.status()).unlocked).toBe(false);

    connected = enrolled;
    await unlock.click();
    await page.getByRole('toolbar', { name: 'Main actions' }).waitFor();
    expect((await app.session.status()).unlocked).toBe(true);
  });

  it('reports a blocked PIN', async () => {
    const authenticator = new SoftwareAuthenticator({ pin: KEY_PIN });
    app = await openWithSecurityKey('fido2-blocked', authenticator, { pin: KEY_PIN });
    const { page } = app;
    authenticator.pinRetries = 1;

    await page.getByLabel('Security key PIN', { exact: true }).fill('9999');
    await page.getByRole('button', { name: 'Unlock with security key', exact: true }).click();
    const alert = page.getByRole('alert');
    await alert.waitFor();
    expect(await alert.textContent()).toContain("The security key's PIN is blocked.");
    expect(await alert.textContent()).toContain('unlock with your Sealpost passphrase');
    expect(authenticator.pinRetries).toBe(0);
    expect((await app.session.status()).unlocked).toBe(false);
  });

  it('reports a tampered slot', async () => {
    const authenticator = new SoftwareAuthenticator();
    app = await openWithSecurityKey('fido2-tampered', authenticator, {
      tamper: (keystoreFile) => {
        const contents = JSON.parse(readFileSync(keystoreFile, 'utf8')) as {
          fido2: Array<{ wrappedKeys: string }>;
        };
        const wrapped = Buffer.from(contents.fido2[0]!.wrappedKeys, 'base64');
        wrapped[wrapped.length - 1]! ^= 0x01;
        contents.fido2[0]!.wrappedKeys = wrapped.toString('base64');
        writeFileSync(keystoreFile, JSON.stringify(contents));
      },
    });
    const { page } = app;

    await page.getByRole('button', { name: 'Unlock with security key', exact: true }).click();
    const alert = page.getByRole('alert');
    await alert.waitFor();
    expect(await alert.textContent()).toBe(
      'The security key answered, but its wrapped keys in keystore.json failed their integrity check, so the file was changed. ' +
        'Restore keystore.json from a backup, or use your Sealpost passphrase.',
    );
    expect((await app.session.status()).unlocked).toBe(false);
  });

  it('puts the keychain error behind Details', async () => {
    const keychain = new OsKeychain();
    // No D-Bus session bus listens there, so every keychain call of the app fails.
    const unreachable = new OsKeychain(KEYCHAIN_CALL_TIMEOUT_MS, {
      ...process.env,
      DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/sealpost-test-bus',
    });
    let folderId = '';
    app = await openWithSecurityKey('fido2-details', new SoftwareAuthenticator(), {
      optional: true,
      keychain,
      sessionKeychain: unreachable,
      tamper: (keystoreFile) => {
        folderId = readKeystoreFile(keystoreFile).folderId;
      },
    });
    const { page } = app;
    try {
      const notice = page.locator('.notice').filter({ hasText: 'cannot be reached' });
      await notice.waitFor();
      const sentence = (await notice.locator('p').first().textContent())!;
      expect(sentence).toContain(
        'in the Secret Service, which cannot be reached. No keychain answers in this session',
      );
      expect(sentence).not.toContain('--passphrase-file instead');
      const details = notice.locator('details');
      expect(await details.locator('summary').textContent()).toBe('Details');
      expect(await details.evaluate((element) => (element as HTMLDetailsElement).open)).toBe(false);
      // The cause is the keychain library's own error text, which differs between versions.
      const cause = (await details.locator('.detail').textContent())!;
      expect(cause.length).toBeGreaterThan(0);
      expect(sentence).not.toContain(cause);
    } finally {
      keychain.delete(entryName(folderId, 'kek'));
      keychain.delete(entryName(folderId, 'database-key'));
    }
  });

  it('offers the key when the keychain fails', async () => {
    const keychain = new OsKeychain();
    const authenticator = new SoftwareAuthenticator();
    let folderId = '';
    app = await openWithSecurityKey('fido2-keychain', authenticator, {
      optional: true,
      keychain,
      tamper: (keystoreFile) => {
        folderId = readKeystoreFile(keystoreFile).folderId;
        keychain.delete(entryName(folderId, 'kek'));
      },
    });
    const { page } = app;
    try {
      await page.getByText('so this data folder cannot be unlocked').waitFor();
      // A keychain folder has no passphrase, so the key is the only way offered.
      expect(await page.getByLabel('Sealpost passphrase', { exact: true }).count()).toBe(0);
      expect(await page.getByRole('button', { name: /^Use recovery/ }).count()).toBe(0);

      await page.getByRole('button', { name: 'Unlock with security key', exact: true }).click();
      await page.getByRole('toolbar', { name: 'Main actions' }).waitFor();
      expect((await app.session.status()).unlocked).toBe(true);
    } finally {
      keychain.delete(entryName(folderId, 'database-key'));
    }
  });
});
