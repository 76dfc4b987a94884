// A scripted SPDY/3.1 client for the kubelet server's unit tests, written the way spdystream
// (kubectl's side) behaves: zlib with the SPDY dictionary, sync-flushed per header block.
import { createServer, connect, type Socket, type AddressInfo } from 'node:net';
import { constants, createDeflate } from 'node:zlib';
import {
  decodeFrame,
  decodeHeaderBlock,
  encodeDataFrame,
  encodeHeaderBlock,
  encodeSynStream,
  FrameSplitter,
  headerBlockOffset,
  HeaderDecompressor,
  SPDY_DICTIONARY,
  type SpdyFrame,
} from './spdy.js';

/** The client half of spdystream's header compression: one deflate stream, sync-flushed per block. */
export function goLikeCompressor(): (block: Buffer) => Promise<Buffer> {
  const z = createDeflate({ dictionary: SPDY_DICTIONARY, level: 9 });
  return (block) =>
    new Promise((resolve) => {
      z.write(block);
      z.flush(constants.Z_SYNC_FLUSH, () => resolve((z.read() as Buffer | null) ?? Buffer.alloc(0)));
    });
}

/** A scripted SPDY client over a real loopback socket. */
export class TestClient {
  private readonly splitter = new FrameSplitter();
  private readonly inflate = new HeaderDecompressor();
  private readonly compress = goLikeCompressor();
  readonly frames: SpdyFrame[] = [];
  private waiters: Array<() => void> = [];
  private nextId = 1;

  constructor(readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      for (const raw of this.splitter.push(chunk)) void this.accept(raw);
    });
  }

  private chain = Promise.resolve();
  private accept(raw: ReturnType<FrameSplitter['push']>[number]): Promise<void> {
    this.chain = this.chain.then(async () => {
      const at = raw.control ? headerBlockOffset(raw.type) : undefined;
      const headers = raw.control && at !== undefined ? decodeHeaderBlock(await this.inflate.decompress(raw.data.subarray(at))) : undefined;
      this.frames.push(decodeFrame(raw, headers));
      for (const w of this.waiters.splice(0)) w();
    });
    return this.chain;
  }

  async open(headers: Record<string, string>): Promise<number> {
    const id = this.nextId;
    this.nextId += 2;
    const block = encodeHeaderBlock(Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, [v]])));
    this.socket.write(encodeSynStream(id, await this.compress(block)));
    return id;
  }

  send(id: number, data: string, fin = false): void {
    this.socket.write(encodeDataFrame(id, Buffer.from(data), fin));
  }

  async waitFor(what: string, pred: (frames: SpdyFrame[]) => boolean): Promise<void> {
    const deadline = Date.now() + 5000;
    while (!pred(this.frames)) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; got ${JSON.stringify(this.frames.map((f) => f.type))}`);
      await new Promise<void>((r) => {
        this.waiters.push(r);
        setTimeout(r, 100);
      });
    }
  }

  dataOf(id: number): string {
    return this.frames
      .filter((f): f is Extract<SpdyFrame, { type: 'data' }> => f.type === 'data' && f.streamId === id)
      .map((f) => f.data.toString())
      .join('');
  }

  finished(id: number): boolean {
    return this.frames.some((f) => f.type === 'data' && f.streamId === id && f.fin);
  }
}

/** A connected socket pair on loopback: [server side, client side]. */
export async function socketPair(): Promise<[Socket, Socket, () => void]> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const accepted = new Promise<Socket>((r) => srv.once('connection', r));
  const client = connect((srv.address() as AddressInfo).port, '127.0.0.1');
  const server = await accepted;
  return [server, client, () => {
    client.destroy();
    server.destroy();
    srv.close();
  }];
}
