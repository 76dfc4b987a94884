// /containerLogs/<ns>/<pod>/<container>: the container's output as text/plain, following
// it while the client stays connected when `follow` is set. Query names are PodLogOptions'.
import type { ServerResponse } from 'node:http';
import type { Readable } from 'node:stream';
import type { LogOptions } from '../runtime/runtime.js';

export interface ContainerLogQuery {
  follow: boolean;
  previous: boolean;
  timestamps: boolean;
  tailLines?: number;
  sinceSeconds?: number;
  sinceTime?: Date;
  limitBytes?: number;
}

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

function bool(q: URLSearchParams, name: string): boolean | string {
  const v = q.get(name);
  if (v === null || v === '' || v === 'false' || v === '0') return false;
  if (v === 'true' || v === '1') return true;
  return `${name}: Invalid value: "${v}": must be a boolean`;
}

function int(q: URLSearchParams, name: string, min: number, rule: string): number | undefined | string {
  const v = q.get(name);
  if (v === null || v === '') return undefined;
  if (!/^-?\d+$/.test(v)) return `${name}: Invalid value: "${v}": must be an integer`;
  const n = Number(v);
  if (n < min) return `${name}: Invalid value: ${n}: ${rule}`;
  return n;
}

/** Parses and validates the log query (as PodLogOptions validation does); a string is the error. */
export function parseContainerLogQuery(q: URLSearchParams): ContainerLogQuery | string {
  const follow = bool(q, 'follow');
  const previous = bool(q, 'previous');
  const timestamps = bool(q, 'timestamps');
  for (const b of [follow, previous, timestamps]) if (typeof b === 'string') return b;
  const out: ContainerLogQuery = { follow: follow as boolean, previous: previous as boolean, timestamps: timestamps as boolean };
  const tail = int(q, 'tailLines', 0, 'must be greater than or equal to 0');
  const since = int(q, 'sinceSeconds', 1, 'must be greater than 0');
  const limit = int(q, 'limitBytes', 1, 'must be greater than 0');
  for (const v of [tail, since, limit]) if (typeof v === 'string') return v;
  if (tail !== undefined) out.tailLines = tail as number;
  if (since !== undefined) out.sinceSeconds = since as number;
  if (limit !== undefined) out.limitBytes = limit as number;
  const sinceTime = q.get('sinceTime');
  if (sinceTime) {
    if (!RFC3339.test(sinceTime) || Number.isNaN(Date.parse(sinceTime))) return `sinceTime: Invalid value: "${sinceTime}": must be an RFC3339 time`;
    out.sinceTime = new Date(sinceTime);
  }
  if (out.sinceSeconds !== undefined && out.sinceTime) return 'at most one of `sinceTime` or `sinceSeconds` may be specified';
  return out;
}

export function toLogOptions(q: ContainerLogQuery): LogOptions {
  const o: LogOptions = { follow: q.follow, timestamps: q.timestamps };
  if (q.tailLines !== undefined) o.tailLines = q.tailLines;
  if (q.sinceSeconds !== undefined) o.sinceSeconds = q.sinceSeconds;
  if (q.sinceTime) o.sinceTime = q.sinceTime;
  return o;
}

/**
 * Streams `logs` to the response, stopping after `limitBytes`. Headers go out at once so a
 * follower sees the response start before the first line; a client that goes away stops the
 * runtime's stream.
 */
export function sendLogs(res: ServerResponse, logs: Readable, limitBytes: number | undefined): Promise<void> {
  res.writeHead(200, { 'content-type': 'text/plain', 'cache-control': 'no-cache' });
  res.flushHeaders();
  let left = limitBytes ?? Infinity;
  return new Promise((resolve) => {
    const done = () => {
      logs.destroy();
      if (!res.writableEnded) res.end();
      resolve();
    };
    res.once('close', done);
    logs.once('end', done);
    logs.once('error', done);
    logs.on('data', (chunk: Buffer) => {
      if (left <= 0) return;
      const part = chunk.length > left ? chunk.subarray(0, left) : chunk;
      left -= part.length;
      if (!res.write(part)) {
        logs.pause();
        res.once('drain', () => logs.resume());
      }
      if (left <= 0) done();
    });
  });
}
