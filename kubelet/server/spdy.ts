// SPDY/3.1 framing (draft-mbelshe-httpbis-spdy / spdy-protocol-draft3-1), the transport of
// `kubectl port-forward`: its client (moby/spdystream) opens one stream per direction and
// purpose, with name/value header blocks compressed by zlib against a fixed dictionary.
// Pure parts only: frame splitting, encoding, header blocks and their (de)compression.
// Hand-written because no maintained npm package speaks SPDY/3.1 as a server any more (the `spdy`
// package targets HTTP/2-era Node and is unmaintained); the framing is small and fully tested.
import { constants as zlibConstants, createInflate, type Inflate } from 'node:zlib';

export const SPDY_VERSION = 3;

export const FrameType = {
  SynStream: 1,
  SynReply: 2,
  RstStream: 3,
  Settings: 4,
  Ping: 6,
  GoAway: 7,
  Headers: 8,
  WindowUpdate: 9,
} as const;

export const FLAG_FIN = 0x01;
export const FLAG_UNIDIRECTIONAL = 0x02;

/** RST_STREAM status codes. */
export const RstStatus = {
  ProtocolError: 1,
  InvalidStream: 2,
  RefusedStream: 3,
  Cancel: 5,
  InternalError: 6,
} as const;

/** Header names are lowercase; a name may carry several values (NUL-separated on the wire). */
export type SpdyHeaders = Record<string, string[]>;

/** A frame as cut from the byte stream, before its header block (if any) is decompressed. */
export type RawFrame =
  | { control: false; streamId: number; flags: number; data: Buffer }
  | { control: true; version: number; type: number; flags: number; data: Buffer };

export type SpdyFrame =
  | { type: 'data'; streamId: number; fin: boolean; data: Buffer }
  | { type: 'syn_stream'; streamId: number; associatedStreamId: number; priority: number; fin: boolean; unidirectional: boolean; headers: SpdyHeaders }
  | { type: 'syn_reply'; streamId: number; fin: boolean; headers: SpdyHeaders }
  | { type: 'headers'; streamId: number; fin: boolean; headers: SpdyHeaders }
  | { type: 'rst_stream'; streamId: number; status: number }
  | { type: 'settings'; entries: Array<{ flags: number; id: number; value: number }> }
  | { type: 'ping'; id: number }
  | { type: 'goaway'; lastGoodStreamId: number; status: number }
  | { type: 'window_update'; streamId: number; delta: number }
  | { type: 'unknown'; frameType: number };

export class SpdyProtocolError extends Error {}

// ---- the header-compression dictionary (SPDY/3 section 2.6.10.1) --------------------------
// Length-prefixed header names and common values, then a run of raw text. Built from its
// parts rather than spelled out byte by byte; the test pins its size and Adler-32.
const DICTIONARY_WORDS = [
  'options', 'head', 'post', 'put', 'delete', 'trace', 'accept', 'accept-charset', 'accept-encoding',
  'accept-language', 'accept-ranges', 'age', 'allow', 'authorization', 'cache-control', 'connection',
  'content-base', 'content-encoding', 'content-language', 'content-length', 'content-location',
  'content-md5', 'content-range', 'content-type', 'date', 'etag', 'expect', 'expires', 'from', 'host',
  'if-match', 'if-modified-since', 'if-none-match', 'if-range', 'if-unmodified-since', 'last-modified',
  'location', 'max-forwards', 'pragma', 'proxy-authenticate', 'proxy-authorization', 'range', 'referer',
  'retry-after', 'server', 'te', 'trailer', 'transfer-encoding', 'upgrade', 'user-agent', 'vary', 'via',
  'warning', 'www-authenticate', 'method', 'get', 'status', '200 OK', 'version', 'HTTP/1.1', 'url',
  'public', 'set-cookie', 'keep-alive', 'origin',
];
const DICTIONARY_TAIL =
  '100101201202205206300302303304305306307402405406407408409410411412413414415416417502504505' +
  '203 Non-Authoritative Information204 No Content301 Moved Permanently400 Bad Request401 Unauthorized' +
  '403 Forbidden404 Not Found500 Internal Server Error501 Not Implemented503 Service Unavailable' +
  'Jan Feb Mar Apr May Jun Jul Aug Sept Oct Nov Dec 00:00:00 Mon, Tue, Wed, Thu, Fri, Sat, Sun, GMT' +
  'chunked,text/html,image/png,image/jpg,image/gif,application/xml,application/xhtml+xml,text/plain,' +
  'text/javascript,publicprivatemax-age=gzip,deflate,sdchcharset=utf-8charset=iso-8859-1,utf-,*,enq=0.';

function buildDictionary(): Buffer {
  const parts: Buffer[] = [];
  for (const w of DICTIONARY_WORDS) {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(w.length);
    parts.push(len, Buffer.from(w, 'latin1'));
  }
  parts.push(Buffer.from(DICTIONARY_TAIL, 'latin1'));
  return Buffer.concat(parts);
}

export const SPDY_DICTIONARY: Buffer = buildDictionary();

// ---- splitting the byte stream into frames ------------------------------------------------

const FRAME_HEADER = 8;
/** Larger frames are a protocol error (spdystream never sends more than one io.Copy buffer). */
export const MAX_FRAME_LENGTH = 0xffffff;

/** Incremental: feed chunks as they arrive, get back the frames they complete. */
export class FrameSplitter {
  private buf: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): RawFrame[] {
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    const frames: RawFrame[] = [];
    let off = 0;
    while (this.buf.length - off >= FRAME_HEADER) {
      const word = this.buf.readUInt32BE(off);
      const flags = this.buf[off + 4]!;
      const length = this.buf.readUIntBE(off + 5, 3);
      if (this.buf.length - off - FRAME_HEADER < length) break;
      const data = Buffer.from(this.buf.subarray(off + FRAME_HEADER, off + FRAME_HEADER + length));
      if (word & 0x80000000) frames.push({ control: true, version: (word >>> 16) & 0x7fff, type: word & 0xffff, flags, data });
      else frames.push({ control: false, streamId: word & 0x7fffffff, flags, data });
      off += FRAME_HEADER + length;
    }
    this.buf = off === this.buf.length ? Buffer.alloc(0) : this.buf.subarray(off);
    return frames;
  }
}

// ---- header blocks ------------------------------------------------------------------------

/** The uncompressed name/value block: count, then (length, name, length, values) pairs. */
export function encodeHeaderBlock(headers: SpdyHeaders): Buffer {
  const entries = Object.entries(headers);
  const parts: Buffer[] = [u32(entries.length)];
  for (const [name, values] of entries) {
    const n = Buffer.from(name.toLowerCase(), 'utf8');
    const v = Buffer.from(values.join('\0'), 'utf8');
    parts.push(u32(n.length), n, u32(v.length), v);
  }
  return Buffer.concat(parts);
}

export function decodeHeaderBlock(block: Buffer): SpdyHeaders {
  const headers: SpdyHeaders = {};
  if (block.length < 4) throw new SpdyProtocolError('header block too short');
  const count = block.readUInt32BE(0);
  let off = 4;
  const take = (): string => {
    if (off + 4 > block.length) throw new SpdyProtocolError('truncated header block');
    const len = block.readUInt32BE(off);
    off += 4;
    if (off + len > block.length) throw new SpdyProtocolError('truncated header block');
    const s = block.toString('utf8', off, off + len);
    off += len;
    return s;
  };
  for (let i = 0; i < count; i++) {
    const name = take().toLowerCase();
    const values = take().split('\0');
    headers[name] = [...(headers[name] ?? []), ...values];
  }
  return headers;
}

/** First value of a header, or undefined. */
export function headerValue(headers: SpdyHeaders, name: string): string | undefined {
  return headers[name.toLowerCase()]?.[0];
}

/**
 * Compresses outgoing header blocks as one zlib stream made of stored (uncompressed) deflate
 * blocks: any zlib reader accepts them, the peer's dictionary is simply never referenced, and
 * the encoder stays a pure function of its input. Each block ends with an empty stored block
 * (what Z_SYNC_FLUSH writes): Go's inflater only hands out stored data when it meets one, and
 * would otherwise read past the frame and fail. Header blocks here are a few dozen bytes.
 */
export class HeaderCompressor {
  private started = false;

  compress(block: Buffer): Buffer {
    const parts: Buffer[] = [];
    if (!this.started) {
      // CMF 0x78 (deflate, 32K window), FLG 0x01: no preset dictionary, check bits valid.
      parts.push(Buffer.from([0x78, 0x01]));
      this.started = true;
    }
    let off = 0;
    while (off < block.length) {
      const piece = block.subarray(off, Math.min(block.length, off + 0xffff));
      parts.push(storedBlockHeader(piece.length), piece);
      off += piece.length;
    }
    parts.push(storedBlockHeader(0));
    return Buffer.concat(parts);
  }
}

/** BFINAL=0, BTYPE=00 (stored) at a byte boundary, then LEN and its one's complement. */
function storedBlockHeader(length: number): Buffer {
  const head = Buffer.alloc(5);
  head[0] = 0x00;
  head.writeUInt16LE(length, 1);
  head.writeUInt16LE(~length & 0xffff, 3);
  return head;
}

/**
 * Decompresses incoming header blocks: one zlib stream per direction for the whole session,
 * primed with the SPDY dictionary, each block ending in a sync flush. Calls must be made one
 * at a time, in frame order (the session serialises them).
 */
export class HeaderDecompressor {
  private readonly inflate: Inflate = createInflate({ dictionary: SPDY_DICTIONARY });
  private failure: Error | undefined;

  constructor() {
    // Paused mode: output is collected with read() once the flush has been processed.
    this.inflate.on('error', (err) => {
      this.failure = err;
    });
  }

  decompress(block: Buffer): Promise<Buffer> {
    if (this.failure) return Promise.reject(new SpdyProtocolError(`header decompression failed: ${this.failure.message}`));
    return new Promise((resolve, reject) => {
      this.inflate.write(block);
      this.inflate.flush(zlibConstants.Z_SYNC_FLUSH, () => {
        if (this.failure) return reject(new SpdyProtocolError(`header decompression failed: ${this.failure.message}`));
        const out = this.inflate.read() as Buffer | null;
        resolve(out ?? Buffer.alloc(0));
      });
    });
  }

  close(): void {
    this.inflate.destroy();
  }
}

// ---- decoding control frames --------------------------------------------------------------

/** Where a control frame's compressed header block starts, for the types that have one. */
export function headerBlockOffset(type: number): number | undefined {
  if (type === FrameType.SynStream) return 10;
  if (type === FrameType.SynReply || type === FrameType.Headers) return 4;
  return undefined;
}

/** Decodes a frame; `headers` is the decompressed header block for the types that carry one. */
export function decodeFrame(raw: RawFrame, headers?: SpdyHeaders): SpdyFrame {
  if (!raw.control) return { type: 'data', streamId: raw.streamId, fin: (raw.flags & FLAG_FIN) !== 0, data: raw.data };
  if (raw.version !== SPDY_VERSION) throw new SpdyProtocolError(`unsupported SPDY version ${raw.version}`);
  const d = raw.data;
  const need = (n: number) => {
    if (d.length < n) throw new SpdyProtocolError(`control frame type ${raw.type} too short`);
  };
  const fin = (raw.flags & FLAG_FIN) !== 0;
  switch (raw.type) {
    case FrameType.SynStream:
      need(10);
      return {
        type: 'syn_stream',
        streamId: d.readUInt32BE(0) & 0x7fffffff,
        associatedStreamId: d.readUInt32BE(4) & 0x7fffffff,
        priority: d[8]! >> 5,
        fin,
        unidirectional: (raw.flags & FLAG_UNIDIRECTIONAL) !== 0,
        headers: headers ?? {},
      };
    case FrameType.SynReply:
      need(4);
      return { type: 'syn_reply', streamId: d.readUInt32BE(0) & 0x7fffffff, fin, headers: headers ?? {} };
    case FrameType.Headers:
      need(4);
      return { type: 'headers', streamId: d.readUInt32BE(0) & 0x7fffffff, fin, headers: headers ?? {} };
    case FrameType.RstStream:
      need(8);
      return { type: 'rst_stream', streamId: d.readUInt32BE(0) & 0x7fffffff, status: d.readUInt32BE(4) };
    case FrameType.Settings: {
      need(4);
      const n = d.readUInt32BE(0);
      need(4 + n * 8);
      const entries = [];
      for (let i = 0; i < n; i++) {
        const word = d.readUInt32BE(4 + i * 8);
        entries.push({ flags: word >>> 24, id: word & 0xffffff, value: d.readUInt32BE(8 + i * 8) });
      }
      return { type: 'settings', entries };
    }
    case FrameType.Ping:
      need(4);
      return { type: 'ping', id: d.readUInt32BE(0) };
    case FrameType.GoAway:
      need(4);
      return { type: 'goaway', lastGoodStreamId: d.readUInt32BE(0) & 0x7fffffff, status: d.length >= 8 ? d.readUInt32BE(4) : 0 };
    case FrameType.WindowUpdate:
      need(8);
      return { type: 'window_update', streamId: d.readUInt32BE(0) & 0x7fffffff, delta: d.readUInt32BE(4) & 0x7fffffff };
    default:
      return { type: 'unknown', frameType: raw.type };
  }
}

// ---- encoding -----------------------------------------------------------------------------

function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n >>> 0);
  return b;
}

function frameHeader(first: number, flags: number, length: number): Buffer {
  if (length > MAX_FRAME_LENGTH) throw new SpdyProtocolError(`frame of ${length} bytes is too large`);
  const h = Buffer.alloc(FRAME_HEADER);
  h.writeUInt32BE(first >>> 0, 0);
  h[4] = flags;
  h.writeUIntBE(length, 5, 3);
  return h;
}

export function encodeControlFrame(type: number, flags: number, payload: Buffer): Buffer {
  return Buffer.concat([frameHeader((0x8000 | SPDY_VERSION) * 0x10000 + type, flags, payload.length), payload]);
}

export function encodeDataFrame(streamId: number, data: Buffer, fin: boolean): Buffer {
  return Buffer.concat([frameHeader(streamId & 0x7fffffff, fin ? FLAG_FIN : 0, data.length), data]);
}

/** SYN_REPLY with an already-compressed header block. */
export function encodeSynReply(streamId: number, compressedHeaders: Buffer, fin = false): Buffer {
  return encodeControlFrame(FrameType.SynReply, fin ? FLAG_FIN : 0, Buffer.concat([u32(streamId & 0x7fffffff), compressedHeaders]));
}

/** SYN_STREAM with an already-compressed header block (clients; used by tests). */
export function encodeSynStream(streamId: number, compressedHeaders: Buffer, opts: { fin?: boolean; priority?: number } = {}): Buffer {
  const head = Buffer.alloc(10);
  head.writeUInt32BE(streamId & 0x7fffffff, 0);
  head.writeUInt32BE(0, 4);
  head[8] = ((opts.priority ?? 0) & 7) << 5;
  head[9] = 0;
  return encodeControlFrame(FrameType.SynStream, opts.fin ? FLAG_FIN : 0, Buffer.concat([head, compressedHeaders]));
}

export function encodeRstStream(streamId: number, status: number): Buffer {
  return encodeControlFrame(FrameType.RstStream, 0, Buffer.concat([u32(streamId & 0x7fffffff), u32(status)]));
}

export function encodePing(id: number): Buffer {
  return encodeControlFrame(FrameType.Ping, 0, u32(id));
}

export function encodeGoAway(lastGoodStreamId: number, status = 0): Buffer {
  return encodeControlFrame(FrameType.GoAway, 0, Buffer.concat([u32(lastGoodStreamId & 0x7fffffff), u32(status)]));
}
