// What the create-throughput benchmarks share: operations per second from CONCURRENCY loops
// running for a while, and the median of rounds.

export const CONCURRENCY = 16;

/** Operations per second: CONCURRENCY loops calling `op` with a running index for `seconds`. */
export async function rate(op: (i: number) => Promise<void>, seconds: number): Promise<number> {
  let n = 0;
  const end = Date.now() + seconds * 1000;
  const t0 = performance.now();
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    while (Date.now() < end) await op(n++);
  }));
  return n / ((performance.now() - t0) / 1000);
}

export const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
