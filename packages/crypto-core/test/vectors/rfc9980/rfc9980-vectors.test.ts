// RFC 9980 test vectors, with files and intermediate values from the specification's
// repository (origin in README.md here). The ML-KEM-768+X25519 subkeys of the v4 and v6
// sample keys decrypt the sample messages and reproduce mlkemKeyShare, ecdhKeyShare, the key
// combiner output and the session key. openpgp.js then decrypts and verifies the data.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decrypt, enums, readKey, readMessage } from 'openpgp';
import { describe, expect, it } from 'vitest';
import { toHex } from '../../../src/pq/mlkem-x25519-key.ts';
import { dearmor, readPackets } from '../../../src/pq/packet-framing.ts';
import { decryptSessionKey, pkeskTag, readMlkemX25519Pkesk } from '../../../src/pq/pkesk.ts';
import { readKeyBlockPackets } from '../../../src/pq/pq-certificate.ts';
import { unlockSecretSubkey } from '../../../src/pq/secret-subkey-packet.ts';
import { readCertificate } from '../../../src/index.ts';

const folder = import.meta.dirname;
const read = (name: string): string => readFileSync(join(folder, name), 'utf8');

interface MessageVector {
  file: string;
  pkeskVersion: 3 | 6;
  symmetricAlgorithm: number | null;
  mlkemKeyShare: string;
  ecdhKeyShare: string;
  multiKeyCombine: string;
  sessionKey: string;
}

interface KeyVector {
  secretKey: string;
  certificate: string;
  primaryFingerprint: string;
  subkeyFingerprint: string;
  messages: MessageVector[];
}

// Values from README.md (the specification's "Test Vectors" section).
const vectors: KeyVector[] = [
  {
    secretKey: 'v4-eddsa-sample-sk.asc',
    certificate: 'v4-eddsa-sample-pk.asc',
    primaryFingerprint: '342e5db2de345215cb2c944f7102ffed3b9cf12d',
    subkeyFingerprint: 'e51dbfea51936988b5428fffa4f95f985ed61a51',
    messages: [
      {
        file: 'v4-eddsa-sample-message-v1.asc',
        pkeskVersion: 3,
        symmetricAlgorithm: enums.symmetric.aes256,
        mlkemKeyShare: '16f2aea8ec1ca277c04cc7b87681d7d38511a38f554775a8fc4de41aa76eb586',
        ecdhKeyShare: '2fc0c8fcace9636c86d1ee1715a302819ad48c549579a462a33eed36627c532e',
        multiKeyCombine: 'c1591d7511f9f0213bfd57cf316e5ec0d40c4ea826fa989ab606aa3b8a1a2c1f',
        sessionKey: 'b4dc7197e1519822ca689da484643edf272934d98ae1974b5d88317a7a6a3c4f',
      },
      {
        file: 'v4-eddsa-sample-message-v2.asc',
        pkeskVersion: 6,
        symmetricAlgorithm: null,
        mlkemKeyShare: '16a22adbeced91ada60b5561611748edd2fedc51e0770f86d7394870062e7322',
        ecdhKeyShare: '5ac67eab192f25ac99d87543e6fcd3a4769cb02c9d1afdc79354c2baa2289e29',
        multiKeyCombine: '5c5652a690b55d1e9545fbd722f838cd8ff4d3657af5a9026d02f3185ca74993',
        sessionKey: '160867d96032b640208c1c92174d0270bb89189d72320711acd221bbea2a26b6',
      },
    ],
  },
  {
    secretKey: 'v6-eddsa-sample-sk.asc',
    certificate: 'v6-eddsa-sample-pk.asc',
    primaryFingerprint: 'c789e17d9dbdca7b3c833a3c063feb0353f80ad911fe27868fb0645df803e947',
    subkeyFingerprint: 'dafe0eebb2675ecfcdc20a23fe89ca5d12e83f527dfa354b6dcf662131a48b9d',
    messages: [
      {
        file: 'v6-eddsa-sample-message.asc',
        pkeskVersion: 6,
        symmetricAlgorithm: null,
        mlkemKeyShare: 'b0e45408d8c713f3941cd27276f879e557df013e05bcf43e37d4c60266a4b797',
        ecdhKeyShare: '9d994741e0db5eacee44cb028c2ec48b1346feae2576aaac383bbcd64138c932',
        multiKeyCombine: '5bf078bf7977109db6dead92d3578b62d0ab0487ef84e8e0af08f4b4b229e590',
        sessionKey: '94a3b8c9784463bb96b682cddf549adb23579b75bcb646f989d7cfe3e6e14435',
      },
    ],
  },
];

describe.each(vectors)('RFC 9980 sample key $secretKey', (vector) => {
  it('finds the algorithm-35 subkey', async () => {
    const [block] = await readKeyBlockPackets(read(vector.secretKey), vector.secretKey);
    expect(block?.primaryFingerprint).toBe(vector.primaryFingerprint);
    expect(block?.subkeys).toHaveLength(1);
    expect(toHex(block!.subkeys[0]!.publicKey.fingerprint)).toBe(vector.subkeyFingerprint);
  });

  it('certificate binding verifies', async () => {
    const info = await readCertificate(read(vector.certificate), {
      date: new Date('2026-01-01T00:00:00Z'),
    });
    expect(info.fingerprint).toBe(vector.primaryFingerprint);
    expect(info.postQuantumSubkeys).toHaveLength(1);
    expect(info.postQuantumSubkeys[0]!.reason).toBeNull();
    expect(info.hasPostQuantumSubkey).toBe(true);
    expect(info.postQuantumSubkeyFingerprint).toBe(vector.subkeyFingerprint);
  });

  it.each(vector.messages)('decrypts $file with every intermediate value', async (message) => {
    const [block] = await readKeyBlockPackets(read(vector.secretKey), vector.secretKey);
    const subkey = block!.subkeys[0]!;
    const secret = await unlockSecretSubkey(subkey.secret!, null, vector.secretKey);
    const binary = await dearmor(read(message.file), message.file);
    const pkeskPacket = readPackets(binary, message.file).find((packet) => packet.tag === pkeskTag);

    const pkesk = readMlkemX25519Pkesk(pkeskPacket!.body);
    expect(pkesk.version).toBe(message.pkeskVersion);
    const decrypted = decryptSessionKey(pkesk, secret, subkey.publicKey);
    expect(toHex(decrypted.decapsulation.mlkemKeyShare)).toBe(message.mlkemKeyShare);
    expect(toHex(decrypted.decapsulation.ecdhKeyShare)).toBe(message.ecdhKeyShare);
    expect(toHex(decrypted.decapsulation.kek)).toBe(message.multiKeyCombine);
    expect(toHex(decrypted.sessionKey)).toBe(message.sessionKey);
    expect(decrypted.symmetricAlgorithm).toBe(message.symmetricAlgorithm);

    const result = await decrypt({
      message: await readMessage({ armoredMessage: read(message.file) }),
      sessionKeys: [{ data: decrypted.sessionKey, algorithm: 'aes256' }],
      verificationKeys: await readKey({ armoredKey: read(vector.certificate) }),
      expectSigned: true,
      format: 'binary',
    });
    expect(new TextDecoder().decode(result.data as Uint8Array)).toBe('Testing\n');
    await expect(result.signatures[0]!.verified).resolves.toBe(true);
  });
});
