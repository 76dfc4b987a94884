// One client connection of a userspace listener, spliced to an endpoint (pkg/proxy/userspace's
// proxySocket: tryConnect, then the two copy loops of ProxyTCP).
//
// Dialing follows tryConnect: up to len(EndpointDialTimeouts) attempts (250 ms, 500 ms, 1 s,
// 2 s), each on the next endpoint of the load balancer's order, and at least one per endpoint,
// so a client only fails when every endpoint does.
//
// One step beyond tryConnect: an endpoint that accepts and then resets the connection before
// sending a single byte back (a pod going away, an overflowing accept queue) has answered
// nothing, so what the client sent so far (up to REPLAY_LIMIT_BYTES) is replayed to the next
// endpoint instead of resetting the client — HAProxy's `retry-on conn-failure empty-response`.
// Once an endpoint has answered, or the client sent more than the limit, a reset goes through.
import { connect, type Socket } from 'node:net';
import type { Logger } from 'pino';

/** k8s' userspace EndpointDialTimeouts. */
export const ENDPOINT_DIAL_TIMEOUTS_MS: readonly number[] = [250, 500, 1000, 2000];
/** What is kept of the client's first bytes for a replay to another endpoint. */
export const REPLAY_LIMIT_BYTES = 64 * 1024;

export interface SpliceOptions {
  /** Endpoints (`ip:port`) in the order to try them. */
  order: readonly string[];
  dialTimeoutsMs: readonly number[];
  /** The endpoint that took the client (for session affinity). */
  connected(endpoint: string): void;
  /** Sockets to destroy when the listener closes. */
  track(s: Socket): void;
  untrack(s: Socket): void;
  log: Logger;
  service: string;
}

/** Splices `client` (paused: the listener has pauseOnConnect) to one of `opts.order`. */
export function splice(client: Socket, opts: SpliceOptions): void {
  new Splice(client, opts).start();
}

class Splice {
  private upstream: Socket | undefined;
  private upstreamConnected = false;
  private attempts = 0;
  private readonly maxAttempts: number;
  /** The client's bytes so far, while a replay is still possible; null once it is not. */
  private replay: Buffer[] | null = [];
  private replayBytes = 0;
  private clientEnded = false;

  constructor(
    private readonly client: Socket,
    private readonly opts: SpliceOptions,
  ) {
    this.maxAttempts = opts.order.length === 0 ? 0 : Math.max(opts.order.length, opts.dialTimeoutsMs.length);
  }

  start(): void {
    const { client } = this;
    client.on('error', () => client.destroy());
    client.on('close', (hadError) => {
      // A client gone while we dial, or cut: nothing more to relay.
      if (hadError || !this.upstreamConnected) this.upstream?.destroy();
    });
    client.on('data', (chunk: Buffer) => {
      if (this.replay) {
        this.replay.push(chunk);
        this.replayBytes += chunk.length;
        if (this.replayBytes > REPLAY_LIMIT_BYTES) this.replay = null;
      }
      if (!this.upstreamConnected) {
        // Paused while dialing, so only a stray chunk: kept for the replay, or the client cut.
        if (!this.replay) client.destroy();
        return;
      }
      const up = this.upstream!;
      if (!up.write(chunk)) {
        client.pause();
        up.once('drain', () => client.resume());
      }
    });
    client.on('end', () => {
      this.clientEnded = true;
      if (this.upstreamConnected) this.upstream?.end();
    });
    this.dial();
  }

  private dial(): void {
    const { client, opts } = this;
    if (client.destroyed) return;
    if (this.attempts >= this.maxAttempts) {
      opts.log.debug({ service: opts.service }, 'no endpoint accepted the connection');
      client.destroy();
      return;
    }
    const i = this.attempts++;
    const endpoint = opts.order[i % opts.order.length]!;
    const timeoutMs = opts.dialTimeoutsMs[Math.min(i, opts.dialTimeoutsMs.length - 1)] ?? 1000;
    const sep = endpoint.lastIndexOf(':');
    const up = connect({ host: endpoint.slice(0, sep), port: Number(endpoint.slice(sep + 1)), allowHalfOpen: true });
    this.upstream = up;
    this.upstreamConnected = false;
    const timer = setTimeout(() => {
      // After an event-loop stall longer than the timeout, this timer and the connect's
      // completion are due together and timers run first: look again once the poll phase has
      // delivered the I/O, so a stall alone never fails a connection that was made.
      setImmediate(() => {
        if (up.connecting) up.destroy(new Error(`dial timeout after ${timeoutMs} ms`));
      });
    }, timeoutMs);
    const failed = (e: Error): void => {
      clearTimeout(timer);
      up.destroy();
      opts.log.debug({ service: opts.service, endpoint, err: e }, 'dial failed; trying the next endpoint');
      this.dial();
    };
    up.once('error', failed);
    up.once('connect', () => {
      clearTimeout(timer);
      up.off('error', failed);
      this.relay(up, endpoint);
    });
  }

  private relay(up: Socket, endpoint: string): void {
    const { client, opts } = this;
    this.upstreamConnected = true;
    opts.connected(endpoint);
    opts.track(up);
    // Writes pass straight through: Nagle on a relay adds a delayed-ACK wait per reply.
    client.setNoDelay(true);
    up.setNoDelay(true);
    let answered = false;
    let ended = false;
    let retrying = false;
    up.on('data', (chunk: Buffer) => {
      if (!answered) {
        answered = true;
        this.replay = null;
      }
      if (!client.write(chunk)) {
        up.pause();
        client.once('drain', () => up.resume());
      }
    });
    up.on('end', () => {
      ended = true;
      client.end();
    });
    up.on('error', (e: Error) => {
      if (!answered && !ended && this.replay && !client.destroyed && this.attempts < this.maxAttempts) {
        retrying = true;
        opts.log.debug({ service: opts.service, endpoint, err: e }, 'endpoint reset before answering; replaying to the next');
        client.pause();
        up.destroy();
        this.upstream = undefined;
        this.upstreamConnected = false;
        this.dial(); // relay() resumes the client on the next connect
        return;
      }
      up.destroy();
    });
    up.on('close', (hadError) => {
      opts.untrack(up);
      if (hadError && !retrying) client.destroy();
    });
    if (this.replay) for (const b of this.replay) up.write(b);
    if (this.clientEnded) up.end();
    client.resume();
  }
}
