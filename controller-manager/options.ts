// Controller flags, declared once by the controller that reads them (cmd/kube-controller-manager's
// per-controller options, e.g. DeploymentControllerOptions.ConcurrentDeploymentSyncs). Each
// controller class has `static readonly flags = { 'concurrent-deployment-syncs': intFlag(5, '…') }`;
// main.ts turns every enabled-or-not controller's declarations into yargs flags (each with its
// TSKUBE_ env twin), the manager hands the raw values to controllers as ControllerContext.options,
// and a controller reads them typed with `controllerFlags(ctx, MyController.flags)`: a value
// nobody set is the declared default, so a default is written in exactly one place.
import type { Options as YargsOption } from 'yargs';
import { parseDurationMs } from '../client/duration.js';

/** Raw flag values by flag name, as yargs parsed them or a test passed them (`'40s'`, `5`, `'7'`). */
export type RawFlagValues = Readonly<Record<string, string | number | boolean | undefined>>;

interface FlagKinds {
  /** An integer (`--concurrent-deployment-syncs 5`). */
  int: { default: number; value: number };
  /** A Go duration (`--node-monitor-grace-period 40s`), read as milliseconds. */
  duration: { default: string; value: number };
  string: { default: string; value: string };
  boolean: { default: boolean; value: boolean };
}
export type FlagType = keyof FlagKinds;

export interface FlagDeclaration<T extends FlagType = FlagType> {
  readonly type: T;
  readonly default: FlagKinds[T]['default'];
  readonly describe: string;
  /** Not in --help: a tskube test knob, not a Kubernetes flag. */
  readonly hidden?: boolean;
}

/** Flag name (Kubernetes' own, without `--`) → declaration. */
export type FlagDeclarations = Readonly<Record<string, FlagDeclaration>>;

/** The typed values of a set of declarations: ints and durations (ms) as numbers, and so on. */
export type FlagValues<D extends FlagDeclarations> = { readonly [K in keyof D]: FlagKinds[D[K]['type']]['value'] };

export const intFlag = (def: number, describe: string, hidden?: boolean): FlagDeclaration<'int'> => ({ type: 'int', default: def, describe, ...(hidden ? { hidden } : {}) });
export const durationFlag = (def: string, describe: string, hidden?: boolean): FlagDeclaration<'duration'> => ({ type: 'duration', default: def, describe, ...(hidden ? { hidden } : {}) });
export const stringFlag = (def: string, describe: string): FlagDeclaration<'string'> => ({ type: 'string', default: def, describe });
export const boolFlag = (def: boolean, describe: string): FlagDeclaration<'boolean'> => ({ type: 'boolean', default: def, describe });

/** An integer option such as `concurrent-replicaset-syncs` (a number or a numeric string). */
export function intOption(ctx: { options: RawFlagValues }, name: string, fallback: number): number {
  const v = ctx.options[name];
  if (v === undefined || v === '') return fallback;
  const n = typeof v === 'number' ? v : Number(v);
  if (!Number.isFinite(n)) throw new Error(`--${name}: ${String(v)} is not a number`);
  return Math.trunc(n);
}

/**
 * A duration option in milliseconds: Go duration strings as Kubernetes flags take them
 * (`40s`, `5m`, `1h30m`, `250ms`), or a bare number of seconds.
 */
export function durationOption(ctx: { options: RawFlagValues }, name: string, fallbackMs: number): number {
  const v = ctx.options[name];
  if (v === undefined || v === '') return fallbackMs;
  const ms = parseDurationMs(String(v));
  if (ms === undefined) throw new Error(`--${name}: invalid duration ${String(v)}`);
  return ms;
}

function readFlag(ctx: { options: RawFlagValues }, name: string, decl: FlagDeclaration): number | string | boolean {
  switch (decl.type) {
    case 'int':
      return intOption(ctx, name, decl.default as number);
    case 'duration': {
      const def = parseDurationMs(decl.default as string);
      if (def === undefined) throw new Error(`--${name}: invalid default duration ${String(decl.default)}`);
      return durationOption(ctx, name, def);
    }
    case 'boolean': {
      // `false` from yargs, `'false'` from a test or an env twin read as text.
      const v = ctx.options[name];
      return v === undefined || v === '' ? (decl.default as boolean) : v !== false && v !== 'false';
    }
    case 'string': {
      const v = ctx.options[name];
      return v === undefined ? (decl.default as string) : String(v);
    }
  }
}

/** A controller's flags as typed values, defaults filled in from its declarations. */
export function controllerFlags<D extends FlagDeclarations>(ctx: { options: RawFlagValues }, decls: D): FlagValues<D> {
  const out: Record<string, number | string | boolean> = {};
  for (const [name, decl] of Object.entries(decls)) out[name] = readFlag(ctx, name, decl);
  return out as FlagValues<D>;
}

/**
 * Every controller's declarations as one table. A flag two controllers read (`--root-ca-file`)
 * is declared by both, identically; a mismatch is a programming error.
 */
export function mergeFlagDeclarations(all: Iterable<FlagDeclarations>): FlagDeclarations {
  const out: Record<string, FlagDeclaration> = {};
  for (const decls of all) {
    for (const [name, decl] of Object.entries(decls)) {
      const seen = out[name];
      if (seen && (seen.type !== decl.type || seen.default !== decl.default)) throw new Error(`flag --${name} is declared twice, differently`);
      out[name] ??= decl;
    }
  }
  return out;
}

/** The yargs option for a declaration (durations are Go-style strings on the command line). */
export function yargsOption(decl: FlagDeclaration): YargsOption {
  const type = decl.type === 'int' ? 'number' : decl.type === 'duration' ? 'string' : decl.type;
  return { type, default: decl.default, describe: decl.describe, ...(decl.hidden ? { hidden: true } : {}) };
}
