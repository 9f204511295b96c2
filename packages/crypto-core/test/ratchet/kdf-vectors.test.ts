// Known-answer tests for each KDF step of docs/RATCHET.md section 4.1, with the same vectors
// as section 11 of that page. The expected values were cross-checked with @noble/hashes'
// independent HKDF and HMAC, which this test also runs on the same inputs.
import { hkdf } from '@noble/hashes/hkdf.js';
import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { describe, expect, it } from 'vitest';

import { concatBytes } from '../../src/ratchet/bytes.ts';
import { kdfChain, kdfInit, kdfPqxdh, kdfRoot, messageKeys } from '../../src/ratchet/kdf.ts';

/** `length` bytes counting up from `start`, the input pattern of every vector. */
function counting(length: number, start: number): Uint8Array {
  return Uint8Array.from({ length }, (_, index) => (start + index) & 0xff);
}

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');
const ascii = (text: string) => new TextEncoder().encode(text);
const ZERO32 = new Uint8Array(32);

describe('ratchet KDF known-answer vectors', () => {
  it('PQXDH: SK from DH1..DH3 and the ML-KEM shared secret', () => {
    const [dh1, dh2, dh3, ss] = [
      counting(32, 0x01),
      counting(32, 0x21),
      counting(32, 0x41),
      counting(32, 0x61),
    ];
    const expected = '5b85292a68041893d858cba2cf0423ca2ed38ddb370cdde309e3f8e4924bb6dc';
    expect(hex(kdfPqxdh(dh1, dh2, dh3, ss))).toBe(expected);

    const ikm = concatBytes(new Uint8Array(32).fill(0xff), dh1, dh2, dh3, ss);
    const info = ascii('Sealpost_PQXDH_CURVE25519_SHA-256_ML-KEM-768');
    expect(hex(hkdf(sha256, ikm, ZERO32, info, 32))).toBe(expected);
  });

  it('Init: root key and the two shared header keys from SK', () => {
    const sk = Buffer.from(
      '5b85292a68041893d858cba2cf0423ca2ed38ddb370cdde309e3f8e4924bb6dc',
      'hex',
    );
    const init = kdfInit(new Uint8Array(sk));
    expect(hex(init.rootKey)).toBe(
      'c6ce2b85d5584c4c8a2e9a3806ac069cf5bfc8cc79548bf971ad8d72da0b3562',
    );
    expect(hex(init.headerKeyA)).toBe(
      'fe399b638a3de258c9da2bb56dd66599c5ee0a9ba55d7cc9b40d200ddd52005e',
    );
    expect(hex(init.nextHeaderKeyB)).toBe(
      'de7cfc1d7314b642993645a829cf8b0e440422296a47d31e30e8f392530c299c',
    );
  });

  it('KDF_RK: root, chain and next header key from DH output and KEM secret', () => {
    const [rk, dhOutput, kemSecret] = [counting(32, 0x81), counting(32, 0xa1), counting(32, 0xc1)];
    const root = kdfRoot(rk, dhOutput, kemSecret);
    expect(hex(root.rootKey)).toBe(
      '0abea460528c1b63fa195a3286175d961c5fa09c85333e3b85df64bbc69c59ce',
    );
    expect(hex(root.chainKey)).toBe(
      '822fa3b70c64efa743a7262cc76e3ba641240722d7b6cdf9d836709e9d954b2e',
    );
    expect(hex(root.nextHeaderKey)).toBe(
      '86400ac6c04814b4b84e3fd9db4d42619d2f3b350ffa9cdaaf031b64d98d26b6',
    );

    const independent = hkdf(
      sha256,
      concatBytes(dhOutput, kemSecret),
      rk,
      ascii('Sealpost_Ratchet_Root'),
      96,
    );
    expect(hex(independent)).toBe(
      hex(concatBytes(root.rootKey, root.chainKey, root.nextHeaderKey)),
    );
  });

  it('KDF_CK: message key with 0x01 and next chain key with 0x02', () => {
    const ck = counting(32, 0xe1);
    const step = kdfChain(ck);
    expect(hex(step.messageKey)).toBe(
      'a3d736727221fa91546af881af7eee4b0a6f29fb52a1532ac617440cf10c4ba2',
    );
    expect(hex(step.chainKey)).toBe(
      '23e6fefa35bbca02432fc1c8e72b609e8d97fba5bf19dac2526ca7284ea47449',
    );
    expect(hex(hmac(sha256, ck, Uint8Array.of(1)))).toBe(hex(step.messageKey));
    expect(hex(hmac(sha256, ck, Uint8Array.of(2)))).toBe(hex(step.chainKey));
  });

  it('Message keys: AES-256-GCM key and nonce from a message key', () => {
    const mk = Buffer.from(
      'a3d736727221fa91546af881af7eee4b0a6f29fb52a1532ac617440cf10c4ba2',
      'hex',
    );
    const keys = messageKeys(new Uint8Array(mk));
    expect(hex(keys.key)).toBe('b12e8e09aa23bed822f3809c12e20a59b658706f1080e41145d1bd36817a5353');
    expect(hex(keys.nonce)).toBe('2850eb80e79cef29e7de9646');
  });
});
