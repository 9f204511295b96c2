// FIDO2 security keys as unlock methods of the keystore. The tests run against the software
// authenticator behind the same HidTransport interface as node-hid, and the real Secret
// Service. They cover enrolment, the require policy, recovery after a lost key, and bad input
// that must leave keystore.json as it was.

import { readFileSync, writeFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { OsKeychain } from '../../src/core/keystore/keychain.ts';
import { entryName } from '../../src/core/keystore/keystore.ts';
import { readKeystoreFile } from '../../src/core/keystore/keystore-file.ts';
import type { Fido2DeviceSource } from '../../src/core/hardware/fido2-device.ts';
import type { Sealpost } from '../../src/core/sealpost.ts';
import { SoftwareAuthenticator } from '../../../../packages/hardware-token/test/fido2/software-authenticator.ts';
import { localAddress, makeDataFolder } from '../at-rest/helpers.ts';
import type { DataFolder } from '../at-rest/helpers.ts';

const PASSPHRASE = 'fido2 test passphrase';

let folders: DataFolder[] = [];
function folder(): DataFolder {
  const created = makeDataFolder('sealpost-fido2-');
  folders.push(created);
  return created;
}
afterEach(() => {
  for (const created of folders) created.remove();
  folders = [];
});

/** Returns a device source that always reaches `authenticator`, like a plugged-in key. */
function plugged(authenticator: SoftwareAuthenticator): Fido2DeviceSource {
  return { isConnected: async () => true, open: async () => authenticator };
}

const unplugged: Fido2DeviceSource = {
  isConnected: async () => false,
  open: async () => {
    throw new Error('no security key is connected');
  },
};

async function withOpen<T>(
  opening: Promise<Sealpost>,
  action: (sealpost: Sealpost) => Promise<T> | T,
): Promise<T> {
  const sealpost = await opening;
  try {
    return await action(sealpost);
  } finally {
    sealpost.close();
  }
}

async function rejection(promise: Promise<unknown>): Promise<Error & { code: string }> {
  const caught = await promise.then(
    () => null,
    (error: unknown) => error,
  );
  expect(caught).toBeInstanceOf(Error);
  return caught as Error & { code: string };
}

describe('FIDO2 key in a keychain folder', () => {
  it('enrols, lists and removes keys', async () => {
    const data = folder();
    const first = new SoftwareAuthenticator();
    const second = new SoftwareAuthenticator();
    await withOpen(data.open(), async (sealpost) => {
      const enrolled = await sealpost.fido2.enroll({ name: 'desk key', device: plugged(first) });
      expect(enrolled.mode).toBe('keychain');
      expect(enrolled.recoveryCode).toBeNull();
      await sealpost.fido2.enroll({ device: plugged(second) });
      expect(sealpost.fido2.list().map((key) => key.name)).toEqual(['desk key', 'security-key-1']);
    });
    // Two touches per enrolment: makeCredential and the getAssertion for the hmac-secret output.
    expect(first.touchRequests).toBe(2);

    const file = readKeystoreFile(data.paths.keystore);
    expect(file.mode).toBe('keychain');
    const slot = file.fido2![0]!;
    expect(slot.rpId).toBe('sealpost.local');
    expect(Buffer.from(slot.salt, 'base64')).toHaveLength(32);
    expect(Buffer.from(slot.wrappedKeys, 'base64')).toHaveLength(12 + 16 + 64);
    // The keychain keys appear nowhere in the file.
    const keychain = new OsKeychain();
    const kek = Buffer.from(keychain.get(entryName(file.folderId, 'kek'))!, 'base64');
    const text = readFileSync(data.paths.keystore, 'utf8');
    expect(text).not.toContain(kek.toString('base64'));
    expect(text).not.toContain(kek.toString('hex'));

    // The keychain still opens the folder without a touch.
    await withOpen(data.open({ fido2: { device: plugged(first) } }), () => undefined);
    expect(first.touchRequests).toBe(2);

    await withOpen(data.open(), (sealpost) => sealpost.fido2.remove('desk key'));
    expect(readKeystoreFile(data.paths.keystore).fido2!.map((entry) => entry.name)).toEqual([
      'security-key-1',
    ]);
  });

  it('opens with the key when the keychain entry is gone', async () => {
    const data = folder();
    const authenticator = new SoftwareAuthenticator();
    const address = localAddress('fido2');
    await withOpen(data.open(), async (sealpost) => {
      await sealpost.keys.generate({ address, name: null });
      await sealpost.fido2.enroll({ device: plugged(authenticator) });
    });
    const file = readKeystoreFile(data.paths.keystore);
    new OsKeychain().delete(entryName(file.folderId, 'kek'));

    await expect(data.open({ fido2: { device: unplugged } })).rejects.toMatchObject({
      code: 'KEYCHAIN_ENTRY_MISSING',
    });
    const addresses = await withOpen(
      data.open({ fido2: { device: plugged(authenticator) } }),
      (sealpost) => sealpost.keys.list().map((identity) => identity.address),
    );
    expect(addresses).toEqual([address]);
  });

  it('requires the key and recovers a lost one', async () => {
    const data = folder();
    const lost = new SoftwareAuthenticator();
    const address = localAddress('fido2');
    const enrolled = await withOpen(data.open(), async (sealpost) => {
      await sealpost.keys.generate({ address, name: null });
      return sealpost.fido2.enroll({ name: 'lost', require: true, device: plugged(lost) });
    });
    expect(enrolled.mode).toBe('fido2');
    expect(enrolled.recoveryCode).toMatch(/^(\d{4}-){9}\d{4}$/);

    const file = readKeystoreFile(data.paths.keystore);
    expect(file.mode).toBe('fido2');
    expect(file.recovery).toBe('recovery-code');
    const keychain = new OsKeychain();
    expect(keychain.get(entryName(file.folderId, 'kek'))).toBeNull();
    expect(keychain.get(entryName(file.folderId, 'database-key'))).toBeNull();

    // Opening now takes a touch of the enrolled key.
    let prompts = 0;
    await withOpen(
      data.open({ fido2: { device: plugged(lost), onTouchNeeded: () => (prompts += 1) } }),
      (sealpost) =>
        expect(sealpost.keys.list().map((identity) => identity.address)).toEqual([address]),
    );
    expect(prompts).toBeGreaterThan(0);

    // The key is lost: another authenticator stores no enrolled credential.
    const replacement = new SoftwareAuthenticator();
    const missing = await rejection(data.open({ fido2: { device: plugged(replacement) } }));
    expect(missing.code).toBe('FIDO_CREDENTIAL_NOT_FOUND');
    const wrongCode = await rejection(
      data.open({ passphrase: '0000-0000-0000-0000-0000-0000-0000-0000-0000-0000' }),
    );
    expect(wrongCode.code).toBe('INVALID_PASSPHRASE');

    // The recovery code opens the folder; a new key replaces the lost one.
    await withOpen(data.open({ passphrase: enrolled.recoveryCode! }), async (sealpost) => {
      expect(sealpost.keys.list().map((identity) => identity.address)).toEqual([address]);
      await sealpost.fido2.enroll({ name: 'replacement', device: plugged(replacement) });
      sealpost.fido2.remove('lost');
    });
    await withOpen(data.open({ fido2: { device: plugged(replacement) } }), (sealpost) => {
      expect(sealpost.fido2.list().map((key) => key.name)).toEqual(['replacement']);
    });
    const stale = await rejection(data.open({ fido2: { device: plugged(lost) } }));
    expect(stale.code).toBe('FIDO_CREDENTIAL_NOT_FOUND');
  });
});

describe('FIDO2 key in a passphrase folder', () => {
  it('opens with a touch instead of the passphrase', async () => {
    const data = folder();
    const authenticator = new SoftwareAuthenticator();
    await withOpen(data.open({ keychain: null, passphrase: PASSPHRASE }), (sealpost) =>
      sealpost.fido2.enroll({ device: plugged(authenticator) }),
    );
    await withOpen(
      data.open({ keychain: null, fido2: { device: plugged(authenticator) } }),
      () => {},
    );
    expect(authenticator.touchRequests).toBe(3);

    // Without a connected key the passphrase is needed, as before.
    const required = await rejection(data.open({ keychain: null, fido2: { device: unplugged } }));
    expect(required.code).toBe('PASSPHRASE_REQUIRED');
  });

  it('keeps the passphrase as recovery when required', async () => {
    const data = folder();
    const authenticator = new SoftwareAuthenticator();
    const enrolled = await withOpen(
      data.open({ keychain: null, passphrase: PASSPHRASE }),
      (sealpost) => sealpost.fido2.enroll({ require: true, device: plugged(authenticator) }),
    );
    expect(enrolled.recoveryCode).toBeNull();
    const file = readKeystoreFile(data.paths.keystore);
    expect(file.mode).toBe('fido2');
    expect(file.recovery).toBe('passphrase');

    const required = await rejection(data.open({ keychain: null, fido2: { device: unplugged } }));
    expect(required.code).toBe('FIDO_DEVICE_NOT_FOUND');
    await withOpen(
      data.open({ keychain: null, fido2: { device: plugged(authenticator) } }),
      () => {},
    );
    await withOpen(data.open({ keychain: null, passphrase: PASSPHRASE }), () => {});

    const removal = await rejection(
      withOpen(data.open({ keychain: null, passphrase: PASSPHRASE }), (sealpost) =>
        sealpost.fido2.remove(sealpost.fido2.list()[0]!.name),
      ),
    );
    expect(removal.code).toBe('FIDO2_LAST_UNLOCK_METHOD');
    expect(readKeystoreFile(data.paths.keystore)).toEqual(file);
  });
});

describe('FIDO2 unlock after lock', () => {
  it('unlocks a locked session again', async () => {
    const data = folder();
    const authenticator = new SoftwareAuthenticator();
    const address = localAddress('fido2');
    await withOpen(data.open({ keychain: null, passphrase: PASSPHRASE }), async (sealpost) => {
      await sealpost.keys.generate({ address, name: null });
      await sealpost.fido2.enroll({ require: true, device: plugged(authenticator) });
    });
    await withOpen(
      data.open({ keychain: null, fido2: { device: plugged(authenticator) } }),
      async (sealpost) => {
        sealpost.lock();
        await expect(sealpost.keys.unlock(address)).rejects.toMatchObject({
          code: 'PASSPHRASE_REQUIRED',
        });

        const missing = await rejection(
          sealpost.unlockWithFido2({ device: plugged(new SoftwareAuthenticator()) }),
        );
        expect(missing.code).toBe('FIDO_CREDENTIAL_NOT_FOUND');
        await sealpost.unlockWithFido2({ device: plugged(authenticator) });
        const signingKey = await sealpost.keys.unlock(address);
        signingKey.clear();
      },
    );
  });
});

describe('FIDO2 bad input changes nothing', () => {
  /** Creates a passphrase folder that requires one key; returns it and its keystore.json bytes. */
  async function requiredFolder(authenticator: SoftwareAuthenticator, pin?: string) {
    const data = folder();
    await withOpen(data.open({ keychain: null, passphrase: PASSPHRASE }), (sealpost) =>
      sealpost.fido2.enroll({
        name: 'main',
        require: true,
        device: plugged(authenticator),
        requestPin: async () => pin ?? null,
      }),
    );
    return { data, before: readFileSync(data.paths.keystore) };
  }

  it('rejects an authenticator without the credential', async () => {
    const { data, before } = await requiredFolder(new SoftwareAuthenticator());
    const error = await rejection(
      data.open({ keychain: null, fido2: { device: plugged(new SoftwareAuthenticator()) } }),
    );
    expect(error.code).toBe('FIDO_CREDENTIAL_NOT_FOUND');
    expect(error.message).toMatch(/enrol/);
    expect(readFileSync(data.paths.keystore).equals(before)).toBe(true);
  });

  it('fails closed on a tampered wrapped blob', async () => {
    const authenticator = new SoftwareAuthenticator();
    const { data } = await requiredFolder(authenticator);
    const contents = readKeystoreFile(data.paths.keystore);
    const wrapped = Buffer.from(contents.fido2![0]!.wrappedKeys, 'base64');
    wrapped[wrapped.length - 1]! ^= 0x01;
    contents.fido2![0]!.wrappedKeys = wrapped.toString('base64');
    writeFileSync(data.paths.keystore, JSON.stringify(contents));
    const tampered = readFileSync(data.paths.keystore);

    const error = await rejection(
      data.open({ keychain: null, fido2: { device: plugged(authenticator) } }),
    );
    expect(error.code).toBe('FIDO2_SLOT_TAMPERED');
    expect(error.message).toContain('"main"');
    expect(readFileSync(data.paths.keystore).equals(tampered)).toBe(true);
  });

  it('rejects a blob moved to another slot', async () => {
    const authenticator = new SoftwareAuthenticator();
    const other = new SoftwareAuthenticator();
    const { data } = await requiredFolder(authenticator);
    await withOpen(data.open({ keychain: null, passphrase: PASSPHRASE }), (sealpost) =>
      sealpost.fido2.enroll({ name: 'other', device: plugged(other) }),
    );
    const contents = readKeystoreFile(data.paths.keystore);
    // Same authenticator output, but the blob of another slot id: the associated data differs.
    contents.fido2![0]!.id = contents.fido2![1]!.id;
    writeFileSync(data.paths.keystore, JSON.stringify(contents));

    const error = await rejection(
      data.open({ keychain: null, fido2: { device: plugged(authenticator) } }),
    );
    expect(error.code).toBe('FIDO2_SLOT_TAMPERED');
  });

  it('times out without a touch', async () => {
    const authenticator = new SoftwareAuthenticator();
    const { data, before } = await requiredFolder(authenticator);
    authenticator.presence = 'never';
    let prompts = 0;
    const error = await rejection(
      data.open({
        keychain: null,
        fido2: {
          device: plugged(authenticator),
          timeoutMs: 300,
          onTouchNeeded: () => (prompts += 1),
        },
      }),
    );
    expect(error.code).toBe('FIDO_TIMEOUT');
    expect(prompts).toBeGreaterThan(0);
    expect(readFileSync(data.paths.keystore).equals(before)).toBe(true);
  });

  it('stores nothing when enrolment times out', async () => {
    const data = folder();
    const authenticator = new SoftwareAuthenticator({ presence: 'never' });
    await withOpen(data.open({ keychain: null, passphrase: PASSPHRASE }), async (sealpost) => {
      const before = readFileSync(data.paths.keystore);
      const error = await rejection(
        sealpost.fido2.enroll({ require: true, device: plugged(authenticator), timeoutMs: 300 }),
      );
      expect(error.code).toBe('FIDO_TIMEOUT');
      expect(readFileSync(data.paths.keystore).equals(before)).toBe(true);
    });
  });

  it('rejects a wrong PIN with tries left', async () => {
    const authenticator = new SoftwareAuthenticator({ pin: '4321' });
    const { data, before } = await requiredFolder(authenticator, '4321');
    expect(readKeystoreFile(data.paths.keystore).fido2![0]!.userVerification).toBe(true);

    const error = await rejection(
      data.open({
        keychain: null,
        fido2: { device: plugged(authenticator), requestPin: async () => '9999' },
      }),
    );
    expect(error.code).toBe('FIDO_PIN_INVALID');
    expect(error.message).toMatch(/7 tries remain/);
    const withoutPin = await rejection(
      data.open({ keychain: null, fido2: { device: plugged(authenticator) } }),
    );
    expect(withoutPin.code).toBe('FIDO_PIN_REQUIRED');
    expect(readFileSync(data.paths.keystore).equals(before)).toBe(true);

    await withOpen(
      data.open({
        keychain: null,
        fido2: { device: plugged(authenticator), requestPin: async () => '4321' },
      }),
      () => {},
    );
  });

  it('rejects a blocked PIN', async () => {
    const authenticator = new SoftwareAuthenticator({ pin: '4321' });
    const { data, before } = await requiredFolder(authenticator, '4321');
    authenticator.pinRetries = 1;
    const error = await rejection(
      data.open({
        keychain: null,
        fido2: { device: plugged(authenticator), requestPin: async () => '0000' },
      }),
    );
    expect(error.code).toBe('FIDO_PIN_BLOCKED');
    expect(readFileSync(data.paths.keystore).equals(before)).toBe(true);
  });

  it('rejects a wrong PIN at enrolment', async () => {
    const data = folder();
    const authenticator = new SoftwareAuthenticator({ pin: '4321' });
    await withOpen(data.open({ keychain: null, passphrase: PASSPHRASE }), async (sealpost) => {
      const before = readFileSync(data.paths.keystore);
      const error = await rejection(
        sealpost.fido2.enroll({ device: plugged(authenticator), requestPin: async () => '1111' }),
      );
      expect(error.code).toBe('FIDO_PIN_INVALID');
      expect(readFileSync(data.paths.keystore).equals(before)).toBe(true);
    });
  });

  it('rejects bad and duplicate names', async () => {
    const authenticator = new SoftwareAuthenticator();
    const { data, before } = await requiredFolder(authenticator);
    await withOpen(data.open({ keychain: null, passphrase: PASSPHRASE }), async (sealpost) => {
      const duplicate = await rejection(
        sealpost.fido2.enroll({ name: 'main', device: plugged(authenticator) }),
      );
      expect(duplicate.code).toBe('FIDO2_SLOT_EXISTS');
      const invalid = await rejection(
        sealpost.fido2.enroll({ name: '../main', device: plugged(authenticator) }),
      );
      expect(invalid.code).toBe('INVALID_ARGUMENT');
      const unknown = await rejection(Promise.resolve().then(() => sealpost.fido2.remove('x')));
      expect(unknown.code).toBe('FIDO2_SLOT_NOT_FOUND');
    });
    expect(readFileSync(data.paths.keystore).equals(before)).toBe(true);
    expect(authenticator.credentials.size).toBe(1);
  });
});
