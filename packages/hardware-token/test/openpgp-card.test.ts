// The OpenPGP card client against the emulated card through the real pcscd and vpcd: data
// objects, PIN handling with retry counters and blocking, key checks and card removal.
import { ed25519, x25519 } from '@noble/curves/ed25519.js';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { HardwareTokenError, PcscCardTransport, PinError, type OpenPgpCard } from '../src/index.ts';
import { VIRTUAL_READER_SLOT } from './helpers/pcscd.ts';
import { VirtualCardBench } from './helpers/virtual-card.ts';

const USER_PIN = '123456';
const ADMIN_PIN = '12345678';
const FINGERPRINT = new Uint8Array(20).fill(0xab);
const DIGEST = new Uint8Array(32).fill(1);

let bench: VirtualCardBench;

beforeAll(async () => {
  bench = await VirtualCardBench.start();
});
afterEach(async () => {
  await bench.removeCard();
});
afterAll(async () => {
  if (process.env.SEALPOST_PCSCD_DEBUG === '1') console.log(bench.pcscd.log.join(''));
  await bench.stop();
});

async function rejection(promise: Promise<unknown>): Promise<HardwareTokenError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(HardwareTokenError);
  return error as HardwareTokenError;
}

async function cardWithSigningKey(): Promise<{ card: OpenPgpCard; publicKey: Uint8Array }> {
  const card = await bench.open();
  const publicKey = await card.generateKey('signature', 'ed25519', ADMIN_PIN);
  await card.setKeyMetadata('signature', FINGERPRINT, new Date(1_700_000_000_000));
  return { card, publicKey };
}

describe('OpenPGP card connection', () => {
  it('reports an empty reader', async () => {
    const error = await rejection(
      PcscCardTransport.connect({ readerName: VIRTUAL_READER_SLOT, timeoutMs: 1_500 }),
    );
    expect(error.code).toBe('CARD_NOT_PRESENT');
    expect(error.message).toContain(VIRTUAL_READER_SLOT);
  });

  it('reports a missing reader', async () => {
    const error = await rejection(
      PcscCardTransport.connect({ readerName: 'No Such Reader', timeoutMs: 1_500 }),
    );
    expect(error.code).toBe('CARD_READER_NOT_FOUND');
    expect(error.message).toContain('No Such Reader');
  });
});

describe('OpenPGP card data', () => {
  it('reads application data', async () => {
    await bench.insertCard();
    const data = (await bench.open()).applicationData;
    expect(data.version).toBe('3.4');
    expect(data.manufacturer).toBe(0xfffe);
    expect(data.serial).toBe('00001234');
    expect(data.pinStatus.retries).toEqual({ user: 3, resetCode: 0, admin: 3 });
    expect(data.pinStatus.userPinValidForMultipleSignatures).toBe(false);
    expect(data.fingerprints.signature).toBeNull();
    expect(data.algorithmAttributes.signature.algorithm).toBe('rsa');
    expect(data.supportsExtendedLength).toBe(true);
    expect(data.supportsKeyImport).toBe(true);
  });

  it('reads cardholder data', async () => {
    await bench.insertCard();
    const holder = await (await bench.open()).readCardholderData();
    expect(holder.language).toBe('en');
    expect(holder.sex).toBe(9);
  });

  it('stores fingerprint and generation time', async () => {
    await bench.insertCard();
    const { card } = await cardWithSigningKey();
    expect(card.applicationData.fingerprints.signature).toEqual(FINGERPRINT);
    expect(card.applicationData.generationTimes.signature).toEqual(new Date(1_700_000_000_000));
    expect(card.applicationData.algorithmAttributes.signature.algorithm).toBe('ed25519');
  });

  it('reads the generated public key back', async () => {
    await bench.insertCard();
    const { card, publicKey } = await cardWithSigningKey();
    expect(await card.readPublicKey('signature')).toEqual(publicKey);
  });

  it('signs and deciphers without extended length', async () => {
    await bench.insertCard({ extendedLength: false });
    const { card, publicKey } = await cardWithSigningKey();
    expect(card.applicationData.supportsExtendedLength).toBe(false);
    const signature = await card.sign(DIGEST, { pin: USER_PIN });
    expect(ed25519.verify(signature, DIGEST, publicKey)).toBe(true);

    const cardPublic = await card.generateKey('decryption', 'x25519', ADMIN_PIN);
    await card.setKeyMetadata('decryption', FINGERPRINT, new Date(1_700_000_000_000));
    const ephemeral = x25519.utils.randomSecretKey();
    const shared = await card.decipher(x25519.getPublicKey(ephemeral), { pin: USER_PIN });
    expect(shared).toEqual(x25519.getSharedSecret(ephemeral, cardPublic));
  });
});

describe('OpenPGP card PINs', () => {
  it('reports tries left after a wrong PIN', async () => {
    await bench.insertCard();
    const card = await bench.open();
    const error = await rejection(card.verifyPin('user', '654321'));
    expect(error).toBeInstanceOf(PinError);
    expect(error.code).toBe('CARD_PIN_INVALID');
    expect((error as PinError).retriesLeft).toBe(2);
    expect(error.message).toContain('2 tries remain');
    expect(card.applicationData.pinStatus.retries.user).toBe(2);
  });

  it('reports a blocked PIN and unblocks it', async () => {
    const applet = await bench.insertCard();
    const card = await bench.open();
    await rejection(card.verifyPin('user', '000000'));
    await rejection(card.verifyPin('user', '000000'));
    const third = await rejection(card.verifyPin('user', '000000'));
    expect(third.code).toBe('CARD_BLOCKED');

    // The next try is refused before any VERIFY reaches the card.
    const blocked = await rejection(card.verifyPin('user', USER_PIN));
    expect(blocked.code).toBe('CARD_BLOCKED');
    expect(applet.userPin.retries).toBe(0);

    await card.resetUserPin(ADMIN_PIN, '24681357');
    expect(card.applicationData.pinStatus.retries.user).toBe(3);
    await card.verifyPin('user', '24681357');
  });

  it('rejects a short PIN without using a try', async () => {
    await bench.insertCard();
    const card = await bench.open();
    const error = await rejection(card.verifyPin('admin', '1234'));
    expect(error.code).toBe('CARD_PIN_FORMAT_INVALID');
    await card.refresh();
    expect(card.applicationData.pinStatus.retries.admin).toBe(3);
  });

  it('changes the user PIN', async () => {
    await bench.insertCard();
    const card = await bench.open();
    await card.changePin('user', USER_PIN, '11223344');
    const old = await rejection(card.verifyPin('user', USER_PIN));
    expect(old.code).toBe('CARD_PIN_INVALID');
    await card.verifyPin('user', '11223344');
  });

  it('changes the admin PIN', async () => {
    await bench.insertCard();
    const card = await bench.open();
    const wrong = await rejection(card.changePin('admin', '87654321', '99887766'));
    expect(wrong.code).toBe('CARD_PIN_INVALID');
    await card.changePin('admin', ADMIN_PIN, '99887766');
    await card.verifyPin('admin', '99887766');
  });

  it('requires the PIN for every signature', async () => {
    await bench.insertCard();
    const { card } = await cardWithSigningKey();
    await card.sign(DIGEST, { pin: USER_PIN });
    const error = await rejection(card.sign(DIGEST, { pin: '999999' }));
    expect(error.code).toBe('CARD_PIN_INVALID');
  });
});

describe('OpenPGP card key checks', () => {
  it('rejects a card with another key', async () => {
    const applet = await bench.insertCard();
    const { card } = await cardWithSigningKey();
    const error = await rejection(
      card.sign(DIGEST, { pin: USER_PIN, expectedFingerprint: new Uint8Array(20).fill(1) }),
    );
    expect(error.code).toBe('CARD_KEY_MISMATCH');
    expect(error.message).toContain('AB'.repeat(20));
    expect(applet.signatureCount).toBe(0);
    expect(card.applicationData.pinStatus.retries.user).toBe(3);
  });

  it('reports an empty key slot', async () => {
    await bench.insertCard();
    const card = await bench.open();
    const error = await rejection(card.sign(DIGEST, { pin: USER_PIN }));
    expect(error.code).toBe('CARD_KEY_MISSING');
  });

  it('reports a card removed mid-operation', async () => {
    let removeOnSignature = false;
    const applet = await bench.insertCard({
      // INS 2A is PSO: the card disappears when the signature is requested.
      beforeCommand: (apdu) => (removeOnSignature && apdu[1] === 0x2a ? 'remove' : undefined),
    });
    const { card, publicKey } = await cardWithSigningKey();
    removeOnSignature = true;
    const error = await rejection(card.sign(DIGEST, { pin: USER_PIN }));
    expect(error.code).toBe('CARD_REMOVED');
    expect(applet.signatureCount).toBe(0);

    // The key on the card is unharmed and usable again once the card is back.
    await bench.insertCard({ applet });
    const again = await bench.open();
    expect(again.applicationData.fingerprints.signature).toEqual(FINGERPRINT);
    const signature = await again.sign(DIGEST, { pin: USER_PIN });
    expect(ed25519.verify(signature, DIGEST, publicKey)).toBe(true);
  });
});
