// The shared trace core (client/trace/, contract §2), bundled into the page by esbuild: the
// same collection and timeline as `kc trace`, over the dashboard's proxy.
import { buildTimeline, collectTrace, type Timeline, type TraceGet } from '../../client/trace/index.js';

export type { Timeline, TraceGet, TraceStep } from '../../client/trace/index.js';

export async function traceTimeline(get: TraceGet, ref: { kind: string; namespace: string; name: string }): Promise<Timeline> {
  return buildTimeline(await collectTrace(get, ref));
}
