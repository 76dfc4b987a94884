// A watcher as a controller's reflector is one: LIST, then WATCH from the list's
// resourceVersion; when the stream drops, watch again from the last RV seen; on 410 Gone
// (the RV was compacted, or the new apiserver's cache starts later) LIST again. Every object
// RV goes through an RvChecker; `onEvent` lets the workload follow pods.
import type { ObjectLike, RestClient, WatchEventOf } from '../../client/index.js';
import { isResourceExpired } from '../../client/index.js';
import { StatusError } from '../../api/status.js';
import { sleep } from './clients.js';
import { RvChecker } from './rv-check.js';

const IDLE_MS = 30_000;

export type WatchEvent<T> = { type: 'ADDED' | 'MODIFIED' | 'DELETED'; object: T };

export class ResumingWatcher<T extends ObjectLike> {
  readonly rv = new RvChecker();
  reconnects = 0;
  relists = 0;
  private lastRV = '';
  private stream: { close(): void } | undefined;
  private stopped = false;
  private done: Promise<void> | undefined;

  constructor(
    private readonly client: RestClient,
    private readonly resource: string,
    private readonly opts: {
      namespace?: string;
      labelSelector?: string;
      onEvent?: (e: WatchEvent<T>) => void;
      /** The whole current state after a (re)list: what disappeared meanwhile is gone. */
      onList?: (items: T[]) => void;
    },
  ) {}

  start(): void {
    this.done = this.run();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.stream?.close();
    await this.done;
  }

  private key(o: ObjectLike): string {
    return `${o.metadata?.namespace ?? ''}/${o.metadata?.name ?? ''}`;
  }

  private async relist(): Promise<void> {
    const list = await this.client.resource<T>(this.resource, this.opts.namespace).list({ labelSelector: this.opts.labelSelector });
    this.relists++;
    for (const o of list.items) this.rv.observe(this.key(o), o.metadata?.resourceVersion, 'list');
    this.opts.onList?.(list.items);
    this.lastRV = list.metadata?.resourceVersion ?? '';
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      try {
        if (!this.lastRV) await this.relist();
        await this.watchOnce();
      } catch (e) {
        if (isResourceExpired(e) || (e instanceof StatusError && e.code === 410)) this.lastRV = '';
        if (!this.stopped) await sleep(250);
      }
      if (!this.stopped) this.reconnects++;
    }
  }

  private async watchOnce(): Promise<void> {
    const w = await this.client.resource<T>(this.resource, this.opts.namespace).watch({
      resourceVersion: this.lastRV,
      labelSelector: this.opts.labelSelector,
      allowWatchBookmarks: true,
      timeoutSeconds: 60,
    });
    this.stream = w;
    if (this.stopped) w.close();
    // A paused (SIGSTOP) apiserver keeps the connection open and silent; client-go's HTTP/2
    // health check (30 s read-idle) would drop it, so does this.
    let idle = setTimeout(() => w.close(), IDLE_MS);
    try {
      for await (const ev of w) {
        clearTimeout(idle);
        idle = setTimeout(() => w.close(), IDLE_MS);
        if (this.handle(ev)) return;
      }
    } finally {
      clearTimeout(idle);
    }
  }

  /** True when the stream must be dropped (an ERROR event). */
  private handle(ev: WatchEventOf<T>): boolean {
    {
      if (ev.type === 'ERROR') {
        if (ev.object.code === 410) this.lastRV = '';
        return true;
      }
      const rv = ev.object.metadata?.resourceVersion ?? '';
      if (ev.type !== 'BOOKMARK') {
        this.rv.observe(this.key(ev.object), rv, 'watch');
        this.opts.onEvent?.({ type: ev.type, object: ev.object });
      }
      if (rv) this.lastRV = rv;
      return false;
    }
  }
}
