// End to end with the OpenPGP card emulator behind the real pcscd and vpcd, and the real
// Dovecot and Postfix. Alice moves her key to the card. The card signs her mail, which bob
// verifies, and decrypts bob's mail to her. Each failure (wrong PIN, blocked PIN, another
// card, card removed) gives its code and loses nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OpenPgpCardApplet } from '../../../../packages/hardware-token/test/card-emulator/openpgp-card-applet.ts';
import { VirtualCardBench } from '../../../../packages/hardware-token/test/helpers/virtual-card.ts';
import type { PinRequest } from '../../src/core/hardware/card-pin.ts';
import { createUser, swapCertificates, syncAndFind } from '../e2e/stack.ts';
import type { TestUser } from '../e2e/stack.ts';

const USER_PIN = '123456';
const ADMIN_PIN = '12345678';
const WRONG_PIN = '654321';

let bench: VirtualCardBench;
let alice: TestUser;
let bob: TestUser;
let aliceCard: OpenPgpCardApplet;
/** PINs the prompt hands out, first in first out; null cancels. */
let pins: Array<string | null> = [];
let requests: PinRequest[] = [];

function answerPins(...answers: Array<string | null>): void {
  pins = answers;
  requests = [];
}

async function sendToBob(subject: string) {
  return alice.sealpost.mail.send({
    from: null,
    to: [bob.address],
    cc: [],
    bcc: [],
    subject,
    text: `${subject}\n`,
    attachments: [],
    allowPlaintext: false,
  });
}

async function sendToAlice(subject: string): Promise<number> {
  const sent = await bob.sealpost.mail.send({
    from: null,
    to: [alice.address],
    cc: [],
    bcc: [],
    subject,
    text: `${subject}\n`,
    attachments: [],
    allowPlaintext: false,
  });
  return syncAndFind(alice, sent.messageId);
}

async function errorOf(promise: Promise<unknown>): Promise<Error & { code?: string }> {
  try {
    await promise;
  } catch (error) {
    return error as Error & { code?: string };
  }
  throw new Error('The operation succeeded, but an error was expected.');
}

beforeAll(async () => {
  bench = await VirtualCardBench.start();
  alice = await createUser('alice');
  bob = await createUser('bob');
  await swapCertificates(alice, bob);
  alice.sealpost.cards.setPinPrompt(async (request) => {
    requests.push(request);
    return pins.length > 0 ? pins.shift()! : null;
  });
});

afterAll(async () => {
  alice?.close();
  bob?.close();
  await bench?.stop();
});

describe('key on an OpenPGP card', () => {
  it('moves the key only after a test signature and decryption', async () => {
    // The card is pulled during the test signature: the import happened, the check did not.
    await bench.insertCard({ beforeCommand: (apdu) => (apdu[1] === 0x2a ? 'remove' : undefined) });
    const diskCopy = alice.sealpost.keys.exportSecretKey(alice.address);
    answerPins(ADMIN_PIN, USER_PIN);

    const error = await errorOf(
      alice.sealpost.cards.moveKey({ address: alice.address, keepDiskCopy: false }),
    );

    expect(error.code).toBe('CARD_REMOVED');
    expect(alice.sealpost.cards.binding(alice.address)).toBeNull();
    expect(alice.sealpost.keys.exportSecretKey(alice.address)).toBe(diskCopy);
  });

  it('moves the key and destroys the disk copy', async () => {
    aliceCard = await bench.insertCard();
    answerPins(ADMIN_PIN, USER_PIN);

    const binding = await alice.sealpost.cards.moveKey({
      address: alice.address,
      keepDiskCopy: false,
    });

    expect(binding.diskCopy).toBe(false);
    expect(binding.signatureFingerprint).toBe(
      alice.sealpost.keys.list()[0]!.fingerprint.toUpperCase(),
    );
    expect(requests.map((request) => request.kind)).toEqual(['admin', 'user']);
    const status = await alice.sealpost.cards.status();
    expect(status.signatureFingerprint).toBe(binding.signatureFingerprint);
    expect(status.decryptionFingerprint).toBe(binding.decryptionFingerprint);
    expect(status.boundAddresses).toEqual([alice.address]);
    expect(status.userPinRetries).toBe(3);
    // Bob learns the certificate without the ML-KEM subkey, as Autocrypt would tell him.
    await bob.sealpost.keys.import(
      new TextEncoder().encode(alice.sealpost.keys.exportCertificate(alice.address)),
      { keyPassphrase: null, replacePinned: true },
    );
  });

  it('signs mail that bob verifies', async () => {
    answerPins(USER_PIN);
    const signaturesBefore = aliceCard.signatureCount;

    const sent = await sendToBob('Signed by the card');
    const message = await bob.sealpost.mail.read(await syncAndFind(bob, sent.messageId));

    expect(sent.mode).toBe('openpgp');
    expect(aliceCard.signatureCount).toBe(signaturesBefore + 1);
    expect(message.subject).toBe('Signed by the card');
    expect(message.signatureSummary).toBe('verified');
    expect(message.signatures[0]?.status).toBe('valid');
    expect(message.signatures[0]?.signerFingerprint).toBe(
      alice.sealpost.keys.list()[0]!.fingerprint,
    );
  });

  it('decrypts mail to alice on the card', async () => {
    const id = await sendToAlice('For the card');
    answerPins(USER_PIN);

    const message = await alice.sealpost.mail.read(id);

    expect(message.subject).toBe('For the card');
    expect(message.text?.trim()).toBe('For the card');
    expect(message.encryption.decryptedWith).toBe(alice.sealpost.keys.list()[0]!.fingerprint);
    expect(message.signatureSummary).toBe('verified');
    expect(message.signatures[0]?.signerFingerprint).toBe(bob.sealpost.keys.list()[0]!.fingerprint);
    expect(requests).toHaveLength(1);
  });

  it('sends OpenPGP when ratchet mode would be ready', async () => {
    // Reading bob's signed mail taught alice his prekey bundle, so ratchet mode is ready, but
    // it signs with the disk key.
    const plan = await alice.sealpost.planSend({ from: null, to: [bob.address], cc: [], bcc: [] });
    answerPins(USER_PIN);

    const sent = await sendToBob('Ratchet ready');

    expect(plan.mode).toBe('openpgp');
    expect(plan.reason).toContain('sender key is on an OpenPGP card');
    expect(sent.mode).toBe('openpgp');
    expect(sent.modeReason).toBe(plan.reason);
  });

  it('reports a wrong PIN with the tries left', async () => {
    answerPins(WRONG_PIN, null);

    const error = await errorOf(sendToBob('Wrong PIN'));

    expect(error.code).toBe('CARD_PIN_INVALID');
    expect(error.message).toContain('2 tries remain');
    expect(requests[1]?.retriesLeft).toBe(2);
    expect(requests[1]?.previousError).toContain('2 tries remain');
    expect(await alice.sealpost.mail.listOutbox()).toHaveLength(0);
  });

  it('asks again after a wrong PIN', async () => {
    answerPins(WRONG_PIN, USER_PIN);

    const sent = await sendToBob('Second try');

    expect(sent.mode).toBe('openpgp');
    expect(requests.map((request) => request.retriesLeft)).toEqual([2, 1]);
    expect((await alice.sealpost.cards.status()).userPinRetries).toBe(3);
  });

  it('rejects another card before any PIN', async () => {
    await bench.insertCard({ serial: 0x0badcafe });
    answerPins(USER_PIN);

    const error = await errorOf(sendToBob('Another card'));

    expect(error.code).toBe('CARD_KEY_MISMATCH');
    expect(requests).toHaveLength(0);
  });

  it('reports a card removed while signing', async () => {
    await bench.insertCard({
      applet: aliceCard,
      beforeCommand: (apdu) => (apdu[1] === 0x2a ? 'remove' : undefined),
    });
    answerPins(USER_PIN);

    const error = await errorOf(sendToBob('Removed while signing'));

    expect(error.code).toBe('CARD_REMOVED');
    expect(await alice.sealpost.mail.listOutbox()).toHaveLength(0);
  });

  it('keeps the stored message when the card is removed while reading', async () => {
    await bench.insertCard({ applet: aliceCard });
    const id = await sendToAlice('Removed while reading');
    const original = Buffer.from(alice.sealpost.mail.getRaw(id));
    await bench.insertCard({
      applet: aliceCard,
      beforeCommand: (apdu) => (apdu[1] === 0x2a ? 'remove' : undefined),
    });
    answerPins(USER_PIN);

    const error = await errorOf(alice.sealpost.mail.read(id));

    expect(error.code).toBe('CARD_REMOVED');
    expect(Buffer.from(alice.sealpost.mail.getRaw(id)).equals(original)).toBe(true);
    await bench.insertCard({ applet: aliceCard });
    answerPins(USER_PIN);
    expect((await alice.sealpost.mail.read(id)).subject).toBe('Removed while reading');
  });

  it('reports a blocked PIN as blocked', async () => {
    await bench.insertCard({ applet: aliceCard });
    answerPins(WRONG_PIN, WRONG_PIN, WRONG_PIN, USER_PIN);

    const error = await errorOf(sendToBob('Blocked'));

    expect(error.code).toBe('CARD_BLOCKED');
    expect((await alice.sealpost.cards.status()).userPinRetries).toBe(0);
    expect(await alice.sealpost.mail.listOutbox()).toHaveLength(0);
  });
});
