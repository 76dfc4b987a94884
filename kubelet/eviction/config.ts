// The eviction flags, parsed as the kubelet parses them (ParseThresholdConfig in
// pkg/kubelet/eviction/helpers.go): `--eviction-hard` / `--eviction-soft` are
// "signal<value" pairs, value a quantity ("100Mi") or a percentage of capacity ("10%"; 0% and
// 100% mean "no threshold"); `--eviction-soft-grace-period` and `--eviction-minimum-reclaim`
// are "signal=value" pairs. Every soft threshold needs a grace period. Pure.
import { parseQuantity, QuantityError, type Quantity } from '../../api/quantity.js';
import { parseDurationMs } from '../../client/duration.js';
import { isSignal, type Signal, type Threshold, type ThresholdValue } from './api.js';

export class EvictionConfigError extends Error {}

export interface EvictionFlags {
  evictionHard?: string;
  evictionSoft?: string;
  evictionSoftGracePeriod?: string;
  evictionMinimumReclaim?: string;
}

/** A map flag: "k<v,k2<v2" (sep '<') or "k=v,k2=v2" (sep '='), as cliflag's map flags read them. */
export function parseMapFlag(flag: string, value: string, sep: '<' | '='): Map<string, string> {
  const out = new Map<string, string>();
  for (const raw of value.split(',')) {
    const pair = raw.trim();
    if (pair === '') continue;
    const i = pair.indexOf(sep);
    if (i <= 0) throw new EvictionConfigError(`invalid argument "${value}" for "--${flag}" flag: malformed pair, expect string${sep}string`);
    out.set(pair.slice(0, i).trim(), pair.slice(i + 1).trim());
  }
  return out;
}

function signalOf(s: string): Signal {
  if (!isSignal(s)) throw new EvictionConfigError(`unsupported eviction signal ${s}`);
  return s;
}

/**
 * "10%" → 0.1, as parsePercentage does: strconv.ParseFloat of what precedes the '%', held as a
 * float32 — so a percentage threshold comes out to the same byte as upstream's.
 */
function parsePercentage(val: string): number {
  const num = val.replace(/%+$/, '');
  if (!/^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/.test(num)) throw new EvictionConfigError(`strconv.ParseFloat: parsing "${num}": invalid syntax`);
  return Math.fround(Math.fround(Number(num)) / 100);
}

function quantity(val: string): Quantity {
  try {
    return parseQuantity(val);
  } catch (e) {
    if (e instanceof QuantityError) throw new EvictionConfigError(e.message);
    throw e;
  }
}

/** parseThresholdStatement: undefined for 0% and 100%, which disable the signal. */
export function parseThresholdStatement(signalName: string, val: string): Threshold | undefined {
  const signal = signalOf(signalName);
  if (val.endsWith('%')) {
    if (val === '0%' || val === '100%') return undefined;
    const percentage = parsePercentage(val);
    if (percentage < 0) throw new EvictionConfigError(`eviction percentage threshold ${signal} must be >= 0%: ${val}`);
    if (percentage > 1) throw new EvictionConfigError(`eviction percentage threshold ${signal} must be <= 100%: ${val}`);
    return { signal, operator: 'LessThan', value: { percentage }, gracePeriodMs: 0 };
  }
  const q = quantity(val);
  if (q.nanos <= 0n) throw new EvictionConfigError(`eviction threshold ${signal} must be positive: ${val}`);
  return { signal, operator: 'LessThan', value: { quantity: q }, gracePeriodMs: 0 };
}

function parseStatements(flag: string, value: string | undefined): Threshold[] {
  const out: Threshold[] = [];
  for (const [signal, val] of parseMapFlag(flag, value ?? '', '<')) {
    const t = parseThresholdStatement(signal, val);
    if (t) out.push(t);
  }
  return out;
}

function parseGracePeriods(value: string | undefined): Map<Signal, number> {
  const out = new Map<Signal, number>();
  for (const [name, val] of parseMapFlag('eviction-soft-grace-period', value ?? '', '=')) {
    const signal = signalOf(name);
    // Go's time.ParseDuration: a unit is required (a bare "0" aside).
    const ms = /^[+-]?\d+(\.\d+)?$/.test(val) && Number(val) !== 0 ? undefined : parseDurationMs(val);
    if (ms === undefined) throw new EvictionConfigError(`time: ${/^[+-]?\d/.test(val) ? 'missing unit in' : 'invalid'} duration "${val}"`);
    if (ms < 0) throw new EvictionConfigError(`invalid eviction grace period specified: ${val}, must be a positive value`);
    out.set(signal, ms);
  }
  return out;
}

function parseMinimumReclaims(value: string | undefined): Map<Signal, ThresholdValue> {
  const out = new Map<Signal, ThresholdValue>();
  for (const [name, val] of parseMapFlag('eviction-minimum-reclaim', value ?? '', '=')) {
    const signal = signalOf(name);
    if (val.endsWith('%')) {
      const percentage = parsePercentage(val);
      if (percentage <= 0) throw new EvictionConfigError(`eviction percentage minimum reclaim ${signal} must be positive: ${val}`);
      out.set(signal, { percentage });
      continue;
    }
    const q = quantity(val);
    if (q.nanos < 0n) throw new EvictionConfigError(`negative eviction minimum reclaim specified for ${signal}`);
    out.set(signal, { quantity: q });
  }
  return out;
}

/** ParseThresholdConfig: hard thresholds, then soft ones with their grace periods, each with its minimum reclaim. */
export function parseThresholdConfig(flags: EvictionFlags): Threshold[] {
  const hard = parseStatements('eviction-hard', flags.evictionHard);
  const soft = parseStatements('eviction-soft', flags.evictionSoft);
  const grace = parseGracePeriods(flags.evictionSoftGracePeriod);
  const minReclaim = parseMinimumReclaims(flags.evictionMinimumReclaim);
  for (const t of soft) {
    const period = grace.get(t.signal);
    if (period === undefined) throw new EvictionConfigError(`grace period must be specified for the soft eviction threshold ${t.signal}`);
    t.gracePeriodMs = period;
  }
  const all = [...hard, ...soft];
  for (const t of all) {
    const m = minReclaim.get(t.signal);
    if (m) t.minReclaim = m;
  }
  return all;
}
