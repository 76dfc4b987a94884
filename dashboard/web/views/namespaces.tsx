// Namespaces, with their phase; choosing one scopes the other views.
import type { Namespace } from 'kubernetes-types/core/v1';
import type { JSX } from 'preact';
import { age, labels } from '../format.js';
import { useList } from '../hooks.js';
import { openEdit } from '../lazy.js';
import type { KObject } from '../live.js';
import { namespace } from '../store.js';
import { DeleteButton } from '../widgets/dialogs.js';
import { ListError, Table } from '../widgets/table.js';

export function Namespaces(): JSX.Element {
  const list = useList<Namespace>('/api/v1/namespaces');
  return (
    <section>
      <h1>Namespaces <span class="count">{list.items.length}</span></h1>
      <ListError error={list.error} />
      <Table<Namespace> rows={list.items} rowKey={(o) => o.metadata?.name ?? ''}
        rowProps={(o) => ({ 'data-testid': 'namespace-row', 'data-name': o.metadata?.name, 'data-phase': o.status?.phase })}
        columns={[
          { title: 'Name', cell: (o) => <a href="#/pods" onClick={() => namespace.set(o.metadata?.name ?? '')}><b>{o.metadata?.name}</b></a> },
          { title: 'Status', cell: (o) => o.status?.phase ?? '' },
          { title: 'Labels', cell: (o) => <span class="muted">{labels(o.metadata?.labels)}</span> },
          { title: 'Age', cell: (o) => age(o.metadata?.creationTimestamp) },
          { title: '', cell: (o) => <span class="actions"><button class="small" data-testid="edit-button" onClick={() => openEdit('Namespace', o as KObject)}>YAML</button><DeleteButton kind="Namespace" obj={o as KObject} /></span> },
        ]} />
    </section>
  );
}
