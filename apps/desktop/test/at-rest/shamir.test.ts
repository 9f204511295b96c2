// Shamir shares of a recovery code: known answers of `shamir-secret-sharing` derived from its
// field (GF(2^8) with the AES polynomial x^8+x^4+x^3+x+1), every subset of a 3-of-5 split,
// typos, mixed splits, too few shares, and a QR code read back with jsQR.
// Self-derived, as shamir-secret-sharing 0.0.4 and Vault's shamir, its origin, publish no vectors.

import jsQRModule from 'jsqr';
import { PNG } from 'pngjs';
import { combine } from 'shamir-secret-sharing';
import { describe, expect, it } from 'vitest';
import { generateRecoveryCode } from '../../src/core/backup.ts';
import { combineShares, shareQrCode, splitRecoveryCode } from '../../src/core/shamir.ts';

// jsqr is CommonJS with `exports.default`; depending on the loader the default import is the
// function itself or the module object that contains it.
type JsQr = (data: Uint8ClampedArray, width: number, height: number) => { data: string } | null;
const jsQR: JsQr =
  typeof jsQRModule === 'function'
    ? (jsQRModule as unknown as JsQr)
    : (jsQRModule as unknown as { default: JsQr }).default;

function subsets<T>(items: readonly T[], size: number): T[][] {
  if (size === 0) return [[]];
  return items.flatMap((item, index) =>
    subsets(items.slice(index + 1), size - 1).map((rest) => [item, ...rest]),
  );
}

async function errorCodeOf(promise: Promise<unknown>): Promise<string | undefined> {
  return promise.then(
    () => undefined,
    (error: unknown) => (error as { code?: string }).code,
  );
}

describe('shamir-secret-sharing known answers', () => {
  // A share is [y..., x]. For f(x) = 0x42 + a*x, addition in GF(2^8) is XOR.
  it('combines a line with slope 1', async () => {
    const secret = await combine([Uint8Array.of(0x43, 0x01), Uint8Array.of(0x40, 0x02)]);
    expect([...secret]).toEqual([0x42]);
  });

  it('combines a line through inverse points', async () => {
    // 0x53 * 0xCA = 0x01 in the AES field, so f(0xCA) = 0x42 ^ 0x01 and f(1) = 0x42 ^ 0x53.
    const secret = await combine([Uint8Array.of(0x11, 0x01), Uint8Array.of(0x43, 0xca)]);
    expect([...secret]).toEqual([0x42]);
  });
});

describe('recovery code shares', () => {
  it('restores from every subset of three or more', async () => {
    const code = generateRecoveryCode();
    const shares = await splitRecoveryCode(code, 5, 3);
    expect(new Set(shares).size).toBe(5);
    for (const size of [3, 4, 5]) {
      for (const subset of subsets(shares, size)) {
        expect(await combineShares(subset)).toBe(code);
      }
    }
  });

  it('rejects every subset of two', async () => {
    const code = generateRecoveryCode();
    const shares = await splitRecoveryCode(code, 5, 3);
    for (const subset of subsets(shares, 2)) {
      expect(await errorCodeOf(combineShares(subset))).toBe('SHARES_INSUFFICIENT');
    }
  });

  it('catches a typo by checksum', async () => {
    const [first, second, third] = await splitRecoveryCode(generateRecoveryCode(), 3, 2);
    const position = first!.length - 3;
    const changed = first![position] === 'A' ? 'B' : 'A';
    const typo = first!.slice(0, position) + changed + first!.slice(position + 1);
    expect(await errorCodeOf(combineShares([typo, second!]))).toBe('SHARES_INVALID');
    expect(await errorCodeOf(combineShares([first!, 'SEALPOST-SHARE-1890']))).toBe(
      'SHARES_INVALID',
    );
    expect(await combineShares([third!.toLowerCase(), ` ${second!} `])).toMatch(
      /^\d{4}(-\d{4}){9}$/,
    );
  });

  it('rejects shares of two splits', async () => {
    const code = generateRecoveryCode();
    const one = await splitRecoveryCode(code, 5, 3);
    const other = await splitRecoveryCode(code, 5, 3);
    const error = await combineShares([one[0]!, one[1]!, other[2]!]).catch(
      (failure: Error) => failure,
    );
    expect((error as { code?: string }).code).toBe('SHARES_INVALID');
    expect((error as Error).message).toMatch(/split/);
  });

  it('rejects a repeated share', async () => {
    const shares = await splitRecoveryCode(generateRecoveryCode(), 5, 3);
    expect(await errorCodeOf(combineShares([shares[0]!, shares[0]!, shares[1]!]))).toBe(
      'SHARES_INVALID',
    );
    await expect(combineShares([shares[1]!, shares[2]!, shares[1]!])).rejects.toThrow(
      'Share 3 is the same share as share 1; pass different shares.',
    );
  });

  it('rejects an impossible threshold', async () => {
    const code = generateRecoveryCode();
    expect(await errorCodeOf(splitRecoveryCode(code, 3, 4))).toBe('INVALID_ARGUMENT');
    expect(await errorCodeOf(splitRecoveryCode(code, 5, 1))).toBe('INVALID_ARGUMENT');
  });

  it('reads a share back from its QR code', async () => {
    const [share] = await splitRecoveryCode(generateRecoveryCode(), 5, 3);
    const png = PNG.sync.read(await shareQrCode(share!));
    const decoded = jsQR(new Uint8ClampedArray(png.data), png.width, png.height);
    expect(decoded?.data).toBe(share);
  });
});
