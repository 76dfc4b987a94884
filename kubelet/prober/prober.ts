// Runs one probe or lifecycle handler against a container: exec through the runtime,
// HTTP GET to the pod IP (2xx/3xx is success), or a TCP connect (pkg/kubelet/prober/prober.go).
import { request } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { connect } from 'node:net';
import type { Container, ExecAction, HTTPGetAction, TCPSocketAction } from 'kubernetes-types/core/v1';
import type { RuntimeService } from '../runtime/runtime.js';
import { RuntimeError } from '../runtime/errors.js';

export type ProbeOutcome = 'success' | 'failure' | 'unknown';

export interface ProbeResult {
  result: ProbeOutcome;
  /** What the kubelet reports in the Unhealthy event. */
  output: string;
}

export interface ProbeTarget {
  containerId: string;
  container: Container;
  podIP: string;
}

export interface ProbeHandler {
  exec?: ExecAction;
  httpGet?: HTTPGetAction;
  tcpSocket?: TCPSocketAction;
  grpc?: unknown;
}

const MAX_OUTPUT = 10 * 1024;

/** A named port resolves against the container's ports, as k8s does. */
export function resolvePort(port: number | string | undefined, container: Container): number {
  if (typeof port === 'number') return port;
  const n = Number(port);
  if (port !== undefined && Number.isInteger(n) && n > 0) return n;
  const named = container.ports?.find((p) => p.name === port);
  if (!named) throw new Error(`couldn't find port: ${String(port)} in ${container.name}`);
  return named.containerPort;
}

export async function runHandler(runtime: RuntimeService, h: ProbeHandler, target: ProbeTarget, timeoutSeconds: number): Promise<ProbeResult> {
  try {
    if (h.exec) return await execProbe(runtime, h.exec, target.containerId, timeoutSeconds);
    if (h.httpGet) return await httpProbe(h.httpGet, target, timeoutSeconds);
    if (h.tcpSocket) return await tcpProbe(h.tcpSocket, target, timeoutSeconds);
    return { result: 'unknown', output: 'probe handler not supported (grpc probes are not implemented)' };
  } catch (err) {
    return { result: 'failure', output: err instanceof Error ? err.message : String(err) };
  }
}

async function execProbe(runtime: RuntimeService, exec: ExecAction, id: string, timeoutSeconds: number): Promise<ProbeResult> {
  try {
    const r = await runtime.execSync(id, exec.command ?? [], timeoutSeconds);
    const output = Buffer.concat([r.stdout, r.stderr]).subarray(0, MAX_OUTPUT).toString('utf8');
    return r.exitCode === 0 ? { result: 'success', output } : { result: 'failure', output: output || `command exited with ${r.exitCode}` };
  } catch (err) {
    if (err instanceof RuntimeError && err.code === 'DeadlineExceeded') {
      return { result: 'failure', output: `command timed out after ${timeoutSeconds}s` };
    }
    throw err;
  }
}

function httpProbe(get: HTTPGetAction, t: ProbeTarget, timeoutSeconds: number): Promise<ProbeResult> {
  const host = get.host || t.podIP;
  const port = resolvePort(get.port, t.container);
  const scheme = (get.scheme ?? 'HTTP').toLowerCase();
  const path = get.path ? (get.path.startsWith('/') ? get.path : `/${get.path}`) : '/';
  const headers: Record<string, string> = { 'User-Agent': 'kube-probe/1.32', Accept: '*/*' };
  for (const h of get.httpHeaders ?? []) headers[h.name] = h.value;
  const url = `${scheme}://${host.includes(':') ? `[${host}]` : host}:${port}${path}`;
  return new Promise((resolve, reject) => {
    const req = (scheme === 'https' ? httpsRequest : request)(
      url,
      { method: 'GET', headers, timeout: timeoutSeconds * 1000, rejectUnauthorized: false },
      (res) => {
        let body = '';
        res.on('data', (chunk: Buffer) => {
          if (body.length < MAX_OUTPUT) body += chunk.toString('utf8');
        });
        res.on('end', () => {
          const code = res.statusCode ?? 0;
          if (code >= 200 && code < 400) resolve({ result: 'success', output: body });
          else resolve({ result: 'failure', output: `HTTP probe failed with statuscode: ${code}` });
        });
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`Get "${url}": context deadline exceeded (Client.Timeout exceeded while awaiting headers)`)));
    req.on('error', (e) => resolve({ result: 'failure', output: e.message.startsWith('Get "') ? e.message : `Get "${url}": ${e.message}` }));
    req.end();
  });
}

function tcpProbe(tcp: TCPSocketAction, t: ProbeTarget, timeoutSeconds: number): Promise<ProbeResult> {
  const host = tcp.host || t.podIP;
  const port = resolvePort(tcp.port, t.container);
  return new Promise((resolve) => {
    const sock = connect({ host, port });
    const done = (r: ProbeResult): void => {
      sock.destroy();
      resolve(r);
    };
    sock.setTimeout(timeoutSeconds * 1000, () => done({ result: 'failure', output: `dial tcp ${host}:${port}: i/o timeout` }));
    sock.once('connect', () => done({ result: 'success', output: '' }));
    sock.once('error', (e) => done({ result: 'failure', output: `dial tcp ${host}:${port}: ${e.message}` }));
  });
}
