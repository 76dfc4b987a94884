// The kubelet server's URL space and its error bodies. Pure.
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';

export type KubeletRoute =
  | { kind: 'pods' }
  | { kind: 'stats/summary' }
  | { kind: 'containerLogs' | 'exec' | 'attach'; namespace: string; pod: string; uid?: string; container: string }
  | { kind: 'portForward'; namespace: string; pod: string; uid?: string };

function decode(s: string): string | undefined {
  try {
    return decodeURIComponent(s);
  } catch {
    return undefined;
  }
}

/**
 * /pods, /stats/summary, /containerLogs/{ns}/{pod}/{container},
 * /exec|/attach/{ns}/{pod}[/{uid}]/{container}, /portForward/{ns}/{pod}[/{uid}].
 */
export function parseKubeletPath(pathname: string): KubeletRoute | undefined {
  const raw = pathname.split('/').filter(Boolean).map(decode);
  if (raw.some((p) => p === undefined || p === '')) return undefined;
  const parts = raw as string[];
  const [head, ns, pod] = parts;
  if (head === 'pods' && parts.length === 1) return { kind: 'pods' };
  if (head === 'stats' && parts[1] === 'summary' && parts.length === 2) return { kind: 'stats/summary' };
  if (head === 'containerLogs' && parts.length === 4) return { kind: 'containerLogs', namespace: ns!, pod: pod!, container: parts[3]! };
  if ((head === 'exec' || head === 'attach') && (parts.length === 4 || parts.length === 5)) {
    const route = { kind: head, namespace: ns!, pod: pod!, container: parts[parts.length - 1]! } as const;
    return parts.length === 5 ? { ...route, uid: parts[3]! } : route;
  }
  if (head === 'portForward' && (parts.length === 3 || parts.length === 4)) {
    return parts.length === 4 ? { kind: 'portForward', namespace: ns!, pod: pod!, uid: parts[3]! } : { kind: 'portForward', namespace: ns!, pod: pod! };
  }
  return undefined;
}

/** A metav1.Status, so the apiserver can pass kubelet errors through unchanged. */
export function statusBody(code: number, reason: string, message: string): Record<string, unknown> {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code };
}

/** Answers a refused upgrade on the raw socket, then closes it. */
export function writeUpgradeError(socket: Duplex, code: number, body: unknown): void {
  if (socket.destroyed) return;
  const text = JSON.stringify(body);
  socket.end(
    `HTTP/1.1 ${code} ${STATUS_CODES[code] ?? 'Error'}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(text)}\r\nConnection: close\r\n\r\n${text}`,
  );
}
