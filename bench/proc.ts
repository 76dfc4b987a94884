// Process CPU accounting for the benchmarks, from /proc (Linux).
import { readFileSync } from 'node:fs';

/** CPU milliseconds (user + system) a process has used so far; NaN if it is gone. */
export function procCpuMs(pid: number | undefined): number {
  if (pid === undefined) return NaN;
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  } catch {
    return NaN;
  }
}
