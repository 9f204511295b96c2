// Helpers for the key discovery tests: a Sealpost data folder opened with a passphrase (no
// mail stack, no keychain) with one own key, and certificates of made-up contacts.

import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { generateIdentity } from '@sealpost/crypto-core';
import { createSilentLogger } from '../../src/core/logger.ts';
import { ensureDataPaths, resolveDataPaths } from '../../src/core/paths.ts';
import { Sealpost } from '../../src/core/sealpost.ts';

export interface LocalUser {
  address: string;
  sealpost: Sealpost;
  close(): void;
}

/** Opens Sealpost in a new folder and gives it a key for a unique local address. */
export async function openLocalUser(role: string): Promise<LocalUser> {
  const home = mkdtempSync(path.join(os.tmpdir(), `sealpost-discovery-${role}-`));
  const paths = resolveDataPaths({ SEALPOST_HOME: home });
  ensureDataPaths(paths);
  const sealpost = await Sealpost.open(paths, createSilentLogger(), {
    passphrase: `passphrase of ${role}`,
    preferPassphrase: true,
  });
  const address = `${role}-${process.pid}-${Math.floor(Math.random() * 1e9)}@sealpost.test`;
  await sealpost.keys.generate({ address, name: null });
  return {
    address,
    sealpost,
    close() {
      sealpost.close();
      rmSync(home, { recursive: true, force: true });
    },
  };
}

/** Generates the certificate of a contact; the default carries a post-quantum subkey. */
export async function contactCertificate(address: string): Promise<string> {
  const identity = await generateIdentity({ address, passphrase: 'unused' });
  return identity.certificate;
}

export const encode = (text: string): Uint8Array => new TextEncoder().encode(text);
