// Errors as kubectl prints them: one line, `Error from server (Reason): message` for API
// Status errors, `error: …` for everything else, exit code 1 unless a command says otherwise
// (exec passes the remote exit code). No stack traces for user errors.
import { isIP } from 'node:net';
import { StatusError } from '../api/status.js';

/** A user-facing failure: printed as `error: <message>`, then exit `code`. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
    /** Already printed (e.g. exec's remote exit): only the exit code matters. */
    readonly silent = false,
  ) {
    super(message);
  }
}

/** A message kubectl prints as it is, without `error: ` (e.g. `Error in configuration: …`). */
export class VerbatimError extends CliError {}

/** Several errors from one command (kubectl's aggregate): each printed on its own line. */
export class AggregateCliError extends Error {
  constructor(readonly errors: unknown[]) {
    super(errors.map((e) => String(e)).join('\n'));
  }
}

/** A StatusError with kubectl's context prefix, e.g. `error when creating "x.yaml": `. */
export function withContext(e: unknown, prefix: string): unknown {
  if (e instanceof StatusError) return new StatusError(e.code, e.reason as never, `${prefix}${e.message}`, e.status.details);
  if (e instanceof Error && !(e instanceof CliError)) return new CliError(`${prefix}${e.message}`);
  return e;
}

interface NodeSystemError {
  code?: string;
  address?: string;
  port?: number;
  host?: string;
  cert?: { subjectaltname?: string };
  cause?: unknown;
}

/** Node's certificate-verification codes that Go reports as an unknown authority. */
const UNKNOWN_AUTHORITY = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_UNTRUSTED',
  'CERT_SIGNATURE_FAILURE',
]);

/** Go's x509.HostnameError text from what Node saw of the peer certificate. */
function hostnameError(e: NodeSystemError): string {
  const host = e.host ?? '';
  const sans = (e.cert?.subjectaltname ?? '').split(', ').filter(Boolean);
  const ipHost = isIP(host.replace(/^\[|\]$/g, '')) !== 0;
  const valid = sans.filter((s) => s.startsWith(ipHost ? 'IP Address:' : 'DNS:')).map((s) => s.slice(s.indexOf(':') + 1));
  if (ipHost && valid.length === 0) return `x509: cannot validate certificate for ${host} because it doesn't contain any IP SANs`;
  if (valid.length === 0) return `x509: certificate is not valid for any names, but wanted to match ${host}`;
  return `x509: certificate is valid for ${valid.join(', ')}, not ${host}`;
}

/** What Go's TLS handshake would have said about this Node TLS failure, if it is one. */
export function tlsErrorText(err: unknown): string | undefined {
  for (let e = err as NodeSystemError | undefined, depth = 0; e && depth < 4; e = e.cause as NodeSystemError | undefined, depth++) {
    const code = e.code ?? '';
    if (UNKNOWN_AUTHORITY.has(code)) return 'tls: failed to verify certificate: x509: certificate signed by unknown authority';
    if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') return `tls: failed to verify certificate: ${hostnameError(e)}`;
    if (code === 'CERT_HAS_EXPIRED' || code === 'CERT_NOT_YET_VALID') return 'tls: failed to verify certificate: x509: certificate has expired or is not yet valid';
  }
  return undefined;
}

/** Go's dial error text for Node's connection failures kubectl reports as "Unable to connect". */
function dialErrorText(code: string, hostPort: string): string | undefined {
  const host = hostPort.replace(/:\d+$/, '');
  switch (code) {
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `dial tcp: lookup ${host}: no such host`;
    case 'EHOSTUNREACH':
      return `dial tcp ${hostPort}: connect: no route to host`;
    case 'ENETUNREACH':
      return `dial tcp ${hostPort}: connect: network is unreachable`;
    case 'ETIMEDOUT':
    case 'UND_ERR_CONNECT_TIMEOUT':
      return `dial tcp ${hostPort}: i/o timeout`;
    case 'ECONNRESET':
      return `read tcp ${hostPort}: read: connection reset by peer`;
    default:
      return undefined;
  }
}

/** The line(s) kubectl would print for this error (without the trailing newline). */
export function formatError(e: unknown, server?: string): string {
  if (e instanceof AggregateCliError) return e.errors.map((x) => formatError(x, server)).join('\n');
  if (e instanceof StatusError) {
    if (e.reason === 'Unauthorized') return `error: You must be logged in to the server (${e.message})`;
    return e.reason ? `Error from server (${e.reason}): ${e.message}` : `Error from server: ${e.message}`;
  }
  if (e instanceof VerbatimError) return e.message;
  if (e instanceof CliError) return `error: ${e.message}`;
  const sys = (e ?? {}) as NodeSystemError;
  const inner = (sys.cause ?? {}) as NodeSystemError;
  const code = sys.code ?? inner.code ?? '';
  const hostPort = server ? new URL(server).host : 'localhost:8080';
  if (code === 'ECONNREFUSED') return `The connection to the server ${hostPort} was refused - did you specify the right host or port?`;
  // kubectl's url.Error: a transport failure, one line.
  const transport = tlsErrorText(e) ?? dialErrorText(code, hostPort);
  if (transport) return `Unable to connect to the server: ${transport}`;
  if (e instanceof Error) return `error: ${e.message}`;
  return `error: ${String(e)}`;
}

export function exitCodeOf(e: unknown): number {
  return e instanceof CliError ? e.exitCode : 1;
}
