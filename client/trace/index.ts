// The trace core (issue 14 contract §2): browser-safe, shared by `kc trace` and the dashboard.
export * from './types.js';
export { collectTrace, MAX_PODS } from './collect.js';
export { buildTimeline } from './timeline.js';
export { actorFromAudit, actorFromEvent, clientName, controllerFor } from './actors.js';
export { traceKind, TRACE_KINDS, type TraceKind } from './kinds.js';
export { formatDuration, stepCells, stepKey, timelineRows, TRACE_HEADER, UNKNOWN } from './format.js';
