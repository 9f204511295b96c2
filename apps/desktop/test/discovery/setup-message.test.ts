// Import of an Autocrypt Setup Message: the secret key, symmetrically encrypted with a numeric
// setup code as Autocrypt Level 1 section 4.4 describes, becomes a Sealpost identity.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openLocalUser, encode, type LocalUser } from './helpers.ts';
import { SETUP_CODE, setupMessage } from './setup-message-fixture.ts';

describe('Autocrypt Setup Message import', () => {
  let user: LocalUser;

  beforeAll(async () => {
    user = await openLocalUser('setup');
  });

  afterAll(() => user?.close());

  it('rejects a wrong setup code', async () => {
    const { raw } = await setupMessage(`wrong-${user.address}`);
    await expect(
      user.sealpost.importSetupMessage(encode(raw), '9999-5678-9012-3456-7890-1234-5678-9012-3456'),
    ).rejects.toMatchObject({ code: 'SETUP_CODE_INVALID' });
    await expect(user.sealpost.importSetupMessage(encode(raw), '1234')).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
    });
  });

  it('imports the key with the right code', async () => {
    const address = `imported-${user.address}`;
    const { raw, fingerprint } = await setupMessage(address);
    const digitsOnly = SETUP_CODE.replace(/-/g, '');
    const results = await user.sealpost.importSetupMessage(encode(raw), digitsOnly);
    expect(results).toHaveLength(1);
    expect(results[0]?.kind).toBe('secret-key');
    expect(results[0]?.fingerprint).toBe(fingerprint);
    expect(user.sealpost.keys.list().map((identity) => identity.address)).toContain(address);
  });
});
