// One priority level's seats and queues (k8s' fairqueuing/queueset): a request runs at once
// while the level has a free seat; otherwise it waits in the shortest queue of its flow's hand
// (shuffle sharding), or is rejected when that queue is at queueLengthLimit or the level
// rejects instead of queuing. A freed seat goes to the queues in turn (round-robin over the
// non-empty queues, which for requests of equal cost is the fair share Kubernetes' virtual
// finish times give), so a flow with a long queue cannot starve one with a short queue.
// Pure state and decisions; timers and sockets stay with the caller.
import { dealHand } from './shuffle-shard.js';
import type { QueuingConfiguration } from './types.js';

export type RejectReason = 'queue-full' | 'concurrency-limit';

export type Admission =
  | { kind: 'run' }
  | { kind: 'reject'; reason: RejectReason }
  /** `cancel()` takes the request out of its queue; false when it was already dispatched. */
  | { kind: 'queued'; cancel(): boolean };

interface Waiter {
  dispatch(): void;
}

export class QueueSet {
  private executing = 0;
  private waitingCount = 0;
  private readonly queues: Waiter[][];
  private nextQueue = 0;

  constructor(
    /** Seats; Infinity for the exempt level. */
    readonly concurrencyLimit: number,
    /** Undefined: the level rejects instead of queuing. */
    private readonly queuing: QueuingConfiguration | undefined,
  ) {
    this.queues = Array.from({ length: queuing?.queues ?? 0 }, () => []);
  }

  get executingRequests(): number {
    return this.executing;
  }

  get waitingRequests(): number {
    return this.waitingCount;
  }

  /** `dispatch` is called (once) when a queued request gets its seat. */
  admit(hash: bigint, dispatch: () => void): Admission {
    if (this.executing < this.concurrencyLimit) {
      this.executing++;
      return { kind: 'run' };
    }
    if (!this.queuing || this.queues.length === 0) return { kind: 'reject', reason: 'concurrency-limit' };
    const hand = dealHand(hash, this.queues.length, this.queuing.handSize);
    // The shortest queue of the hand (first on ties), as k8s' chooseQueueIndexLocked.
    let chosen = hand[0]!;
    for (const i of hand) if (this.queues[i]!.length < this.queues[chosen]!.length) chosen = i;
    const queue = this.queues[chosen]!;
    if (queue.length >= this.queuing.queueLengthLimit) return { kind: 'reject', reason: 'queue-full' };
    const waiter: Waiter = { dispatch };
    queue.push(waiter);
    this.waitingCount++;
    return {
      kind: 'queued',
      cancel: () => {
        const at = queue.indexOf(waiter);
        if (at < 0) return false;
        queue.splice(at, 1);
        this.waitingCount--;
        return true;
      },
    };
  }

  /** A request that ran has finished: its seat goes to the next queue in turn. */
  finish(): void {
    this.executing--;
    while (this.executing < this.concurrencyLimit && this.waitingCount > 0) {
      const waiter = this.dequeue();
      if (!waiter) break;
      this.executing++;
      waiter.dispatch();
    }
  }

  private dequeue(): Waiter | undefined {
    for (let n = 0; n < this.queues.length; n++) {
      const i = (this.nextQueue + n) % this.queues.length;
      const w = this.queues[i]!.shift();
      if (w) {
        this.nextQueue = (i + 1) % this.queues.length;
        this.waitingCount--;
        return w;
      }
    }
    return undefined;
  }
}
