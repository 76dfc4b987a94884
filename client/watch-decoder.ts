// Splits a stream of concatenated JSON values into whole values. A watch response is a chunked
// body of `{"type":…,"object":…}` documents; kubectl and client-go accept them with or
// without newlines between, and a chunk boundary may fall anywhere — even inside a string or a
// multi-byte character — so we track nesting depth and string state across chunks.

export class JsonStreamDecoder {
  private readonly text = new TextDecoder('utf-8');
  private buf = '';
  /** Where scanning resumes in `buf`; everything before `start` was already emitted. */
  private pos = 0;
  private start = -1;
  private depth = 0;
  private inString = false;
  private escaped = false;

  /** Feeds bytes (or text) and returns every value completed by them, in order. */
  push(chunk: Uint8Array | string): unknown[] {
    this.buf += typeof chunk === 'string' ? chunk : this.text.decode(chunk, { stream: true });
    const out: unknown[] = [];
    const s = this.buf;
    for (let i = this.pos; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (this.start < 0) {
        // Between values: skip whitespace; anything else starts a value.
        if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) continue;
        if (c !== 0x7b && c !== 0x5b) throw new SyntaxError(`watch stream: unexpected ${JSON.stringify(s[i])} between objects`);
        this.start = i;
        this.depth = 1;
        continue;
      }
      if (this.inString) {
        if (this.escaped) this.escaped = false;
        else if (c === 0x5c) this.escaped = true;
        else if (c === 0x22) this.inString = false;
        continue;
      }
      if (c === 0x22) this.inString = true;
      else if (c === 0x7b || c === 0x5b) this.depth++;
      else if (c === 0x7d || c === 0x5d) {
        this.depth--;
        if (this.depth === 0) {
          out.push(JSON.parse(s.slice(this.start, i + 1)));
          this.start = -1;
        }
      }
    }
    // Keep only the unfinished value so the buffer never grows past one object.
    if (this.start < 0) {
      this.buf = '';
      this.pos = 0;
    } else {
      this.buf = s.slice(this.start);
      this.pos = this.buf.length;
      this.start = 0;
    }
    return out;
  }

  /** True when bytes of an unfinished value are buffered (the stream ended mid-object). */
  get pending(): boolean {
    return this.start >= 0;
  }
}
