// Pods: status, readiness, restarts, node, IP, age; live logs, exec terminal, usage chart,
// trace, YAML edit and delete per pod.
import type { Pod } from 'kubernetes-types/core/v1';
import type { JSX } from 'preact';
import { age } from '../format.js';
import { useNsList, useTick } from '../hooks.js';
import { openChart, openEdit, openExec, openLogs, openTrace } from '../lazy.js';
import type { KObject } from '../live.js';
import { podReady, podRestarts, podStatus } from '../pod-status.js';
import { DeleteButton } from '../widgets/dialogs.js';
import { ListError, Table } from '../widgets/table.js';

function statusClass(s: string): string {
  if (s === 'Running' || s === 'Succeeded' || s === 'Completed') return 'ok';
  if (s === 'Pending' || s === 'ContainerCreating' || s === 'Terminating' || s.startsWith('Init:')) return 'wait';
  return 'bad';
}

export function PodActions(props: { pod: Pod }): JSX.Element {
  const p = props.pod as KObject & Pod;
  return (
    <span class="actions">
      <button class="small" data-testid="logs-button" onClick={() => openLogs(p)}>Logs</button>
      <button class="small" data-testid="exec-button" onClick={() => openExec(p)}>Exec</button>
      <button class="small" data-testid="chart-button" onClick={() => openChart('pod', p.metadata.name ?? '', p.metadata.namespace)}>Chart</button>
      <button class="small" data-testid="trace-button" onClick={() => openTrace('Pod', p)}>Trace</button>
      <button class="small" data-testid="edit-button" onClick={() => openEdit('Pod', p)}>YAML</button>
      <DeleteButton kind="Pod" obj={p} />
    </span>
  );
}

export function PodTable(props: { pods: Pod[]; loaded: boolean; showNs: boolean }): JSX.Element {
  useTick(5000);
  return (
    <Table<Pod>
      testid="pod-table"
      rows={props.pods}
      rowKey={(p) => `${p.metadata?.namespace}/${p.metadata?.name}`}
      rowProps={(p) => ({ 'data-testid': 'pod-row', 'data-name': p.metadata?.name, 'data-namespace': p.metadata?.namespace, 'data-phase': p.status?.phase ?? 'Unknown', 'data-status': podStatus(p) })}
      empty={props.loaded ? 'No pods.' : 'Loading…'}
      columns={[
        ...(props.showNs ? [{ title: 'Namespace', cell: (p: Pod) => p.metadata?.namespace }] : []),
        { title: 'Name', cell: (p) => <b>{p.metadata?.name}</b> },
        { title: 'Ready', cell: (p) => podReady(p) },
        { title: 'Status', cell: (p) => { const s = podStatus(p); return <span class={`status ${statusClass(s)}`}>{s}</span>; } },
        { title: 'Restarts', cell: (p) => podRestarts(p) },
        { title: 'Node', cell: (p) => p.spec?.nodeName ?? <span class="muted">&lt;none&gt;</span> },
        { title: 'IP', cell: (p) => p.status?.podIP ?? <span class="muted">&lt;none&gt;</span> },
        { title: 'Age', cell: (p) => age(p.metadata?.creationTimestamp) },
        { title: '', cell: (p) => <PodActions pod={p} /> },
      ]}
    />
  );
}

export function Pods(): JSX.Element {
  const pods = useNsList<Pod>('/api/v1', 'pods');
  return (
    <section>
      <h1>Pods <span class="count">{pods.items.length}</span></h1>
      <ListError error={pods.error} note={pods.note} />
      <PodTable pods={pods.items} loaded={pods.loaded} showNs={!pods.ns} />
    </section>
  );
}
