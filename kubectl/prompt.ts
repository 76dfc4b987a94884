// client-go's PromptingAuthLoader: when kubectl talks TLS to a server and nothing identifies
// the user, it asks for a username (a word read from stdin, like fmt.Fscan) and a password
// (read without echo, only from a terminal). With stdin at its end kubectl fails with `EOF`.
import type { Readable } from 'node:stream';
import { CliError } from './errors.js';
import { write, type IOStreams } from './io.js';

/** The next chunk of `s`, or null at its end; the stream stays usable (no async iterator). */
function nextChunk(s: Readable): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const cleanup = (): void => {
      s.off('readable', tryRead);
      s.off('end', onEnd);
      s.off('error', onError);
    };
    const onEnd = (): void => {
      cleanup();
      resolve(null);
    };
    const onError = (e: Error): void => {
      cleanup();
      reject(e);
    };
    function tryRead(): void {
      const c: unknown = s.read();
      if (c === null) return;
      cleanup();
      resolve(typeof c === 'string' ? Buffer.from(c) : (c as Buffer));
    }
    if (s.readableEnded) return resolve(null);
    s.on('readable', tryRead);
    s.on('end', onEnd);
    s.on('error', onError);
    tryRead();
  });
}

/** Reads one whitespace-delimited word; leading whitespace (newlines too) is skipped. */
export async function readWord(stdin: Readable): Promise<string> {
  let word = '';
  for (let chunk = await nextChunk(stdin); chunk; chunk = await nextChunk(stdin)) {
    const text = chunk.toString('utf8');
    for (let i = 0; i < text.length; i++) {
      const c = text[i]!;
      if (!/\s/.test(c)) word += c;
      else if (word) {
        // What follows the word stays for whoever reads stdin next.
        if (i + 1 < text.length) stdin.unshift(Buffer.from(text.slice(i + 1)));
        return word;
      }
    }
  }
  if (!word) throw new CliError('EOF');
  return word;
}

interface RawTTY extends Readable {
  setRawMode?(mode: boolean): unknown;
}

/** term.ReadPassword: raw mode, no echo, up to Enter. */
async function readPassword(stdin: RawTTY): Promise<string> {
  stdin.setRawMode?.(true);
  try {
    let pw = '';
    for (let chunk = await nextChunk(stdin); chunk; chunk = await nextChunk(stdin)) {
      for (const c of chunk.toString('utf8')) {
        if (c === '\r' || c === '\n') return pw;
        if (c === '\u0003') throw new CliError('interrupted');
        if (c === '\u007f' || c === '\b') pw = pw.slice(0, -1);
        else pw += c;
      }
    }
    return pw;
  } finally {
    stdin.setRawMode?.(false);
  }
}

/** Asks as kubectl does; the prompts go to stdout. */
export async function promptForBasicAuth(io: IOStreams): Promise<{ username: string; password: string }> {
  await write(io.stdout, 'Please enter Username: ');
  const username = await readWord(io.stdin);
  await write(io.stdout, 'Please enter Password: ');
  if (!io.stdinIsTTY) throw new CliError('error reading input for Password');
  return { username, password: await readPassword(io.stdin as RawTTY) };
}
