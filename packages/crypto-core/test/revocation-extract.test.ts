// revocationCertificatesOf: the key revocation signatures of a received certificate, armored
// one by one so that applyRevocation can verify each against a stored certificate.

import { describe, expect, it } from 'vitest';
import { applyRevocation, readCertificate, revocationCertificatesOf } from '../src/index.ts';
import { makeIdentity } from './helpers/identities.ts';

describe('revocationCertificatesOf', () => {
  it('returns nothing for an unrevoked certificate', async () => {
    const identity = await makeIdentity('unrevoked@example.org');
    expect(await revocationCertificatesOf(identity.certificate)).toEqual([]);
  });

  it('extracts a revocation that applies to the stored certificate', async () => {
    const identity = await makeIdentity('revoked@example.org');
    const revoked = await applyRevocation(identity.certificate, identity.revocationCertificate);

    const extracted = await revocationCertificatesOf(revoked);
    expect(extracted).toHaveLength(1);
    expect(extracted[0]).toContain('-----BEGIN PGP PUBLIC KEY BLOCK-----');
    const merged = await applyRevocation(identity.certificate, extracted[0]!);
    expect((await readCertificate(merged)).isRevoked).toBe(true);
  });

  it('extracts a revocation that another key rejects', async () => {
    const owner = await makeIdentity('owner@example.org');
    const other = await makeIdentity('other@example.org');
    const revoked = await applyRevocation(owner.certificate, owner.revocationCertificate);

    const [extracted] = await revocationCertificatesOf(revoked);
    await expect(applyRevocation(other.certificate, extracted!)).rejects.toMatchObject({
      code: 'REVOCATION_INVALID',
    });
  });
});
