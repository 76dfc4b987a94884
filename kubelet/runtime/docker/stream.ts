// Parsers for Docker's streaming bodies. Without a TTY, logs/attach/exec output is
// multiplexed: each frame is an 8-byte header [stream, 0, 0, 0, uint32 BE length] followed by
// `length` bytes of payload, and frames split across (or share) network chunks arbitrarily.
// /events and pull progress are newline-delimited JSON, also split arbitrarily.
import { PassThrough, Transform, type Readable, type TransformCallback } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';

export const STREAM_STDIN = 0;
export const STREAM_STDOUT = 1;
export const STREAM_STDERR = 2;

export interface DockerFrame {
  /** 0 stdin, 1 stdout, 2 stderr (what Docker wrote in the header). */
  stream: number;
  payload: Buffer;
}

const HEADER_LENGTH = 8;

/** Incremental frame parser: feed chunks as they come, get back the frames they complete. */
export class FrameParser {
  private pending: Buffer[] = [];
  private pendingLength = 0;

  push(chunk: Buffer): DockerFrame[] {
    if (chunk.length === 0) return [];
    this.pending.push(chunk);
    this.pendingLength += chunk.length;
    const frames: DockerFrame[] = [];
    let buf = this.pending.length === 1 ? chunk : Buffer.concat(this.pending, this.pendingLength);
    let offset = 0;
    while (buf.length - offset >= HEADER_LENGTH) {
      const size = buf.readUInt32BE(offset + 4);
      const end = offset + HEADER_LENGTH + size;
      if (end > buf.length) break;
      // Copy so the frame does not pin the (possibly large) concatenated buffer.
      frames.push({ stream: buf[offset]!, payload: Buffer.from(buf.subarray(offset + HEADER_LENGTH, end)) });
      offset = end;
    }
    buf = buf.subarray(offset);
    this.pending = buf.length > 0 ? [buf] : [];
    this.pendingLength = buf.length;
    return frames;
  }

  /** Bytes of an incomplete frame held back; non-zero at end of stream means truncation. */
  get buffered(): number {
    return this.pendingLength;
  }
}

/** Incremental newline splitter (UTF-8 safe across chunk boundaries); skips empty lines. */
export class LineSplitter {
  private decoder = new StringDecoder('utf8');
  private rest = '';

  push(chunk: Buffer | string): string[] {
    const text = this.rest + (typeof chunk === 'string' ? chunk : this.decoder.write(chunk));
    const parts = text.split('\n');
    this.rest = parts.pop() ?? '';
    return parts.map((l) => l.trim()).filter((l) => l.length > 0);
  }

  /** The last line when the stream did not end with a newline. */
  end(): string[] {
    const last = (this.rest + this.decoder.end()).trim();
    this.rest = '';
    return last.length > 0 ? [last] : [];
  }
}

/** Parses a newline-delimited JSON body into values. */
export async function* readJsonLines(body: AsyncIterable<Buffer | string>): AsyncGenerator<unknown> {
  const lines = new LineSplitter();
  for await (const chunk of body) {
    for (const line of lines.push(chunk)) yield JSON.parse(line);
  }
  for (const line of lines.end()) yield JSON.parse(line);
}

/**
 * A byte stream of the payloads of the chosen streams (stdout and/or stderr), in the order
 * Docker sent them — what `kubectl logs` shows.
 */
export function payloadStream(streams: ReadonlySet<number>): Transform {
  const parser = new FrameParser();
  return new Transform({
    transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback) {
      for (const frame of parser.push(chunk)) {
        if (streams.has(frame.stream)) this.push(frame.payload);
      }
      done();
    },
  });
}

/**
 * Splits a multiplexed body into separate stdout and stderr streams. Backpressure from either
 * output pauses the source. Both outputs end when the source ends; a source error destroys both.
 */
export function demultiplex(source: Readable): { stdout: PassThrough; stderr: PassThrough } {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const parser = new FrameParser();
  // The outputs the source waits on: one 'drain' listener each, however many frames a chunk held.
  const blocked = new Set<PassThrough>();
  source.on('data', (chunk: Buffer) => {
    for (const frame of parser.push(chunk)) {
      const out = frame.stream === STREAM_STDERR ? stderr : stdout;
      if (out.destroyed) continue;
      if (!out.write(frame.payload) && !blocked.has(out)) {
        blocked.add(out);
        source.pause();
        out.once('drain', () => {
          blocked.delete(out);
          if (blocked.size === 0) source.resume();
        });
      }
    }
  });
  source.once('end', () => {
    stdout.end();
    stderr.end();
  });
  source.once('error', (err) => {
    stdout.destroy(err);
    stderr.destroy(err);
  });
  source.once('close', () => {
    // A source closed without 'end' (e.g. a connection reset) must still finish the outputs.
    if (!stdout.writableEnded) stdout.end();
    if (!stderr.writableEnded) stderr.end();
  });
  return { stdout, stderr };
}

/** Builds one frame (tests, and anything that has to speak the format). */
export function encodeFrame(stream: number, payload: Buffer | string): Buffer {
  const body = typeof payload === 'string' ? Buffer.from(payload) : payload;
  const header = Buffer.alloc(HEADER_LENGTH);
  header[0] = stream;
  header.writeUInt32BE(body.length, 4);
  return Buffer.concat([header, body]);
}
