// Signatures inside mail that bob decrypts on his OpenPGP card (the emulator behind the real
// pcscd and vpcd, mail through the real Dovecot and Postfix). Carol reads the same messages
// with her software key and the same contacts, so each card result is compared with hers.
// The cases are a valid signature, an unknown key, a bad signature, and a valid signature by
// a key that does not belong to From. Last come the copies that a disk key and the card send
// to To and Bcc recipients, and signed-only mail.
import { randomUUID } from 'node:crypto';
import {
  Message,
  OnePassSignaturePacket,
  PacketList,
  createMessage,
  encrypt,
  readKey,
  readSignature,
  type AnyPacket,
  type SignaturePacket,
} from 'openpgp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  encryptAndSign,
  generateIdentity,
  listPkeskRecipients,
  micalgOf,
  signDetached,
  type SecretKeyInput,
} from '@sealpost/crypto-core';
import {
  buildEncryptedMessage,
  buildInnerEntity,
  buildSignedMessage,
  parseMessage,
  signedPartBytes,
  type Micalg,
} from '@sealpost/mail-transport';
import { VirtualCardBench } from '../../../../packages/hardware-token/test/helpers/virtual-card.ts';
import type { ReadResult } from '../../src/core/read.ts';
import { createUser, deliverRaw, syncAndFind, uniqueAddress } from '../e2e/stack.ts';
import type { TestUser } from '../e2e/stack.ts';

const USER_PIN = '123456';
const ADMIN_PIN = '12345678';

let bench: VirtualCardBench;
let alice: TestUser;
let bob: TestUser;
let carol: TestUser;
/** A key whose certificate neither bob nor carol has. */
let stranger: { address: string; key: SecretKeyInput };
/** A key that bob and carol know, under an address other than alice's. */
let impostor: { address: string; key: SecretKeyInput };
let pinRequests = 0;

function aliceFingerprint(): string {
  return alice.sealpost.keys.list()[0]!.fingerprint;
}

/** Generates a key outside the mail accounts; `known` gives its certificate to bob and carol. */
async function newSigner(
  role: string,
  known: boolean,
): Promise<{ address: string; key: SecretKeyInput }> {
  const address = uniqueAddress(role);
  const passphrase = `passphrase of ${role}`;
  const identity = await generateIdentity({ address, passphrase, postQuantum: false });
  if (known) {
    for (const reader of [bob, carol]) {
      await reader.sealpost.keys.import(new TextEncoder().encode(identity.certificate), {
        keyPassphrase: null,
        replacePinned: false,
      });
    }
  }
  return { address, key: { secretKey: identity.secretKey, passphrase } };
}

// NOTE: fromSignaturePacket exists in openpgp.js 6.3 but not in its type declarations.
interface OnePassFactory {
  fromSignaturePacket(signature: SignaturePacket, isLast: boolean): OnePassSignaturePacket;
}

interface CraftedMessage {
  /** Address in the From header. */
  from: string;
  signingKey: SecretKeyInput;
  /** 'one-pass': signed inside the encryption; 'signed-then-encrypted': multipart/signed inside. */
  layout: 'one-pass' | 'signed-then-encrypted';
  /** Changes one word of the signed text after signing, so the signature is bad. */
  tamper: boolean;
}

/**
 * Builds a PGP/MIME encrypted message to bob (card) and carol (software) as `from` would,
 * delivers it to both, and returns what each of them reads.
 */
async function deliverAndRead(
  message: CraftedMessage,
): Promise<{ card: ReadResult; software: ReadResult }> {
  const messageId = `<${randomUUID()}@sealpost.test>`;
  const headers = {
    from: { address: message.from, name: null },
    to: [bob.address, carol.address],
    cc: [],
    date: new Date(),
    messageId,
  };
  const inner = buildInnerEntity({
    headers: { ...headers, subject: 'Signature check' },
    text: 'The original text of the message.\n',
    attachments: [],
  });
  const recipientCertificates = [
    bob.sealpost.keys.exportCertificate(bob.address),
    carol.sealpost.keys.exportCertificate(carol.address),
  ];

  let armoredCiphertext: string;
  if (message.layout === 'signed-then-encrypted') {
    const armoredSignature = await signDetached({
      data: signedPartBytes(inner),
      signingKey: message.signingKey,
    });
    let payload = buildSignedMessage({
      headers: { ...headers, subject: 'Signature check' },
      signedEntity: inner,
      armoredSignature,
      micalg: (await micalgOf(armoredSignature)) as Micalg,
    });
    if (message.tamper) payload = replaceWord(payload);
    armoredCiphertext = await encryptAndSign({
      data: payload,
      recipientCertificates,
      encryptToSigner: false,
      mode: 'classical',
    });
  } else if (message.tamper) {
    // A one-pass signed message whose literal data is not what the signature covers.
    const signature = (
      await readSignature({
        armoredSignature: await signDetached({ data: inner, signingKey: message.signingKey }),
      })
    ).packets[0]!;
    const onePass = (OnePassSignaturePacket as unknown as OnePassFactory).fromSignaturePacket(
      signature,
      true,
    );
    const literal = (await createMessage({ binary: replaceWord(inner) })).packets[0]!;
    const packets = new PacketList<AnyPacket>();
    packets.push(onePass, literal, signature);
    armoredCiphertext = await encrypt({
      message: new Message(packets),
      encryptionKeys: await Promise.all(
        recipientCertificates.map((armoredKey) => readKey({ armoredKey })),
      ),
    });
  } else {
    armoredCiphertext = await encryptAndSign({
      data: inner,
      recipientCertificates,
      signingKey: message.signingKey,
      encryptToSigner: false,
      mode: 'classical',
    });
  }

  const raw = buildEncryptedMessage({ headers, armoredCiphertext });
  await deliverRaw(bob, raw);
  await deliverRaw(carol, raw);
  pinRequests = 0;
  const card = await bob.sealpost.mail.read(await syncAndFind(bob, messageId));
  expect(pinRequests).toBe(1);
  const software = await carol.sealpost.mail.read(await syncAndFind(carol, messageId));
  return { card, software };
}

/** Returns the key IDs (lowercase hex) of the encryption subkeys in `user`'s certificate. */
async function subkeyIds(user: TestUser): Promise<string[]> {
  const certificate = await readKey({
    armoredKey: user.sealpost.keys.exportCertificate(user.address),
  });
  return certificate.subkeys.map((subkey) => subkey.getKeyID().toHex());
}

/** Returns the PKESK key IDs of the encrypted message stored as `id` for `user`. */
async function pkeskKeyIds(user: TestUser, id: number): Promise<string[]> {
  const parsed = parseMessage(user.sealpost.mail.getRaw(id));
  return (await listPkeskRecipients(parsed.encrypted!.armoredCiphertext)).keyIds;
}

async function importCertificate(into: TestUser, of: TestUser): Promise<void> {
  await into.sealpost.keys.import(
    new TextEncoder().encode(of.sealpost.keys.exportCertificate(of.address)),
    { keyPassphrase: null, replacePinned: false },
  );
}

/** Replaces "original" with "modified", which has the same length, in the signed bytes. */
function replaceWord(bytes: Uint8Array): Uint8Array {
  const text = Buffer.from(bytes).toString('latin1');
  expect(text).toContain('original');
  return new Uint8Array(Buffer.from(text.replace('original', 'modified'), 'latin1'));
}

beforeAll(async () => {
  bench = await VirtualCardBench.start();
  alice = await createUser('alice');
  bob = await createUser('bob');
  carol = await createUser('carol');
  await bench.insertCard();
  bob.sealpost.cards.setPinPrompt(async (request) => {
    pinRequests += 1;
    if (request.previousError) return null;
    return request.kind === 'admin' ? ADMIN_PIN : USER_PIN;
  });
  await bob.sealpost.cards.moveKey({ address: bob.address, keepDiskCopy: false });

  const encoder = new TextEncoder();
  const options = { keyPassphrase: null, replacePinned: false };
  const aliceCertificate = encoder.encode(alice.sealpost.keys.exportCertificate(alice.address));
  await bob.sealpost.keys.import(aliceCertificate, options);
  await carol.sealpost.keys.import(aliceCertificate, options);
  await alice.sealpost.keys.import(
    encoder.encode(bob.sealpost.keys.exportCertificate(bob.address)),
    options,
  );
  stranger = await newSigner('stranger', false);
  impostor = await newSigner('impostor', true);
});

afterAll(async () => {
  alice?.close();
  bob?.close();
  carol?.close();
  await bench?.stop();
});

describe('signatures in mail decrypted on the card', () => {
  it('reports alice as signer of mail she sent', async () => {
    const sent = await alice.sealpost.mail.send({
      from: null,
      to: [bob.address],
      cc: [],
      bcc: [],
      subject: 'Signed and encrypted to the card',
      text: 'Signed and encrypted to the card\n',
      attachments: [],
      allowPlaintext: false,
    });
    pinRequests = 0;

    const message = await bob.sealpost.mail.read(await syncAndFind(bob, sent.messageId));

    expect(pinRequests).toBe(1);
    expect(message.encryption.decryptedWith).toBe(bob.sealpost.keys.list()[0]!.fingerprint);
    expect(message.signatureSummary).toBe('verified');
    expect(message.signatures).toHaveLength(1);
    expect(message.signatures[0]?.status).toBe('valid');
    expect(message.signatures[0]?.signerFingerprint).toBe(aliceFingerprint());
    expect(message.signatures[0]?.signerMatchesFrom).toBe(true);
  });

  for (const layout of ['one-pass', 'signed-then-encrypted'] as const) {
    describe(layout, () => {
      it('reports a valid signature by alice', async () => {
        const signingKey = await alice.sealpost.keys.unlock(alice.address);
        const { card, software } = await deliverAndRead({
          from: alice.address,
          signingKey,
          layout,
          tamper: false,
        });
        signingKey.clear();

        expect(card.signatureSummary).toBe('verified');
        expect(card.signatures[0]?.status).toBe('valid');
        expect(card.signatures[0]?.signerFingerprint).toBe(aliceFingerprint());
        expect(card.signatures).toEqual(software.signatures);
        expect(card.text).toBe(software.text);
      });

      it('reports a bad signature after tampering', async () => {
        const signingKey = await alice.sealpost.keys.unlock(alice.address);
        const { card, software } = await deliverAndRead({
          from: alice.address,
          signingKey,
          layout,
          tamper: true,
        });
        signingKey.clear();

        expect(card.text).toContain('modified');
        expect(card.signatureSummary).toBe('invalid');
        expect(card.signatures[0]?.status).toBe('invalid');
        expect(card.signatures).toEqual(software.signatures);
      });

      it('reports an unknown signing key', async () => {
        const { card, software } = await deliverAndRead({
          from: stranger.address,
          signingKey: stranger.key,
          layout,
          tamper: false,
        });

        expect(card.signatureSummary).toBe('unverified');
        expect(card.signatures[0]?.status).toBe('unknown-key');
        expect(card.signatures[0]?.signerFingerprint).toBeNull();
        expect(card.signatures).toEqual(software.signatures);
      });

      it('reports a signer that is not the From address', async () => {
        const { card, software } = await deliverAndRead({
          from: alice.address,
          signingKey: impostor.key,
          layout,
          tamper: false,
        });

        expect(card.signatureSummary).toBe('signer-mismatch');
        expect(card.signatures[0]?.status).toBe('valid');
        expect(card.signatures[0]?.signerMatchesFrom).toBe(false);
        expect(card.signatures).toEqual(software.signatures);
      });
    });
  }
});

describe('copies sent with a disk key and with the card', () => {
  beforeAll(async () => {
    await importCertificate(alice, carol);
    await importCertificate(bob, carol);
    await importCertificate(carol, bob);
  });

  for (const senderName of ['alice', 'bob'] as const) {
    it(`${senderName === 'alice' ? 'disk key' : 'card'} hides the Bcc recipient`, async () => {
      const sender = senderName === 'alice' ? alice : bob;
      const recipient = senderName === 'alice' ? bob : alice;
      const subject = `To and Bcc from ${senderName}`;

      const sent = await sender.sealpost.mail.send({
        from: null,
        to: [recipient.address],
        cc: [],
        bcc: [carol.address],
        subject,
        text: `${subject}\n`,
        attachments: [],
        allowPlaintext: false,
      });
      const toId = await syncAndFind(recipient, sent.messageId);
      const bccId = await syncAndFind(carol, sent.messageId);
      const toCopy = await recipient.sealpost.mail.read(toId);
      const bccCopy = await carol.sealpost.mail.read(bccId);

      expect(sent.mode).toBe('openpgp');
      const senderFingerprint = sender.sealpost.keys.list()[0]!.fingerprint;
      for (const copy of [toCopy, bccCopy]) {
        expect(copy.subject).toBe(subject);
        expect(copy.signatureSummary).toBe('verified');
        expect(copy.signatures[0]?.signerFingerprint).toBe(senderFingerprint);
      }
      const toRaw = Buffer.from(recipient.sealpost.mail.getRaw(toId)).toString('latin1');
      expect(toRaw).not.toContain(carol.address);
      const toKeyIds = await pkeskKeyIds(recipient, toId);
      const bccKeyIds = await pkeskKeyIds(carol, bccId);
      for (const keyId of await subkeyIds(carol)) expect(toKeyIds).not.toContain(keyId);
      for (const keyId of await subkeyIds(recipient)) expect(bccKeyIds).not.toContain(keyId);
      // The Sent copy is the To copy, so only that copy is encrypted to the sender as well.
      const senderKeyIds = await subkeyIds(sender);
      expect(toKeyIds.some((keyId) => senderKeyIds.includes(keyId))).toBe(true);
      expect(bccKeyIds.some((keyId) => senderKeyIds.includes(keyId))).toBe(false);
    });
  }

  for (const senderName of ['alice', 'bob'] as const) {
    it(`${senderName === 'alice' ? 'disk key' : 'card'} signs unencrypted mail`, async () => {
      const sender = senderName === 'alice' ? alice : bob;
      const reader = await createUser('carol');
      await importCertificate(reader, sender);
      const subject = `Signed only by ${senderName}`;

      const sent = await sender.sealpost.mail.send({
        from: null,
        to: [reader.address],
        cc: [],
        bcc: [],
        subject,
        text: `${subject}\n`,
        attachments: [],
        allowPlaintext: true,
      });
      const id = await syncAndFind(reader, sent.messageId);
      const message = await reader.sealpost.mail.read(id);
      const raw = Buffer.from(reader.sealpost.mail.getRaw(id)).toString('latin1');
      reader.close();

      expect(sent.mode).toBe('signed-plaintext');
      expect(message.kind).toBe('pgp-mime-signed');
      expect(message.subject).toBe(subject);
      expect(message.signatureSummary).toBe('verified');
      expect(message.signatures[0]?.signerFingerprint).toBe(
        sender.sealpost.keys.list()[0]!.fingerprint,
      );
      // Signed-only mail declares its header protection as hp="clear" (RFC 9788).
      expect(raw).toContain('hp="clear"');
      expect(raw).not.toContain('hp="cipher"');
    });
  }
});
