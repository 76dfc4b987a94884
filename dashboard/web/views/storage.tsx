// PersistentVolumes, PersistentVolumeClaims and StorageClasses.
import type { PersistentVolume, PersistentVolumeClaim } from 'kubernetes-types/core/v1';
import type { StorageClass } from 'kubernetes-types/storage/v1';
import type { JSX } from 'preact';
import { age } from '../format.js';
import { useList, useNsList } from '../hooks.js';
import { openEdit } from '../lazy.js';
import type { KObject } from '../live.js';
import { DeleteButton } from '../widgets/dialogs.js';
import { ListError, Table } from '../widgets/table.js';

function Actions(props: { kind: string; o: unknown }): JSX.Element {
  const o = props.o as KObject;
  return <span class="actions"><button class="small" data-testid="edit-button" onClick={() => openEdit(props.kind, o)}>YAML</button><DeleteButton kind={props.kind} obj={o} /></span>;
}

export function Storage(): JSX.Element {
  const pvs = useList<PersistentVolume>('/api/v1/persistentvolumes');
  const pvcs = useNsList<PersistentVolumeClaim>('/api/v1', 'persistentvolumeclaims');
  const scs = useList<StorageClass>('/apis/storage.k8s.io/v1/storageclasses');
  return (
    <div>
      <section>
        <h1>PersistentVolumeClaims <span class="count">{pvcs.items.length}</span></h1>
        <ListError error={pvcs.error} note={pvcs.note} />
        <Table<PersistentVolumeClaim> rows={pvcs.items} rowKey={(o) => `${o.metadata?.namespace}/${o.metadata?.name}`}
          rowProps={(o) => ({ 'data-testid': 'pvc-row', 'data-name': o.metadata?.name, 'data-phase': o.status?.phase })}
          columns={[
            ...(!pvcs.ns ? [{ title: 'Namespace', cell: (o: PersistentVolumeClaim) => o.metadata?.namespace }] : []),
            { title: 'Name', cell: (o) => <b>{o.metadata?.name}</b> },
            { title: 'Status', cell: (o) => o.status?.phase ?? '' },
            { title: 'Volume', cell: (o) => o.spec?.volumeName ?? '' },
            { title: 'Capacity', cell: (o) => o.status?.capacity?.['storage'] ?? o.spec?.resources?.requests?.['storage'] ?? '' },
            { title: 'Access modes', cell: (o) => (o.spec?.accessModes ?? []).join(',') },
            { title: 'StorageClass', cell: (o) => o.spec?.storageClassName ?? '' },
            { title: 'Age', cell: (o) => age(o.metadata?.creationTimestamp) },
            { title: '', cell: (o) => <Actions kind="PersistentVolumeClaim" o={o} /> },
          ]} />
      </section>
      <section>
        <h1>PersistentVolumes <span class="count">{pvs.items.length}</span></h1>
        <ListError error={pvs.error} />
        <Table<PersistentVolume> rows={pvs.items} rowKey={(o) => o.metadata?.name ?? ''}
          rowProps={(o) => ({ 'data-testid': 'pv-row', 'data-name': o.metadata?.name, 'data-phase': o.status?.phase })}
          columns={[
            { title: 'Name', cell: (o) => <b>{o.metadata?.name}</b> },
            { title: 'Capacity', cell: (o) => o.spec?.capacity?.['storage'] ?? '' },
            { title: 'Access modes', cell: (o) => (o.spec?.accessModes ?? []).join(',') },
            { title: 'Reclaim', cell: (o) => o.spec?.persistentVolumeReclaimPolicy ?? '' },
            { title: 'Status', cell: (o) => o.status?.phase ?? '' },
            { title: 'Claim', cell: (o) => (o.spec?.claimRef ? `${o.spec.claimRef.namespace}/${o.spec.claimRef.name}` : '') },
            { title: 'StorageClass', cell: (o) => o.spec?.storageClassName ?? '' },
            { title: 'Age', cell: (o) => age(o.metadata?.creationTimestamp) },
            { title: '', cell: (o) => <Actions kind="PersistentVolume" o={o} /> },
          ]} />
      </section>
      <section>
        <h1>StorageClasses <span class="count">{scs.items.length}</span></h1>
        <ListError error={scs.error} />
        <Table<StorageClass> rows={scs.items} rowKey={(o) => o.metadata?.name ?? ''}
          rowProps={(o) => ({ 'data-testid': 'storageclass-row', 'data-name': o.metadata?.name })}
          columns={[
            { title: 'Name', cell: (o) => <b>{o.metadata?.name}{o.metadata?.annotations?.['storageclass.kubernetes.io/is-default-class'] === 'true' ? ' (default)' : ''}</b> },
            { title: 'Provisioner', cell: (o) => o.provisioner },
            { title: 'Reclaim', cell: (o) => o.reclaimPolicy ?? 'Delete' },
            { title: 'Binding mode', cell: (o) => o.volumeBindingMode ?? 'Immediate' },
            { title: 'Age', cell: (o) => age(o.metadata?.creationTimestamp) },
            { title: '', cell: (o) => <Actions kind="StorageClass" o={o} /> },
          ]} />
      </section>
    </div>
  );
}
