// Errors as kubectl prints them: one line, `Error from server (Reason): message` for API
// Status errors, `error: …` for everything else, exit code 1 unless a command says otherwise
// (exec passes the remote exit code). No stack traces for user errors.
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
  cause?: unknown;
}

/** The line(s) kubectl would print for this error (without the trailing newline). */
export function formatError(e: unknown, server?: string): string {
  if (e instanceof AggregateCliError) return e.errors.map((x) => formatError(x, server)).join('\n');
  if (e instanceof StatusError) {
    return e.reason ? `Error from server (${e.reason}): ${e.message}` : `Error from server: ${e.message}`;
  }
  if (e instanceof CliError) return `error: ${e.message}`;
  const sys = (e ?? {}) as NodeSystemError;
  const inner = (sys.cause ?? {}) as NodeSystemError;
  const code = sys.code ?? inner.code;
  if (code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'EHOSTUNREACH') {
    const hostPort = server ? new URL(server).host : 'localhost:8080';
    return `The connection to the server ${hostPort} was refused - did you specify the right host or port?`;
  }
  if (e instanceof Error) return `error: ${e.message}`;
  return `error: ${String(e)}`;
}

export function exitCodeOf(e: unknown): number {
  return e instanceof CliError ? e.exitCode : 1;
}
