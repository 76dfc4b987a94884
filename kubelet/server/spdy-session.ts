// The server side of a SPDY/3.1 session over any byte transport (an upgraded socket, or a
// WebSocket turned into a stream). Each SYN_STREAM from the client becomes a SpdyStream — a
// Duplex whose readable side is the client's DATA and whose writable side sends DATA back —
// replied to at once, as spdystream's servers do. Flow control is not spoken: spdystream
// (kubectl's side) neither sends nor honours WINDOW_UPDATE.
import { EventEmitter } from 'node:events';
import { Duplex } from 'node:stream';
import {
  decodeFrame,
  decodeHeaderBlock,
  encodeDataFrame,
  encodeGoAway,
  encodeHeaderBlock,
  encodePing,
  encodeRstStream,
  encodeSynReply,
  FrameSplitter,
  headerBlockOffset,
  HeaderCompressor,
  HeaderDecompressor,
  RstStatus,
  type RawFrame,
  type SpdyFrame,
  type SpdyHeaders,
} from './spdy.js';

/** DATA frames we send carry at most this much (one io.Copy buffer on the Go side). */
const MAX_DATA_CHUNK = 32 * 1024;

export class SpdyStream extends Duplex {
  readonly id: number;
  readonly headers: SpdyHeaders;
  private remoteDone = false;
  private localDone = false;

  constructor(
    private readonly session: SpdySession,
    id: number,
    headers: SpdyHeaders,
  ) {
    super({ allowHalfOpen: true });
    this.id = id;
    this.headers = headers;
  }

  override _read(): void {
    this.session.resumeTransport();
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, done: (err?: Error | null) => void): void {
    if (this.localDone) return done(new Error(`spdy stream ${this.id}: write after reset`));
    let ok = true;
    for (let off = 0; off < chunk.length; off += MAX_DATA_CHUNK) {
      ok = this.session.send(encodeDataFrame(this.id, chunk.subarray(off, off + MAX_DATA_CHUNK), false));
    }
    if (ok) done();
    else this.session.onceDrained(() => done());
  }

  override _final(done: (err?: Error | null) => void): void {
    if (!this.localDone) {
      this.localDone = true;
      this.session.send(encodeDataFrame(this.id, Buffer.alloc(0), true));
    }
    this.maybeFinished();
    done();
  }

  override _destroy(err: Error | null, done: (err: Error | null) => void): void {
    // Torn down before both sides finished: tell the peer.
    if (!this.localDone || !this.remoteDone) this.session.reset(this.id, RstStatus.Cancel);
    this.localDone = this.remoteDone = true;
    this.session.forget(this.id);
    done(err);
  }

  /** @internal DATA from the peer. */
  receive(data: Buffer, fin: boolean): void {
    if (this.remoteDone) return;
    if (data.length > 0 && !this.push(data)) this.session.pauseTransport();
    if (fin) {
      this.remoteDone = true;
      this.push(null);
      this.maybeFinished();
    }
  }

  /** @internal RST_STREAM from the peer (or the session going away): no error event, just 'close'. */
  abort(): void {
    this.remoteDone = this.localDone = true;
    this.session.forget(this.id);
    this.destroy();
  }

  private maybeFinished(): void {
    if (this.localDone && this.remoteDone) this.session.forget(this.id);
  }
}

export interface SpdySessionEvents {
  stream: [SpdyStream];
  close: [];
  error: [Error];
}

export class SpdySession extends EventEmitter<SpdySessionEvents> {
  private readonly splitter = new FrameSplitter();
  private readonly compressor = new HeaderCompressor();
  private readonly decompressor = new HeaderDecompressor();
  private readonly streams = new Map<number, SpdyStream>();
  private readonly pending: RawFrame[] = [];
  private draining = false;
  private lastStreamId = 0;
  private goingAway = false;
  private closed = false;

  constructor(private readonly transport: Duplex) {
    super();
    transport.on('data', (chunk: Buffer) => {
      try {
        this.pending.push(...this.splitter.push(chunk));
      } catch (err) {
        return this.fail(err as Error);
      }
      void this.drain();
    });
    transport.once('end', () => this.close());
    transport.once('close', () => this.close());
    transport.on('error', (err) => this.fail(err));
  }

  get activeStreams(): number {
    return this.streams.size;
  }

  /** Sends GOAWAY and closes the transport once the open streams have finished. */
  goAway(): void {
    if (this.closed || this.goingAway) return;
    this.goingAway = true;
    this.send(encodeGoAway(this.lastStreamId));
    if (this.streams.size === 0) this.transport.end();
  }

  /**
   * What the kubelet does once an exec has reported its status (spdystream's Connection.Close):
   * GOAWAY, then the transport is ended after everything written so far; the peer closing
   * its side, or `graceMs`, completes the close.
   */
  shutdown(graceMs = 5_000): void {
    if (this.closed) return;
    if (!this.goingAway) {
      this.goingAway = true;
      this.send(encodeGoAway(this.lastStreamId));
    }
    if (!this.transport.writableEnded) this.transport.end();
    setTimeout(() => this.close(), graceMs).unref();
  }

  /** Tears everything down now. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const s of [...this.streams.values()]) s.abort();
    this.streams.clear();
    this.decompressor.close();
    if (!this.transport.destroyed) this.transport.destroy();
    this.emit('close');
  }

  /** @internal */
  send(frame: Buffer): boolean {
    if (this.closed || this.transport.destroyed || this.transport.writableEnded) return true;
    return this.transport.write(frame);
  }

  /** @internal */
  onceDrained(cb: () => void): void {
    if (this.closed) return cb();
    const done = () => {
      this.transport.off('drain', done);
      this.off('close', done);
      cb();
    };
    this.transport.on('drain', done);
    this.on('close', done);
  }

  /** @internal */
  reset(id: number, status: number): void {
    this.send(encodeRstStream(id, status));
  }

  /** @internal */
  forget(id: number): void {
    this.streams.delete(id);
    if (this.goingAway && this.streams.size === 0 && !this.transport.writableEnded) this.transport.end();
  }

  /** @internal */
  pauseTransport(): void {
    this.transport.pause();
  }

  /** @internal */
  resumeTransport(): void {
    if (this.transport.isPaused()) this.transport.resume();
  }

  private fail(err: Error): void {
    if (this.closed) return;
    this.emit('error', err);
    this.close();
  }

  /** Frames are handled strictly in order; header blocks decompress asynchronously. */
  private async drain(): Promise<void> {
    if (this.draining) return;
    this.draining = true;
    try {
      while (this.pending.length && !this.closed) {
        const raw = this.pending.shift()!;
        let headers: SpdyHeaders | undefined;
        const at = raw.control ? headerBlockOffset(raw.type) : undefined;
        if (raw.control && at !== undefined && raw.data.length > at) {
          headers = decodeHeaderBlock(await this.decompressor.decompress(raw.data.subarray(at)));
        }
        this.handle(decodeFrame(raw, headers));
      }
    } catch (err) {
      this.fail(err as Error);
    } finally {
      this.draining = false;
    }
  }

  private handle(frame: SpdyFrame): void {
    switch (frame.type) {
      case 'syn_stream': {
        // Client streams are odd and increasing; anything else is refused.
        if (frame.streamId % 2 === 0 || frame.streamId <= this.lastStreamId || this.goingAway) {
          this.reset(frame.streamId, this.goingAway ? RstStatus.RefusedStream : RstStatus.ProtocolError);
          return;
        }
        this.lastStreamId = frame.streamId;
        const stream = new SpdyStream(this, frame.streamId, frame.headers);
        this.streams.set(frame.streamId, stream);
        this.send(encodeSynReply(frame.streamId, this.compressor.compress(encodeHeaderBlock({}))));
        if (frame.fin) stream.receive(Buffer.alloc(0), true);
        this.emit('stream', stream);
        return;
      }
      case 'data': {
        const stream = this.streams.get(frame.streamId);
        if (!stream) {
          if (frame.streamId > this.lastStreamId) this.reset(frame.streamId, RstStatus.InvalidStream);
          return;
        }
        stream.receive(frame.data, frame.fin);
        return;
      }
      case 'headers':
        if (frame.fin) this.streams.get(frame.streamId)?.receive(Buffer.alloc(0), true);
        return;
      case 'rst_stream':
        this.streams.get(frame.streamId)?.abort();
        return;
      case 'ping':
        // Echo the client's (odd) pings; ours would be even, and we send none.
        if (frame.id % 2 === 1) this.send(encodePing(frame.id));
        return;
      case 'goaway':
        this.goingAway = true;
        if (this.streams.size === 0) this.transport.end();
        return;
      default:
        // SETTINGS, WINDOW_UPDATE, SYN_REPLY (we open no streams) and unknown types: nothing to do.
        return;
    }
  }
}
