// The logger the client pieces write to. Structurally a subset of pino's Logger, so a daemon
// passes its own `pino().child({component})` and log lines carry its component name.
import { pino } from 'pino';

export interface Logger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

let fallback: Logger | undefined;

/** A pino logger with `component: client`, level from LOG_LEVEL (default `info`). */
export function defaultLogger(): Logger {
  fallback ??= pino({ level: process.env.LOG_LEVEL ?? 'info' }).child({ component: 'client' });
  return fallback;
}

/** A message and (for StatusErrors) the reason, for log fields. */
export function errorFields(e: unknown): { err: string; reason?: string; code?: number } {
  if (e && typeof e === 'object' && 'status' in e) {
    const s = (e as { status?: { reason?: string; code?: number } }).status;
    return { err: e instanceof Error ? e.message : String(e), reason: s?.reason, code: s?.code };
  }
  return { err: e instanceof Error ? e.message : String(e) };
}
