// Identities generated at test time, so no key material is stored in the repository.
import {
  generateIdentity,
  unlockSecretKey,
  type GeneratedIdentity,
  type UnlockedKey,
} from '../../src/index.ts';

export const passphrase = 'correct horse battery staple';

export interface TestIdentity extends GeneratedIdentity {
  address: string;
  unlocked: UnlockedKey;
}

export async function makeIdentity(
  address: string,
  options: { keyExpirationTime?: number; date?: Date } = {},
): Promise<TestIdentity> {
  const identity = await generateIdentity({
    address,
    name: address.split('@')[0],
    passphrase,
    ...options,
  });
  return { ...identity, address, unlocked: await unlockSecretKey(identity.secretKey, passphrase) };
}

export const encoder = new TextEncoder();
export const decoder = new TextDecoder();
