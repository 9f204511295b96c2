// The "Hardware token" panel end to end: the browser shell in Debian's Chromium, the OpenPGP
// card emulator behind the real pcscd and vpcd, and the local mail stack. The panel detects
// the card, moves the key to it without a disk copy, shows a wrong PIN with the tries left,
// and the stored PIN then decrypts mail on the card.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatFingerprint } from '../../../../packages/ui/src/renderer/fingerprint.ts';
import type { OpenPgpCardApplet } from '../../../../packages/hardware-token/test/card-emulator/openpgp-card-applet.ts';
import { VirtualCardBench } from '../../../../packages/hardware-token/test/helpers/virtual-card.ts';
import { createUser } from '../e2e/stack.ts';
import type { TestUser } from '../e2e/stack.ts';
import { openPreparedApp } from './prepared-app.ts';
import type { PreparedApp } from './prepared-app.ts';

const USER_PIN = '123456';
const ADMIN_PIN = '12345678';
const WRONG_PIN = '654321';
const SERIAL = 0x5ea1c0de;

let bench: VirtualCardBench;
let card: OpenPgpCardApplet;
let app: PreparedApp;
let bob: TestUser;

/** Returns the text of the card status entry under the term `term`. */
async function statusEntry(term: string): Promise<string> {
  const panel = app.page.locator('.hardware-token');
  return (await panel.locator(`dt:text-is("${term}") + dd`).textContent()) ?? '';
}

function ownFingerprint(): string {
  return formatFingerprint(app.core().keys.list()[0]!.fingerprint);
}

beforeAll(async () => {
  bench = await VirtualCardBench.start();
  card = await bench.insertCard({ serial: SERIAL });
  app = await openPreparedApp('card');
  bob = await createUser('bob');
  await app.page.getByRole('button', { name: 'Contacts and keys' }).click();
  await app.page.getByRole('heading', { name: 'Hardware token' }).waitFor();
});

afterAll(async () => {
  await app?.close();
  bob?.close();
  await bench?.stop();
});

describe('hardware token panel', () => {
  it('detects the emulated card', async () => {
    const page = app.page;

    await page.getByRole('button', { name: 'Detect card' }).click();

    await page.getByRole('status').filter({ hasText: 'Card found.' }).waitFor();
    await expect
      .poll(() => statusEntry('Serial number'), { timeout: 30_000 })
      .toContain('5EA1C0DE');
    expect(await statusEntry('Signature key')).toBe('empty');
    expect(await statusEntry('Decryption key')).toBe('empty');
    expect(await statusEntry('PIN retries')).toBe('user 3, admin 3');
    expect(await statusEntry('Used for')).toBe('no address');
  });

  it('moves the key and shows its fingerprints', async () => {
    const page = app.page;
    await page.getByLabel('User PIN', { exact: true }).fill(USER_PIN);
    await page.getByLabel('Admin PIN (only to move a key)').fill(ADMIN_PIN);
    await page.getByLabel('Keep the encrypted copy of the key on this computer').uncheck();
    await page.getByText('Without the disk copy the key exists only on the card.').waitFor();

    await page.getByRole('button', { name: 'Move key to card' }).click();

    await page
      .getByRole('status')
      .filter({ hasText: `The key of ${app.address} is on card` })
      .waitFor({ timeout: 30_000 });
    // The panel shows the result first and the status it reads afterwards.
    await expect
      .poll(() => statusEntry('Signature key'), { timeout: 30_000 })
      .toBe(ownFingerprint());
    const binding = app.core().cards.binding(app.address)!;
    expect(binding.diskCopy).toBe(false);
    expect(await statusEntry('Decryption key')).toBe(
      formatFingerprint(binding.decryptionFingerprint),
    );
    expect(await statusEntry('Used for')).toBe(app.address);
    expect(await statusEntry('PIN retries')).toBe('user 3, admin 3');
  });

  it('shows the tries left after a wrong PIN', async () => {
    const page = app.page;
    await page.getByLabel('User PIN', { exact: true }).fill(WRONG_PIN);

    await page.getByRole('button', { name: 'Use key on card' }).click();

    const alert = page.getByRole('alert');
    await expect.poll(() => alert.textContent(), { timeout: 30_000 }).toContain('2 tries remain');
    await expect
      .poll(() => statusEntry('PIN retries'), { timeout: 30_000 })
      .toBe('user 2, admin 3');
    expect(card.userPin.retries).toBe(2);
    // Binding again after the failure must not claim a disk copy that was destroyed.
    expect(app.core().cards.binding(app.address)?.diskCopy).toBe(false);
  });

  it('stores the right PIN and resets the counter', async () => {
    const page = app.page;
    await page.getByLabel('User PIN', { exact: true }).fill(USER_PIN);

    await page.getByRole('button', { name: 'Use key on card' }).click();

    await page
      .getByRole('status')
      .filter({ hasText: `${app.address} now uses the key on card` })
      .waitFor({ timeout: 30_000 });
    await expect
      .poll(() => statusEntry('PIN retries'), { timeout: 30_000 })
      .toBe('user 3, admin 3');
    expect(app.core().cards.binding(app.address)?.diskCopy).toBe(false);
  });

  it('decrypts mail on the card', async () => {
    // Bob learns the certificate as it is after the move, without the ML-KEM subkey.
    const options = { keyPassphrase: null, replacePinned: true };
    await bob.sealpost.keys.import(
      new TextEncoder().encode(app.core().keys.exportCertificate(app.address)),
      options,
    );
    await app
      .core()
      .keys.import(new TextEncoder().encode(bob.sealpost.keys.exportCertificate(bob.address)), {
        keyPassphrase: null,
        replacePinned: false,
      });
    await bob.sealpost.mail.send({
      from: null,
      to: [app.address],
      cc: [],
      bcc: [],
      subject: 'Decrypted on the card',
      text: 'This text was decrypted on the card.',
      attachments: [],
      allowPlaintext: false,
    });
    const page = app.page;
    await page.getByRole('button', { name: 'Mail', exact: true }).click();

    await page.getByRole('button', { name: 'Sync', exact: true }).click();
    const row = page.getByRole('option').filter({ hasText: bob.address }).first();
    await row.waitFor({ timeout: 60_000 });
    await row.click();

    // Sync and the decryption on the card can take seconds on a loaded machine.
    await expect
      .poll(() => page.getByTestId('reader-subject').textContent(), { timeout: 30_000 })
      .toBe('Decrypted on the card');
    await page.getByText('This text was decrypted on the card.').waitFor();
    expect(await page.getByTestId('security-status').getAttribute('data-verified')).toBe('true');
    expect(card.userPin.retries).toBe(3);
  });
});
