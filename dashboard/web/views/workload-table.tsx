// One table of workloads of a kind: name, ready, progress bar, age and the row's actions.
import type { JSX } from 'preact';
import { rolloutRestart, rolloutUndo } from '../actions.js';
import { age } from '../format.js';
import { useTick } from '../hooks.js';
import { openEdit, openTrace } from '../lazy.js';
import type { KObject } from '../live.js';
import { act } from '../store.js';
import { DeleteButton, openScale } from '../widgets/dialogs.js';
import { Bar, Table } from '../widgets/table.js';
import type { WorkloadKind } from './workload-kinds.js';

function Actions(props: { wk: WorkloadKind; o: KObject }): JSX.Element {
  const { wk, o } = props;
  const name = `${wk.kind.toLowerCase()}/${o.metadata.name}`;
  return (
    <span class="actions">
      {wk.scalable && <button class="small" data-testid="scale-button" onClick={() => openScale(wk.kind, o, wk.progress(o).desired)}>Scale</button>}
      {wk.restartable && <button class="small" data-testid="restart-button" onClick={() => act(`${name} restarted`, () => rolloutRestart(wk.kind, o))}>Restart</button>}
      {wk.undoable && <button class="small" data-testid="undo-button" onClick={() => act(`${name} rolled back`, () => rolloutUndo(o))}>Undo</button>}
      {wk.kind !== 'CronJob' &&
        <button class="small" data-testid="trace-button" onClick={() => openTrace(wk.kind, o)}>Trace</button>}
      <button class="small" data-testid="edit-button" onClick={() => openEdit(wk.kind, o)}>YAML</button>
      <DeleteButton kind={wk.kind} obj={o} />
    </span>
  );
}

export function WorkloadTable(props: { wk: WorkloadKind; items: KObject[]; loaded: boolean; showNs: boolean }): JSX.Element {
  const { wk } = props;
  useTick(10_000);
  const hasReplicas = wk.kind !== 'CronJob';
  return (
    <Table<KObject>
      rows={props.items}
      rowKey={(o) => `${o.metadata.namespace}/${o.metadata.name}`}
      rowProps={(o) => { const p = wk.progress(o); return { 'data-testid': wk.testid, 'data-name': o.metadata.name, 'data-namespace': o.metadata.namespace, 'data-ready': `${p.ready}/${p.desired}`, 'data-updated': String(p.updated), 'data-complete': String(p.text === 'complete') }; }}
      empty={props.loaded ? `No ${wk.title}.` : 'Loading…'}
      columns={[
        ...(props.showNs ? [{ title: 'Namespace', cell: (o: KObject) => o.metadata.namespace }] : []),
        { title: 'Name', cell: (o) => <b>{o.metadata.name}</b> },
        ...(hasReplicas ? [{ title: 'Ready', cell: (o: KObject) => { const p = wk.progress(o); return `${p.ready}/${p.desired}`; } }] : []),
        { title: 'Progress', cell: (o) => { const p = wk.progress(o); return hasReplicas ? <Bar value={p.updated} total={Math.max(p.desired, 1)} label={p.text} kind="rollout" testid="rollout-progress" /> : <span>{p.text}</span>; } },
        { title: 'Age', cell: (o) => age(o.metadata.creationTimestamp) },
        { title: '', cell: (o) => <Actions wk={wk} o={o} /> },
      ]}
    />
  );
}
