// Adds a new algorithm-35 (ML-KEM-768+X25519) encryption subkey, bound by the primary key,
// to a freshly generated v4 identity (RFC 9980 allows algorithm 35 in v4 certificates). The
// secret subkey is protected with the same passphrase (see secret-subkey-packet.ts).
import {
  decryptKey,
  readPrivateKey,
  readKey,
  type PrivateKey,
  type SecretKeyPacket,
} from 'openpgp';
import { openpgpConfig } from '../config.ts';
import { wrapError } from '../errors.ts';
import { createBindingSignature, signatureTag } from './binding-signature.ts';
import {
  describePublicKey,
  generateKeyMaterial,
  toHex,
  wipeSecretMaterial,
} from './mlkem-x25519-key.ts';
import { armorPackets, concatBytes, writePackets } from './packet-framing.ts';
import { secretSubkeyTag, writeProtectedSecretSubkey } from './secret-subkey-packet.ts';
import { publicSubkeyTag } from './subkey-packets.ts';

export interface PostQuantumSubkeyInput {
  /** Armored certificate and protected secret key as openpgp.js generated them. */
  certificate: string;
  secretKey: string;
  passphrase: string;
  date: Date;
  /** Seconds from creation until the subkey expires; 0 means never. */
  keyExpirationTime: number;
}

/** Returns the certificate and secret key with the new subkey appended, both armored. */
export async function addPostQuantumSubkey(
  input: PostQuantumSubkeyInput,
): Promise<{ certificate: string; secretKey: string; subkeyFingerprint: string }> {
  let unlocked: PrivateKey | undefined;
  const { secret, ecdhPublicKey, mlkemPublicKey } = generateKeyMaterial();
  try {
    const locked = await readPrivateKey({ armoredKey: input.secretKey, config: openpgpConfig });
    const certificate = await readKey({ armoredKey: input.certificate, config: openpgpConfig });
    unlocked = await decryptKey({
      privateKey: locked,
      passphrase: input.passphrase,
      config: openpgpConfig,
    });

    const publicKey = describePublicKey(4, input.date, ecdhPublicKey, mlkemPublicKey);
    const binding = await createBindingSignature(
      unlocked.keyPacket as SecretKeyPacket,
      publicKey,
      input.date,
      input.keyExpirationTime,
    );
    const secretBody = await writeProtectedSecretSubkey(publicKey, secret, input.passphrase);

    const publicPackets = writePackets([
      { tag: publicSubkeyTag, body: publicKey.packetBody },
      { tag: signatureTag, body: binding },
    ]);
    const secretPackets = writePackets([
      { tag: secretSubkeyTag, body: secretBody },
      { tag: signatureTag, body: binding },
    ]);
    return {
      certificate: armorPackets('publicKey', concatBytes(certificate.write(), publicPackets)),
      secretKey: armorPackets('privateKey', concatBytes(locked.write(), secretPackets)),
      subkeyFingerprint: toHex(publicKey.fingerprint),
    };
  } catch (error) {
    throw wrapError(error, 'INVALID_ARGUMENT', 'Adding the ML-KEM-768+X25519 subkey failed');
  } finally {
    wipeSecretMaterial(secret);
    (unlocked as (PrivateKey & { clearPrivateParams(): void }) | undefined)?.clearPrivateParams();
  }
}
