// Packet inspection for the post-quantum tests: the PKESK packets of an armored message with
// their algorithm, and the algorithm-35 subkey packets of a certificate.
import { dearmor, readPackets } from '../../src/pq/packet-framing.ts';
import { readPkeskRecipient } from '../../src/pq/pkesk.ts';

/** Returns the public-key algorithm of every PKESK packet in the message. */
export async function pkeskAlgorithms(armored: string): Promise<number[]> {
  const packets = readPackets(await dearmor(armored, 'message'), 'message');
  return packets
    .filter((packet) => packet.tag === 1)
    .map((packet) => readPkeskRecipient(packet.body).algorithm);
}
