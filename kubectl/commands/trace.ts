// kc trace <kind>/<name> [-o json|yaml] [--watch]: one timeline of what the control plane did
// for an object — who (user, controller, scheduler, kubelet, kube-proxy, dns), what, when, and
// each hop's latency — from the audit index, Events, conditions and the components' milestones
// (client/trace/, the same core the dashboard's waterfall uses). Not a kubectl command: a
// tskube extra, in the shape of a kubectl plugin.
import { stringify } from 'yaml';
import { StatusError } from '../../api/status.js';
import type { RestClient } from '../../client/index.js';
import { buildTimeline, collectTrace, stepCells, stepKey, TRACE_HEADER, TraceError, traceKind, type Timeline, type TraceGet, type TraceRef } from '../../client/trace/index.js';
import { bool, str, type KcCommand } from '../command.js';
import { CliError } from '../errors.js';
import type { Factory } from '../factory.js';
import { watchRaw } from '../fetch.js';
import { write } from '../io.js';
import { resolveType } from '../resource-args.js';

/** The trace core's GET over kc's REST client: Status errors become answers, not exceptions. */
export function restTraceGet(client: RestClient): TraceGet {
  return async (path) => {
    try {
      return { status: 200, body: await client.getPath(path) };
    } catch (e) {
      if (e instanceof StatusError) return { status: e.code, body: e.status };
      throw e;
    }
  };
}

/** `deploy/web`, or `deploy web`. */
export function parseTarget(target: string, name: string | undefined, namespace: string): TraceRef {
  const [type, objName] = target.includes('/') ? [target.slice(0, target.indexOf('/')), target.slice(target.indexOf('/') + 1)] : [target, name];
  if (!objName) throw new CliError('you must specify a resource to trace as <kind>/<name>, e.g. deployment/web');
  const k = traceKind(type);
  if (!k) {
    const info = resolveType(type); // kubectl's error for a type the server lacks
    throw new CliError(`kc trace does not support ${info.kind}: trace a Deployment, ReplicaSet, ReplicationController, StatefulSet, DaemonSet, Job, Pod or Service`);
  }
  return { kind: k.kind, namespace, name: objName };
}

async function trace(get: TraceGet, ref: TraceRef): Promise<Timeline> {
  try {
    return buildTimeline(await collectTrace(get, ref));
  } catch (e) {
    if (e instanceof TraceError) {
      const s = e.body as { reason?: string; details?: unknown } | undefined;
      throw s?.reason ? new StatusError(e.status, s.reason as never, e.message, s.details as never) : new CliError(e.message);
    }
    throw e;
  }
}

/** Columns padded as kubectl's tabwriter does (3 spaces), widths kept across --watch batches. */
class Rows {
  private widths: number[] = TRACE_HEADER.map((h) => h.length);
  render(rows: string[][]): string {
    for (const r of rows) r.forEach((c, i) => (this.widths[i] = Math.max(this.widths[i] ?? 0, c.length)));
    return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(this.widths[i]! + 3))).join('') + '\n').join('');
  }
}

function printable(t: Timeline, output: string | undefined): string {
  return output === 'yaml' ? stringify(t) : `${JSON.stringify(t, null, 2)}\n`;
}

export const traceCommand: KcCommand = {
  command: 'trace <target> [name]',
  describe: 'Show the timeline of what the control plane did for a Deployment, Service, Pod… (tskube extra)',
  builder: (y) =>
    y
      .option('output', { alias: 'o', type: 'string', describe: 'json or yaml (default: a table)' })
      .option('watch', { alias: 'w', type: 'boolean', describe: 'Keep following: print new steps as they happen (a rollout live)' }),
  run: async (f, argv) => {
    const output = str(argv.output);
    if (output !== undefined && output !== 'json' && output !== 'yaml') throw new CliError(`unable to match a printer suitable for the output format "${output}", allowed formats are: json,yaml`);
    const ref = parseTarget(String(argv.target), str(argv.name), f.namespace);
    const get = restTraceGet(f.client);
    const first = await trace(get, ref);
    const rows = new Rows();
    const seen = new Set(first.steps.map(stepKey));
    for (const n of first.notes ?? []) await write(f.io.stderr, `Warning: ${n}\n`);
    await write(f.io.stdout, output ? printable(first, output) : rows.render([[...TRACE_HEADER], ...first.steps.map(stepCells)]));
    if (!bool(argv.watch)) return;
    await follow(f, ref, async () => {
      const t = await trace(get, ref);
      const fresh = t.steps.filter((s) => !seen.has(stepKey(s)));
      fresh.forEach((s) => seen.add(stepKey(s)));
      if (fresh.length) await write(f.io.stdout, output ? printable(t, output) : rows.render(fresh.map(stepCells)));
    });
  },
};

/**
 * --watch: re-collects whenever the root or an Event in its namespace changes (every hop of
 * the chain records an Event or writes the root's status), until Ctrl-C or the object is gone.
 */
async function follow(f: Factory, ref: TraceRef, recollect: () => Promise<void>): Promise<void> {
  const abort = new AbortController();
  const stop = () => abort.abort();
  abort.signal.addEventListener('abort', () => wake?.(), { once: true });
  f.io.signal?.addEventListener('abort', stop, { once: true });
  if (!f.io.signal) process.once('SIGINT', stop);
  let dirty = false;
  let wake: (() => void) | undefined;
  const kick = () => {
    dirty = true;
    wake?.();
  };
  const watchLoop = async (type: string, fieldSelector?: string) => {
    const info = resolveType(type);
    while (!abort.signal.aborted) {
      try {
        const list = await f.client.getPath<{ metadata?: { resourceVersion?: string } }>(`${info.group ? `/apis/${info.group}` : '/api'}/${info.version}/namespaces/${encodeURIComponent(ref.namespace)}/${info.resource}?limit=1${fieldSelector ? `&fieldSelector=${encodeURIComponent(fieldSelector)}` : ''}`, abort.signal);
        for await (const ev of watchRaw(f.client, info, ref.namespace, { fieldSelector, resourceVersion: list.metadata?.resourceVersion, signal: abort.signal })) {
          if (ev.type === 'ERROR') break;
          if (ev.type !== 'BOOKMARK') kick();
        }
      } catch (e) {
        if (abort.signal.aborted) return;
        await write(f.io.stderr, `Warning: watch ${info.resource}: ${(e as Error).message}; retrying\n`);
        await new Promise((r) => setTimeout(r, 1000));
      }
    }
  };
  const loops = [watchLoop(traceKind(ref.kind)!.plural, `metadata.name=${ref.name}`), watchLoop('events')];
  try {
    while (!abort.signal.aborted) {
      if (!dirty) await new Promise<void>((r) => (wake = r));
      wake = undefined;
      if (abort.signal.aborted) break;
      // Let a burst of Events land before reading them all again.
      await new Promise((r) => setTimeout(r, 250));
      dirty = false;
      await recollect();
    }
  } catch (e) {
    abort.abort();
    if (e instanceof StatusError && e.code === 404) throw new CliError(`${ref.kind.toLowerCase()}/${ref.name} is gone: ${e.message}`);
    throw e;
  } finally {
    process.removeListener('SIGINT', stop);
    await Promise.all(loops);
  }
}
