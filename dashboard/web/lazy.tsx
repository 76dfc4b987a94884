// Entry points to the heavy widgets (CodeMirror, xterm.js, uPlot, trace), loaded on first use
// so the overview paints without them.
import type { KObject } from './live.js';
import { showError } from './store.js';
import { openPanel } from './ui.js';

function load<T>(p: Promise<T>, use: (m: T) => void): void {
  p.then(use, (e: unknown) => showError(e));
}

export function openCreate(): void {
  load(import('./widgets/yaml-create.js'), (m) => openPanel(<m.CreateYaml />));
}
export function openEdit(kind: string, obj: KObject): void {
  load(import('./widgets/yaml-edit.js'), (m) => openPanel(<m.EditYaml kind={kind} obj={obj} />));
}
export function openLogs(pod: KObject): void {
  load(import('./widgets/logs.js'), (m) => openPanel(<m.Logs pod={pod} />));
}
export function openExec(pod: KObject): void {
  load(import('./widgets/terminal.js'), (m) => openPanel(<m.ExecTerminal pod={pod} />));
}
export function openChart(kind: 'node' | 'pod', name: string, namespace?: string): void {
  load(import('./widgets/chart.js'), (m) => openPanel(<m.UsageChart kind={kind} name={name} namespace={namespace} />));
}
export function openTrace(kind: string, obj: KObject): void {
  load(import('./widgets/trace.js'), (m) => openPanel(<m.TraceWaterfall kind={kind} namespace={obj.metadata.namespace ?? ''} name={obj.metadata.name ?? ''} />));
}
