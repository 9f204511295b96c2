// Autocrypt Level 1 peer state and recommendation (https://autocrypt.org/level1.html, sections
// 2.3 "Updating Autocrypt Peer State", 2.4 key gossip, 2.5 "Provide a recommendation for
// message encryption"). Pure functions over the state: the caller stores it and decides
// whether a key is usable, because this package does no OpenPGP.

export type PreferEncrypt = 'mutual' | 'nopreference';

export interface PeerState {
  lastSeen: Date | null;
  autocryptTimestamp: Date | null;
  publicKey: Uint8Array | null;
  preferEncrypt: PreferEncrypt | null;
  gossipTimestamp: Date | null;
  gossipKey: Uint8Array | null;
}

export type Recommendation = 'disable' | 'discourage' | 'available' | 'encrypt';

export interface RecommendationResult {
  recommendation: Recommendation;
  reason: string;
}

/** Level 1 section 2.5.1: an Autocrypt key more than 35 days older than the last message is stale. */
const STALE_AFTER_MS = 35 * 24 * 60 * 60 * 1000;

export const EMPTY_PEER_STATE: PeerState = {
  lastSeen: null,
  autocryptTimestamp: null,
  publicKey: null,
  preferEncrypt: null,
  gossipTimestamp: null,
  gossipKey: null,
};

/**
 * Returns the effective date of a message (section 2.3): its Date header, or the time of
 * receipt when the Date is missing or in the future.
 */
export function effectiveDate(date: Date | null | undefined, receivedAt: Date): Date {
  if (!(date instanceof Date) || Number.isNaN(date.getTime())) return receivedAt;
  return date.getTime() > receivedAt.getTime() ? receivedAt : date;
}

/**
 * Applies one message from the peer (section 2.3). `header` is its valid Autocrypt header or
 * null. Returns the new state, or null when the message is older than the last Autocrypt
 * header and changes nothing. The caller skips multipart/report messages before calling.
 */
export function updatePeerState(
  state: PeerState | null,
  message: {
    effectiveDate: Date;
    header: { keydata: Uint8Array; preferEncrypt: PreferEncrypt } | null;
  },
): PeerState | null {
  const current = state ?? EMPTY_PEER_STATE;
  const date = message.effectiveDate;
  if (current.autocryptTimestamp && date.getTime() < current.autocryptTimestamp.getTime()) {
    return null;
  }

  const next: PeerState = { ...current };
  if (!current.lastSeen || date.getTime() > current.lastSeen.getTime()) next.lastSeen = date;
  if (!message.header) return next;

  next.autocryptTimestamp = date;
  next.publicKey = message.header.keydata;
  next.preferEncrypt = message.header.preferEncrypt;
  return next;
}

/**
 * Applies one Autocrypt-Gossip header from an encrypted message (section 2.4). Returns the new
 * state, or null when the stored gossip is at least as recent.
 */
export function updatePeerGossip(
  state: PeerState | null,
  gossip: { effectiveDate: Date; keydata: Uint8Array },
): PeerState | null {
  const current = state ?? EMPTY_PEER_STATE;
  if (
    current.gossipTimestamp &&
    gossip.effectiveDate.getTime() <= current.gossipTimestamp.getTime()
  ) {
    return null;
  }
  return { ...current, gossipTimestamp: gossip.effectiveDate, gossipKey: gossip.keydata };
}

/**
 * Returns the recommendation for encrypting to one peer (sections 2.5.1 and 2.5.2).
 * `usable` tells whether the caller could read and encrypt to the public or gossip key.
 */
export function recommendForPeer(
  state: PeerState | null,
  options: {
    ownPreferEncrypt: PreferEncrypt;
    usable: { publicKey: boolean; gossipKey: boolean };
    replyToEncrypted?: boolean;
  },
): RecommendationResult {
  if (!state || (!state.publicKey && !state.gossipKey)) {
    return { recommendation: 'disable', reason: 'no Autocrypt key is known' };
  }
  const usesGossip = state.publicKey === null;
  const usable = usesGossip ? options.usable.gossipKey : options.usable.publicKey;
  if (!usable) {
    return {
      recommendation: 'disable',
      reason: `the ${usesGossip ? 'gossip' : 'Autocrypt'} key is not usable for encryption`,
    };
  }

  if (
    !usesGossip &&
    state.autocryptTimestamp &&
    state.lastSeen &&
    state.lastSeen.getTime() - state.autocryptTimestamp.getTime() > STALE_AFTER_MS
  ) {
    return {
      recommendation: 'discourage',
      reason: 'the last Autocrypt header is more than 35 days older than the last message',
    };
  }
  if (usesGossip) {
    return {
      recommendation: 'discourage',
      reason: 'the key is known only from gossip of another sender',
    };
  }

  if (options.replyToEncrypted === true) {
    return { recommendation: 'encrypt', reason: 'this is a reply to an encrypted message' };
  }
  if (options.ownPreferEncrypt === 'mutual' && state.preferEncrypt === 'mutual') {
    return { recommendation: 'encrypt', reason: 'both sides set prefer-encrypt=mutual' };
  }
  return {
    recommendation: 'available',
    reason: 'the peer did not set prefer-encrypt=mutual',
  };
}

/**
 * Combines per-recipient recommendations for one message (section 2.5.3): disable if any is
 * disable, encrypt if all are encrypt, discourage if any is discourage, otherwise available.
 */
export function combineRecommendations(recommendations: readonly Recommendation[]): Recommendation {
  if (recommendations.length === 0) return 'disable';
  if (recommendations.includes('disable')) return 'disable';
  if (recommendations.every((value) => value === 'encrypt')) return 'encrypt';
  if (recommendations.includes('discourage')) return 'discourage';
  return 'available';
}
