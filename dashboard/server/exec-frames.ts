// The exec terminal's two framings, translated one frame at a time (pure, unit tested):
// the browser speaks JSON text frames (`{"type":"stdin","data":"ls\r"}`,
// `{"type":"resize","cols":80,"rows":24}`) and receives terminal output as binary frames and a
// final `{"type":"exit","status":<Status>}`; the apiserver speaks Kubernetes' channel protocol
// (v5.channel.k8s.io / v4: first byte = stream; 0 stdin, 1 stdout, 2 stderr, 3 status, 4 resize).
import type { Status } from 'kubernetes-types/meta/v1';

export const STDIN = 0;
export const STDOUT = 1;
export const STDERR = 2;
export const STATUS = 3;
export const RESIZE = 4;

/** The apiserver frame for a browser text frame; undefined for anything that is not one of ours. */
export function fromBrowser(text: string): Buffer | undefined {
  let m: { type?: unknown; data?: unknown; cols?: unknown; rows?: unknown };
  try {
    m = JSON.parse(text) as typeof m;
  } catch {
    return undefined;
  }
  if (!m || typeof m !== 'object') return undefined;
  if (m.type === 'stdin' && typeof m.data === 'string') return Buffer.concat([Buffer.from([STDIN]), Buffer.from(m.data, 'utf8')]);
  if (m.type === 'resize' && dimension(m.cols) && dimension(m.rows)) {
    // The TerminalSize JSON of remotecommand: {"Width":…,"Height":…}.
    return Buffer.concat([Buffer.from([RESIZE]), Buffer.from(JSON.stringify({ Width: m.cols, Height: m.rows }))]);
  }
  return undefined;
}

function dimension(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v > 0 && v <= 10_000;
}

export type ApiFrame = { kind: 'output'; data: Buffer } | { kind: 'exit'; status: Status } | { kind: 'ignore' };

/** What an apiserver frame means for the browser. */
export function fromApiserver(frame: Buffer): ApiFrame {
  if (frame.length < 1) return { kind: 'ignore' };
  const payload = frame.subarray(1);
  if (frame[0] === STDOUT || frame[0] === STDERR) return payload.length ? { kind: 'output', data: payload } : { kind: 'ignore' };
  if (frame[0] === STATUS) {
    if (payload.length === 0) return { kind: 'ignore' };
    try {
      const s = JSON.parse(payload.toString('utf8')) as Status;
      if (s && typeof s === 'object') return { kind: 'exit', status: { kind: 'Status', apiVersion: 'v1', ...s } };
    } catch {
      // not JSON: reported as a failure below
    }
    return { kind: 'exit', status: { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: payload.toString('utf8') } };
  }
  return { kind: 'ignore' };
}

/** The browser's text frame for an exit or a refusal. */
export function exitMessage(status: Status): string {
  return JSON.stringify({ type: 'exit', status });
}

export function errorMessage(status: Status): string {
  return JSON.stringify({ type: 'error', status });
}
