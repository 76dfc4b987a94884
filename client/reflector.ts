// The Reflector keeps a sink (the informer's store) equal to the server's state of one
// resource, as client-go's tools/cache/reflector.go: LIST (paged), then WATCH from the list's
// resourceVersion; relist when the server says that version is gone (410); re-watch from the
// last seen resourceVersion when a watch ends; back off 800 ms → 30 s on failures.
import type { Status } from 'kubernetes-types/meta/v1';
import type { ListOptions, WatchOptions, WatchStream, ResourceClient } from './rest.js';
import type { ObjectLike, ListOf } from './typed.js';
import { StatusError } from '../api/status.js';
import { isResourceExpired, isTooManyRequests, statusErrorFromStatus } from './errors.js';
import { Backoff, type BackoffOptions } from './backoff.js';
import { sleep } from './token-bucket.js';
import { defaultLogger, type Logger } from './log.js';

/** What a reflector lists and watches: a ResourceClient with selectors bound in. */
export interface ListerWatcher<T> {
  list(opts: ListOptions): Promise<ListOf<T>>;
  watch(opts: WatchOptions): Promise<WatchStream<T>>;
}

/** Where a reflector delivers what it sees (client-go's DeltaFIFO; here, the informer). */
export interface ReflectorSink<T> {
  replace(items: T[], resourceVersion: string): void;
  add(obj: T): void;
  update(obj: T): void;
  delete(obj: T): void;
}

export interface Selectors {
  labelSelector?: string;
  fieldSelector?: string;
}

/** Binds label/field selectors to a resource client (the kubelet's `spec.nodeName=<node>`). */
export function listWatchFor<T extends ObjectLike>(client: ResourceClient<T>, selectors: Selectors = {}): ListerWatcher<T> {
  return {
    list: (opts) => client.list({ ...opts, ...selectors }),
    watch: (opts) => client.watch({ ...opts, ...selectors }),
  };
}

export interface ReflectorOptions {
  /** For logs, e.g. `pods`. */
  name?: string;
  logger?: Logger;
  /** LIST page size; by default 500, or unpaged when listing at a specific resourceVersion (see list()). */
  pageSize?: number;
  /** Watches ask the server to end after a random time in [min, 2·min] seconds; default 300. */
  minWatchTimeoutSeconds?: number;
  backoff?: Partial<BackoffOptions>;
}

type WatchEnd = 'closed' | 'expired' | 'stopped';

export class Reflector<T extends ObjectLike> {
  private lastRV = '';
  /** Set when a LIST at lastRV failed with 410: the next LIST must be a consistent read. */
  private lastRVUnavailable = false;
  /** The server paged a LIST at resourceVersion 0, so it does not serve those from a cache. */
  private paginatedResult = false;
  private readonly abort = new AbortController();
  private loop: Promise<void> | undefined;
  private readonly backoff: Backoff;
  private readonly log: Logger;
  private readonly name: string;

  constructor(
    private readonly lw: ListerWatcher<T>,
    private readonly sink: ReflectorSink<T>,
    private readonly opts: ReflectorOptions = {},
  ) {
    this.name = opts.name ?? 'reflector';
    this.log = opts.logger ?? defaultLogger();
    this.backoff = new Backoff({ initialMs: 800, maxMs: 30_000, resetAfterMs: 60_000, factor: 2, jitter: 1, ...opts.backoff });
  }

  /** The resourceVersion of the last list, event or bookmark seen. */
  get lastSyncResourceVersion(): string {
    return this.lastRV;
  }

  /** Starts listing and watching in the background until stop(). */
  run(): void {
    this.loop ??= this.runLoop();
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await this.loop;
  }

  private get stopped(): boolean {
    return this.abort.signal.aborted;
  }

  private async runLoop(): Promise<void> {
    while (!this.stopped) {
      try {
        await this.listAndWatch();
      } catch (e) {
        if (this.stopped) break;
        this.log.warn({ resource: this.name, err: e }, 'list and watch failed');
      }
      if (this.stopped) break;
      await sleep(this.backoff.next(), this.abort.signal).catch(() => undefined);
    }
  }

  private async listAndWatch(): Promise<void> {
    await this.list();
    while (!this.stopped) {
      let stream: WatchStream<T>;
      try {
        stream = await this.lw.watch({
          resourceVersion: this.lastRV,
          timeoutSeconds: this.watchTimeoutSeconds(),
          allowWatchBookmarks: true,
          signal: this.abort.signal,
        });
      } catch (e) {
        if (this.stopped) return;
        if (isResourceExpired(e)) {
          this.log.info({ resource: this.name, resourceVersion: this.lastRV }, 'watch start: resourceVersion too old, relisting');
          return;
        }
        if (!isRetriableWatchError(e)) throw e;
        this.log.warn({ resource: this.name, err: e }, 'watch failed to start, retrying');
        await sleep(this.backoff.next(), this.abort.signal).catch(() => undefined);
        continue;
      }
      let end: WatchEnd;
      // stop() must end the iteration even if the stream ignores the request signal.
      const closeOnStop = (): void => stream.close();
      this.abort.signal.addEventListener('abort', closeOnStop, { once: true });
      try {
        end = await this.handleWatch(stream);
      } catch (e) {
        if (this.stopped) return;
        // A dropped connection or a very short watch: re-watch from where we were, politely.
        if (!isRetriableWatchError(e)) throw e;
        this.log.warn({ resource: this.name, resourceVersion: this.lastRV, err: e }, 'watch ended, re-watching');
        await sleep(this.backoff.next(), this.abort.signal).catch(() => undefined);
        continue;
      } finally {
        this.abort.signal.removeEventListener('abort', closeOnStop);
        stream.close();
      }
      if (end === 'expired') {
        this.log.info({ resource: this.name, resourceVersion: this.lastRV }, 'watch: resourceVersion too old, relisting');
        return;
      }
      if (end === 'stopped') return;
    }
  }

  /**
   * One full LIST, paged. Like client-go: the first list asks for resourceVersion "0" (any
   * cached state); after a watch expired, the version last seen ("not older than"); after
   * that failed with 410, "" (a consistent read).
   */
  private async list(): Promise<void> {
    const rv = this.lastRVUnavailable ? '' : this.lastRV || '0';
    let pageSize = this.opts.pageSize ?? 500;
    // A LIST at a specific version is served from the watch cache only when unpaged.
    if (this.opts.pageSize === undefined && !this.paginatedResult && rv !== '' && rv !== '0') pageSize = 0;
    let items: T[] = [];
    let listRV = '';
    let cont: string | undefined;
    for (;;) {
      let page: ListOf<T>;
      try {
        page = await this.lw.list({
          limit: pageSize > 0 ? pageSize : undefined,
          continue: cont,
          resourceVersion: cont ? undefined : rv,
          signal: this.abort.signal,
        });
      } catch (e) {
        if (!isResourceExpired(e)) throw e;
        if (cont) {
          // The continue token expired mid-way: take the whole list in one go instead.
          items = [];
          cont = undefined;
          pageSize = 0;
          continue;
        }
        if (rv === '') throw e;
        this.lastRVUnavailable = true;
        return this.list();
      }
      items.push(...page.items);
      if (!cont) listRV = page.metadata.resourceVersion ?? '';
      if (page.metadata.continue) {
        if (rv === '0' && !cont) this.paginatedResult = true;
        cont = page.metadata.continue;
        continue;
      }
      break;
    }
    this.lastRVUnavailable = false;
    this.lastRV = listRV;
    this.sink.replace(items, listRV);
  }

  private async handleWatch(stream: WatchStream<T>): Promise<WatchEnd> {
    const started = Date.now();
    let events = 0;
    for await (const ev of stream) {
      if (this.stopped) return 'stopped';
      if (ev.type === 'ERROR') {
        const err = statusErrorFromStatus(ev.object as Status);
        if (isResourceExpired(err)) return 'expired';
        throw err;
      }
      const obj = ev.object;
      const rv = obj?.metadata?.resourceVersion;
      switch (ev.type) {
        case 'ADDED':
          this.sink.add(obj);
          break;
        case 'MODIFIED':
          this.sink.update(obj);
          break;
        case 'DELETED':
          this.sink.delete(obj);
          break;
        case 'BOOKMARK':
          break;
        default:
          this.log.warn({ resource: this.name, type: (ev as { type: string }).type }, 'unknown watch event type');
          continue;
      }
      if (rv) this.lastRV = rv;
      events++;
    }
    if (this.stopped) return 'stopped';
    if (events === 0 && Date.now() - started < 1000) {
      throw new Error('very short watch: the server closed it within a second without sending anything');
    }
    return 'closed';
  }

  private watchTimeoutSeconds(): number {
    const min = this.opts.minWatchTimeoutSeconds ?? 300;
    return Math.floor(min * (1 + Math.random()));
  }
}

/** Transport failures, throttling and server trouble: worth re-watching from the same version. */
function isRetriableWatchError(e: unknown): boolean {
  if (!(e instanceof StatusError)) return true;
  return isTooManyRequests(e) || e.code >= 500;
}
