// Compression bombs: a small message whose compressed data expands past maxDecompressedBytes
// is rejected with MESSAGE_TOO_LARGE and no plaintext, and the limit is validated.

import { createMessage, encrypt, enums, readKey } from 'openpgp';
import { beforeAll, describe, expect, it } from 'vitest';
import { CryptoError, decryptAndVerify } from '../../src/index.ts';
import { makeIdentity, type TestIdentity } from '../helpers/identities.ts';

let bob: TestIdentity;
let bomb: string;

beforeAll(async () => {
  bob = await makeIdentity('bob@example.org');
  // 8 MiB of zeros compress to a few kilobytes with ZLIB.
  bomb = await encrypt({
    message: await createMessage({ binary: new Uint8Array(8 * 1024 * 1024) }),
    encryptionKeys: await readKey({ armoredKey: bob.certificate }),
    config: { preferredCompressionAlgorithm: enums.compression.zlib },
  });
});

describe('compression bomb', () => {
  it('is small before decompression', () => {
    expect(bomb.length).toBeLessThan(64 * 1024);
  });

  it('raises MESSAGE_TOO_LARGE above the limit', async () => {
    let error: unknown;
    let result: unknown;
    try {
      result = await decryptAndVerify({
        message: bomb,
        decryptionKeys: [bob.unlocked],
        verificationCertificates: [],
        maxDecompressedBytes: 1024 * 1024,
      });
    } catch (caught) {
      error = caught;
    }
    expect(result).toBeUndefined();
    expect(error).toBeInstanceOf(CryptoError);
    expect((error as CryptoError).code).toBe('MESSAGE_TOO_LARGE');
    expect((error as CryptoError).message).toMatch(/compression bomb/);
  });

  it('decrypts below the limit', async () => {
    const result = await decryptAndVerify({
      message: bomb,
      decryptionKeys: [bob.unlocked],
      verificationCertificates: [],
      maxDecompressedBytes: 16 * 1024 * 1024,
    });
    expect(result.data.length).toBe(8 * 1024 * 1024);
  });

  it('rejects an invalid limit', async () => {
    await expect(
      decryptAndVerify({
        message: bomb,
        decryptionKeys: [bob.unlocked],
        verificationCertificates: [],
        maxDecompressedBytes: -1,
      }),
    ).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  });
});
