// An event recorder like client-go's tools/record: `recorder.event(pod, 'Warning', 'Failed',
// msg)` writes a core/v1 Event in the background. A repeat of the same event (same object,
// type, reason and message) within 10 minutes bumps `count` and `lastTimestamp` on the
// existing Event instead of creating another. Recording never blocks and never throws.
import type { Event, ObjectReference } from 'kubernetes-types/core/v1';
import type { RestClient, ResourceClient } from './rest.js';
import type { ObjectLike } from './typed.js';
import { isNotFound, isAlreadyExists, isInvalid } from './errors.js';
import { StatusError } from '../api/status.js';
import { metaTime } from '../api/time.js';
import { TokenBucket, sleep, realClock, type Clock } from './token-bucket.js';
import { defaultLogger, type Logger } from './log.js';

export type EventType = 'Normal' | 'Warning';

export interface EventRecorderOptions {
  /** `source.component`, e.g. `kube-scheduler`, `kubelet`. */
  component: string;
  /** `source.host` (the kubelet's node name). */
  host?: string;
  logger?: Logger;
  /** Repeats within this window are folded into one Event (default 10 min). */
  aggregateWindowMs?: number;
  /** Remembered distinct events, least recently used dropped first (client-go: 4096). */
  maxCacheEntries?: number;
  /** Events waiting to be written; beyond this new ones are dropped, as client-go's broadcaster does. */
  maxPending?: number;
  clock?: Clock;
}

interface Seen {
  name: string;
  namespace: string;
  count: number;
  firstTimestamp: string;
  lastAt: number;
}

/** Events of one object are rate limited (client-go's spam filter: burst 25, then 1 per 5 min). */
const SPAM_BURST = 25;
const SPAM_QPS = 1 / 300;

export class EventRecorder {
  private readonly events: ResourceClient<Event>;
  private readonly seen = new Map<string, Seen>();
  private readonly spam = new Map<string, TokenBucket>();
  private tail: Promise<void> = Promise.resolve();
  private pending = 0;
  private lastNanos = 0n;
  private readonly log: Logger;
  private readonly clock: Clock;
  private readonly window: number;
  private readonly maxEntries: number;
  private readonly maxPending: number;

  constructor(
    client: RestClient,
    private readonly opts: EventRecorderOptions,
  ) {
    this.events = client.resource('events');
    this.log = opts.logger ?? defaultLogger();
    this.clock = opts.clock ?? realClock;
    this.window = opts.aggregateWindowMs ?? 10 * 60_000;
    this.maxEntries = opts.maxCacheEntries ?? 4096;
    this.maxPending = opts.maxPending ?? 1000;
  }

  /** Records an event about `obj` (an API object, or an ObjectReference e.g. with a fieldPath). */
  event(obj: ObjectLike | ObjectReference, type: EventType, reason: string, message: string): void {
    try {
      this.record(toReference(obj), type, reason, message);
    } catch (e) {
      this.log.error({ reason, err: e }, 'could not record event');
    }
  }

  /** Resolves when every event recorded so far has been written (or given up on). */
  flush(): Promise<void> {
    return this.tail;
  }

  private record(ref: ObjectReference, type: EventType, reason: string, message: string): void {
    const now = this.clock.now();
    const source = `${this.opts.component}/${this.opts.host ?? ''}`;
    const objKey = JSON.stringify([source, ref.kind, ref.namespace, ref.name, ref.uid, ref.apiVersion, ref.fieldPath]);
    let bucket = this.spam.get(objKey);
    if (!bucket) {
      bucket = new TokenBucket(SPAM_QPS, SPAM_BURST, this.clock);
      this.remember(this.spam, objKey, bucket);
    }
    if (!bucket.tryTake()) return;
    if (this.pending >= this.maxPending) {
      this.log.warn({ reason, object: `${ref.namespace ?? ''}/${ref.name}` }, 'event queue full, dropping event');
      return;
    }
    const key = JSON.stringify([objKey, type, reason, message]);
    const ts = metaTime(now);
    const prior = this.seen.get(key);
    const namespace = ref.namespace || 'default';
    if (prior && now - prior.lastAt <= this.window) {
      prior.count++;
      prior.lastAt = now;
      this.remember(this.seen, key, prior);
      const patch = { count: prior.count, lastTimestamp: ts, message };
      const event = this.build(prior.name, namespace, ref, type, reason, message, prior.firstTimestamp, ts, prior.count);
      this.enqueue(() => this.writePatch(prior.name, namespace, patch, event));
      return;
    }
    const name = `${ref.name}.${this.uniqueNanos(now).toString(16)}`;
    this.remember(this.seen, key, { name, namespace, count: 1, firstTimestamp: ts, lastAt: now });
    const event = this.build(name, namespace, ref, type, reason, message, ts, ts, 1);
    this.enqueue(() => this.writeCreate(event));
  }

  private build(
    name: string,
    namespace: string,
    ref: ObjectReference,
    type: EventType,
    reason: string,
    message: string,
    first: string,
    last: string,
    count: number,
  ): Event {
    return {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name, namespace },
      involvedObject: ref,
      reason,
      message,
      type,
      source: { component: this.opts.component, ...(this.opts.host ? { host: this.opts.host } : {}) },
      firstTimestamp: first,
      lastTimestamp: last,
      count,
      reportingComponent: this.opts.component,
      reportingInstance: this.opts.host ?? '',
    };
  }

  /** Writes run one at a time, in order, so a repeat's PATCH follows its CREATE. */
  private enqueue(write: () => Promise<void>): void {
    this.pending++;
    this.tail = this.tail.then(write).finally(() => {
      this.pending--;
    });
  }

  private async writeCreate(event: Event): Promise<void> {
    await this.withRetries(`create ${event.metadata?.name}`, async () => {
      try {
        await this.events.inNamespace(event.metadata?.namespace).create(event);
      } catch (e) {
        if (!isAlreadyExists(e)) throw e;
      }
    });
  }

  private async writePatch(name: string, namespace: string, patch: Record<string, unknown>, full: Event): Promise<void> {
    await this.withRetries(`patch ${name}`, async () => {
      try {
        await this.events.inNamespace(namespace).patch(name, 'merge', patch);
      } catch (e) {
        // The Event expired or was deleted: write it afresh, keeping the count.
        if (!isNotFound(e)) throw e;
        await this.events.inNamespace(namespace).create(full);
      }
    });
  }

  private async withRetries(what: string, fn: () => Promise<void>): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await fn();
      } catch (e) {
        // Client errors will not get better by retrying; transport and server errors might.
        const permanent = isInvalid(e) || (e instanceof StatusError && e.code >= 400 && e.code < 500 && e.code !== 429);
        if (permanent || attempt >= 3) {
          this.log.warn({ event: what, attempt, err: e }, 'could not write event');
          return;
        }
        await sleep(500 * attempt);
      }
    }
  }

  /** A nanosecond timestamp for the name, strictly increasing so names never collide. */
  private uniqueNanos(nowMs: number): bigint {
    let n = BigInt(nowMs) * 1_000_000n;
    if (n <= this.lastNanos) n = this.lastNanos + 1n;
    this.lastNanos = n;
    return n;
  }

  /** Map insertion order as LRU: re-inserting moves an entry to the back. */
  private remember<V>(map: Map<string, V>, key: string, value: V): void {
    map.delete(key);
    map.set(key, value);
    if (map.size > this.maxEntries) map.delete(map.keys().next().value as string);
  }
}

/** An ObjectReference for an object (client-go's reference.GetReference). */
export function toReference(obj: ObjectLike | ObjectReference): ObjectReference {
  if (!('metadata' in obj) || obj.metadata === undefined) {
    const ref = obj as ObjectReference;
    if (!ref.kind || !ref.name) throw new Error('event: object reference needs kind and name');
    return ref;
  }
  const o = obj as ObjectLike;
  const m = o.metadata ?? {};
  if (!o.kind || !o.apiVersion) throw new Error(`event: object ${m.namespace ?? ''}/${m.name ?? ''} has no kind/apiVersion`);
  return {
    kind: o.kind,
    apiVersion: o.apiVersion,
    name: m.name,
    ...(m.namespace ? { namespace: m.namespace } : {}),
    ...(m.uid ? { uid: m.uid } : {}),
    ...(m.resourceVersion ? { resourceVersion: m.resourceVersion } : {}),
  };
}
