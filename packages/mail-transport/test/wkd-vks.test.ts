import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import {
  lookupVksByEmail,
  lookupVksByFingerprint,
  lookupWkd,
  wkdUrls,
  zbase32Encode,
} from '../src/index.ts';
import { startKeyServer, type KeyServer } from './key-server.ts';

describe('WKD URLs', () => {
  it('match the example of draft-koch-openpgp-webkey-service', () => {
    const urls = wkdUrls('Joe.Doe@Example.ORG');
    expect(urls.advanced.href).toBe(
      'https://openpgpkey.example.org/.well-known/openpgpkey/example.org/hu/iy9q119eutrkn8s1mk4r39qejnbu3n5q?l=Joe.Doe',
    );
    expect(urls.direct.href).toBe(
      'https://example.org/.well-known/openpgpkey/hu/iy9q119eutrkn8s1mk4r39qejnbu3n5q?l=Joe.Doe',
    );
  });

  it('reject an address without a domain', () => {
    expect(() => wkdUrls('joe')).toThrow(/local@domain/);
    expect(() => wkdUrls('joe@')).toThrow(/local@domain/);
  });

  it('encode z-base-32 five bits per character', () => {
    expect(zbase32Encode(new Uint8Array([0]))).toBe('yy');
    expect(zbase32Encode(new Uint8Array([0xff]))).toBe('9h');
    expect(zbase32Encode(new Uint8Array(20))).toHaveLength(32);
  });
});

describe('WKD and VKS over HTTPS', () => {
  let server: KeyServer;
  const advancedKey = new Uint8Array([0x99, 1, 2, 3]);
  const directKey = new Uint8Array([0x99, 4, 5, 6]);

  beforeAll(async () => {
    server = await startKeyServer([
      'openpgpkey.advanced.test',
      'advanced.test',
      'direct.test',
      'keys.vks.test',
    ]);
    const advanced = wkdUrls('bob@advanced.test').advanced;
    server.publish('openpgpkey.advanced.test', advanced.pathname, advancedKey);
    const direct = wkdUrls('carol@direct.test').direct;
    server.publish('direct.test', direct.pathname, directKey);
    server.publish('keys.vks.test', '/vks/v1/by-email/dave%40vks.test', 'ARMORED');
    server.publish('keys.vks.test', `/vks/v1/by-fingerprint/${'AB'.repeat(20)}`, 'BY-FPR');
  });

  afterAll(async () => {
    await server?.close();
  });

  const options = () => ({ resolve: server.resolve, ca: server.ca, timeoutMs: 5000 });

  it('finds a key by the advanced method', async () => {
    const result = await lookupWkd('Bob@advanced.test', options());
    expect(result?.method).toBe('advanced');
    expect(result?.keydata).toEqual(advancedKey);
    expect(server.requests.at(-1)).toMatch(/^openpgpkey\.advanced\.test .*\?l=Bob$/);
  });

  it('falls back to the direct method without the sub-domain', async () => {
    const result = await lookupWkd('carol@direct.test', options());
    expect(result?.method).toBe('direct');
    expect(result?.keydata).toEqual(directKey);
  });

  it('does not fall back when the advanced host answers 404', async () => {
    server.publish('advanced.test', wkdUrls('eve@advanced.test').direct.pathname, directKey);
    const before = server.requests.length;
    expect(await lookupWkd('eve@advanced.test', options())).toBeNull();
    expect(server.requests.slice(before)).toHaveLength(1);
  });

  it('returns null when neither host exists', async () => {
    expect(await lookupWkd('nobody@unknown.test', options())).toBeNull();
  });

  it('rejects a server certificate from an untrusted CA', async () => {
    await expect(
      lookupWkd('bob@advanced.test', { resolve: server.resolve, timeoutMs: 5000 }),
    ).rejects.toMatchObject({ code: 'KEY_LOOKUP_FAILED' });
  });

  it('rejects a certificate for another host name', async () => {
    const resolve = (hostname: string) =>
      hostname === 'openpgpkey.other.test' ? { host: '127.0.0.1', port: server.port } : null;
    await expect(
      lookupWkd('bob@other.test', { resolve, ca: server.ca, timeoutMs: 5000 }),
    ).rejects.toMatchObject({ code: 'KEY_LOOKUP_FAILED' });
  });

  it('refuses a response above the size limit', async () => {
    await expect(
      lookupWkd('bob@advanced.test', { ...options(), maxBytes: 2 }),
    ).rejects.toMatchObject({ code: 'KEY_LOOKUP_FAILED', message: /exceeds 2 bytes/ });
  });

  it('looks up VKS by e-mail and by fingerprint', async () => {
    const byEmail = await lookupVksByEmail('https://keys.vks.test', 'dave@vks.test', options());
    expect(Buffer.from(byEmail!.keydata).toString()).toBe('ARMORED');
    const byFingerprint = await lookupVksByFingerprint(
      'https://keys.vks.test/',
      'ab'.repeat(20),
      options(),
    );
    expect(Buffer.from(byFingerprint!.keydata).toString()).toBe('BY-FPR');
    expect(await lookupVksByEmail('https://keys.vks.test', 'x@vks.test', options())).toBeNull();
  });

  it('rejects a VKS base URL without https', async () => {
    await expect(
      lookupVksByEmail('http://keys.vks.test', 'dave@vks.test', options()),
    ).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  });
});
