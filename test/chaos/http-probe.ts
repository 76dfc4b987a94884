// A steady client of the NodePort Service on 127.0.0.1: one GET every `intervalMs`, each
// answer (or failure) kept with its time, so any window (a fault's) can be counted.
import { request } from 'node:http';
import { sleep } from './clients.js';

export interface ProbeSample {
  at: number;
  ok: boolean;
}

function get(port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path: '/', timeout: timeoutMs, agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode === 200));
      res.on('error', () => resolve(false));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', () => resolve(false));
    req.end();
  });
}

export class HttpProbe {
  readonly samples: ProbeSample[] = [];
  private running = false;
  private loop: Promise<void> | undefined;

  constructor(
    private readonly port: number,
    private readonly intervalMs = 100,
    private readonly timeoutMs = 2000,
  ) {}

  start(): void {
    this.running = true;
    this.loop = (async () => {
      while (this.running) {
        const at = Date.now();
        const ok = await get(this.port, this.timeoutMs);
        this.samples.push({ at, ok });
        await sleep(Math.max(0, this.intervalMs - (Date.now() - at)));
      }
    })();
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
  }

  /** Requests sent in [from, to): total and failed. */
  window(from: number, to: number): { total: number; failed: number } {
    const w = this.samples.filter((s) => s.at >= from && s.at < to);
    return { total: w.length, failed: w.filter((s) => !s.ok).length };
  }
}
