// hmac-secret key derivation end to end against the software authenticator, through the same
// CTAPHID frames a USB key exchanges: enrolment, repeatable derivation, salts, PINs, timeouts.
import { describe, expect, it } from 'vitest';
import {
  HardwareTokenError,
  PinError,
  deriveKeyEncryptionKey,
  enrollHmacSecret,
} from '../../src/index.ts';
import { SoftwareAuthenticator } from './software-authenticator.ts';

async function rejection(promise: Promise<unknown>): Promise<HardwareTokenError> {
  const caught = await promise.then(
    () => undefined,
    (error: unknown) => error,
  );
  expect(caught).toBeInstanceOf(HardwareTokenError);
  return caught as HardwareTokenError;
}

describe('hmac-secret without PIN', () => {
  it('derives the same key each time', async () => {
    const authenticator = new SoftwareAuthenticator();
    const enrolment = await enrollHmacSecret(authenticator);
    expect(enrolment.credentialId).toHaveLength(32);
    expect(enrolment.salt).toHaveLength(32);
    expect(enrolment.userVerification).toBe(false);

    const first = await deriveKeyEncryptionKey(authenticator, [enrolment]);
    const second = await deriveKeyEncryptionKey(authenticator, [enrolment]);
    expect(first.keyEncryptionKey).toHaveLength(32);
    expect(second.keyEncryptionKey).toEqual(first.keyEncryptionKey);
    expect(authenticator.touchRequests).toBe(3);
  });

  it('derives another key for another salt', async () => {
    const authenticator = new SoftwareAuthenticator();
    const enrolment = await enrollHmacSecret(authenticator);
    const original = await deriveKeyEncryptionKey(authenticator, [enrolment]);
    const otherSalt = { ...enrolment, salt: new Uint8Array(32).fill(7) };
    const other = await deriveKeyEncryptionKey(authenticator, [otherSalt]);
    expect(other.keyEncryptionKey).not.toEqual(original.keyEncryptionKey);
  });

  it('picks the enrolment of the key present', async () => {
    const first = new SoftwareAuthenticator();
    const second = new SoftwareAuthenticator();
    const enrolments = [await enrollHmacSecret(first), await enrollHmacSecret(second)];
    const fromSecond = await deriveKeyEncryptionKey(second, enrolments);
    expect(fromSecond.enrolment).toBe(enrolments[1]);
    const fromFirst = await deriveKeyEncryptionKey(first, enrolments);
    expect(fromFirst.enrolment).toBe(enrolments[0]);
    expect(fromFirst.keyEncryptionKey).not.toEqual(fromSecond.keyEncryptionKey);
  });

  it('works without the silent check', async () => {
    const enrolled = new SoftwareAuthenticator();
    const other = new SoftwareAuthenticator();
    const enrolments = [await enrollHmacSecret(other), await enrollHmacSecret(enrolled)];
    enrolled.rejectsSilentCheck = true;
    other.rejectsSilentCheck = true;
    const first = await deriveKeyEncryptionKey(enrolled, enrolments);
    const second = await deriveKeyEncryptionKey(enrolled, enrolments);
    expect(first.enrolment).toBe(enrolments[1]);
    expect(second.keyEncryptionKey).toEqual(first.keyEncryptionKey);
  });

  it('keeps credentials across exported state', async () => {
    const authenticator = new SoftwareAuthenticator();
    const enrolment = await enrollHmacSecret(authenticator);
    const before = await deriveKeyEncryptionKey(authenticator, [enrolment]);
    const restored = SoftwareAuthenticator.fromState(
      JSON.parse(JSON.stringify(authenticator.exportState())),
    );
    const after = await deriveKeyEncryptionKey(restored, [enrolment]);
    expect(after.keyEncryptionKey).toEqual(before.keyEncryptionKey);
  });

  it('reports a key that is not enrolled', async () => {
    const enrolment = await enrollHmacSecret(new SoftwareAuthenticator());
    const error = await rejection(deriveKeyEncryptionKey(new SoftwareAuthenticator(), [enrolment]));
    expect(error.code).toBe('FIDO_CREDENTIAL_NOT_FOUND');
  });

  it('times out without a touch', async () => {
    const authenticator = new SoftwareAuthenticator();
    const enrolment = await enrollHmacSecret(authenticator);
    authenticator.presence = 'never';
    let touchPrompts = 0;
    const error = await rejection(
      deriveKeyEncryptionKey(authenticator, [enrolment], {
        timeoutMs: 300,
        onTouchNeeded: () => (touchPrompts += 1),
      }),
    );
    expect(error.code).toBe('FIDO_TIMEOUT');
    expect(touchPrompts).toBeGreaterThan(0);
  });
});

describe('hmac-secret with PIN', () => {
  it('requires the PIN to enrol', async () => {
    const error = await rejection(enrollHmacSecret(new SoftwareAuthenticator({ pin: '4321' })));
    expect(error.code).toBe('FIDO_PIN_REQUIRED');
  });

  it('derives with the PIN', async () => {
    const authenticator = new SoftwareAuthenticator({ pin: '4321' });
    const enrolment = await enrollHmacSecret(authenticator, { pin: '4321' });
    expect(enrolment.userVerification).toBe(true);
    const first = await deriveKeyEncryptionKey(authenticator, [enrolment], { pin: '4321' });
    const second = await deriveKeyEncryptionKey(authenticator, [enrolment], { pin: '4321' });
    expect(second.keyEncryptionKey).toEqual(first.keyEncryptionKey);

    const withoutPin = await rejection(deriveKeyEncryptionKey(authenticator, [enrolment]));
    expect(withoutPin.code).toBe('FIDO_PIN_REQUIRED');
  });

  it('reports a wrong PIN with tries left', async () => {
    const authenticator = new SoftwareAuthenticator({ pin: '4321' });
    const enrolment = await enrollHmacSecret(authenticator, { pin: '4321' });
    const error = await rejection(
      deriveKeyEncryptionKey(authenticator, [enrolment], { pin: '9999' }),
    );
    expect(error).toBeInstanceOf(PinError);
    expect(error.code).toBe('FIDO_PIN_INVALID');
    expect((error as PinError).retriesLeft).toBe(7);
    expect(authenticator.pinRetries).toBe(7);
  });

  it('reports a blocked PIN', async () => {
    const authenticator = new SoftwareAuthenticator({ pin: '4321' });
    const enrolment = await enrollHmacSecret(authenticator, { pin: '4321' });
    authenticator.pinRetries = 1;
    const error = await rejection(
      deriveKeyEncryptionKey(authenticator, [enrolment], { pin: '0000' }),
    );
    expect(error.code).toBe('FIDO_PIN_BLOCKED');
  });
});
