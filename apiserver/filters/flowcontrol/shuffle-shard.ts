// Shuffle sharding (k8s' shufflesharding.Dealer): a flow's hash deals it a hand of distinct
// queues out of the deck, so two flows share all their queues only with tiny probability and a
// flooding flow fills only its own hand. Pure.
import { createHash } from 'node:crypto';

/** A 64-bit hash of a flow's identity. */
export function flowHash(flow: string): bigint {
  return createHash('sha256').update(flow).digest().readBigUInt64BE(0);
}

/** `handSize` distinct queue indexes in [0, deckSize), chosen by `hash` as a mixed-radix number. */
export function dealHand(hash: bigint, deckSize: number, handSize: number): number[] {
  const free = Array.from({ length: deckSize }, (_, i) => i);
  const hand: number[] = [];
  let rest = hash;
  for (let i = 0; i < Math.min(handSize, deckSize); i++) {
    const n = BigInt(free.length);
    hand.push(free.splice(Number(rest % n), 1)[0]!);
    rest /= n;
  }
  return hand;
}
