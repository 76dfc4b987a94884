// The shape of a kc command: yargs' command string and options, and a run() that gets the
// Factory. Errors thrown from run() are printed kubectl-style by cli.ts.
import type { Argv } from 'yargs';
import type { Factory } from './factory.js';

export type Args = Record<string, unknown> & { _: (string | number)[]; '--'?: string[] };

export interface KcCommand {
  /** yargs syntax: `get [args..]`. */
  command: string;
  describe: string;
  aliases?: string[];
  builder?: (y: Argv) => Argv;
  /** Returns the exit code (default 0). */
  run?: (f: Factory, argv: Args) => Promise<number | void>;
  subcommands?: KcCommand[];
  /** Never talks to the server (config, completion): no credential prompt. */
  offline?: boolean;
}

export const str = (v: unknown): string | undefined => (v === undefined || v === null ? undefined : String(v));
export const strs = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : v === undefined || v === null || v === '' ? [] : [String(v)]);
export const bool = (v: unknown): boolean => v === true || v === 'true';
