// Adapter to the shared trace core (client/trace/, built on branch `trace`), typed per the
// issue-14 contract §2. Until that branch is merged, collectTrace reports that the core is
// missing instead of inventing a timeline.
export type TraceGet = (path: string) => Promise<{ status: number; body: unknown }>;

export interface TraceStep {
  at: string | null;
  offsetMs: number | null;
  hopMs: number | null;
  actor: string;
  action: string;
  object: string;
  source: 'audit' | 'event' | 'condition' | 'milestone' | 'none';
  detail?: string;
}

export interface Timeline {
  root: { kind: string; namespace: string; name: string; uid: string };
  start: string;
  steps: TraceStep[];
}

export async function traceTimeline(_get: TraceGet, ref: { kind: string; namespace: string; name: string }): Promise<Timeline> {
  throw new Error(`trace of ${ref.kind}/${ref.name}: the trace core (client/trace) is not part of this build yet`);
}
