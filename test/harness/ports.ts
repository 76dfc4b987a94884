import { createServer } from 'node:net';

// Ports are drawn from 20000–29999: below the kernel's ephemeral range (32768–60999 here, where
// listen(0) and outgoing connections take theirs) and below Services' NodePorts (30000–32767).
// A test that stops a daemon and starts it again on the same port (scripts/down + scripts/up,
// an apiserver restart) leaves that port free meanwhile; drawn from the ephemeral range, any
// server listening on port 0 elsewhere in the suite could take it, and the restarted daemon
// then died with EADDRINUSE while the test polled someone else's server.
const FIRST = 20000;
const COUNT = 10000;
/** Handed out by this process: never twice (a caller may not have bound its last one yet). */
const handedOut = new Set<number>();

/** A TCP port nothing listens on right now (on any address), outside the ephemeral range. */
export async function freePort(): Promise<number> {
  for (let attempt = 0; ; attempt++) {
    if (attempt > 500) throw new Error(`no free port in ${FIRST}-${FIRST + COUNT - 1} after ${attempt} tries`);
    const port = FIRST + Math.floor(Math.random() * COUNT);
    if (handedOut.has(port)) continue;
    handedOut.add(port);
    if (await canListen(port)) return port;
  }
}

/** Whether a listener on 0.0.0.0:port can be made (it conflicts with one on any address). */
function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', () => resolve(false));
    srv.listen({ port, host: '0.0.0.0', exclusive: true }, () => srv.close(() => resolve(true)));
  });
}

/** Polls `check` until it returns a truthy value or the deadline passes. */
export async function waitFor<T>(what: string, check: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 20_000, intervalMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastErr: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v) return v;
    } catch (e) {
      lastErr = e;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${lastErr ? `: ${String(lastErr)}` : ''}`);
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
