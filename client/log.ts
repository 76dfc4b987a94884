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
