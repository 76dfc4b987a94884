// Events of the selected namespace, newest first, live.
import type { Event as KEvent } from 'kubernetes-types/core/v1';
import type { JSX } from 'preact';
import { age } from '../format.js';
import { useNsList, useTick } from '../hooks.js';
import { ListError, Table } from '../widgets/table.js';
import { eventTime, sortEvents } from './event-ticker.js';

export function Events(): JSX.Element {
  const ev = useNsList<KEvent>('/api/v1', 'events');
  useTick(5000);
  const rows = sortEvents(ev.items).slice(0, 500);
  return (
    <section>
      <h1>Events <span class="count">{ev.items.length}</span></h1>
      <ListError error={ev.error} note={ev.note} />
      <Table<KEvent> rows={rows} rowKey={(e) => e.metadata?.uid ?? `${e.metadata?.namespace}/${e.metadata?.name}`}
        rowProps={(e) => ({ 'data-testid': 'event-row', 'data-reason': e.reason, class: e.type === 'Warning' ? 'warn' : '' })}
        columns={[
          { title: 'Last seen', cell: (e) => age(eventTime(e)) },
          ...(!ev.ns ? [{ title: 'Namespace', cell: (e: KEvent) => e.metadata?.namespace }] : []),
          { title: 'Type', cell: (e) => e.type ?? '' },
          { title: 'Reason', cell: (e) => e.reason ?? '' },
          { title: 'Object', cell: (e) => `${e.involvedObject?.kind?.toLowerCase()}/${e.involvedObject?.name}` },
          { title: 'Source', cell: (e) => e.reportingComponent || e.source?.component || '' },
          { title: 'Count', cell: (e) => e.count ?? 1 },
          { title: 'Message', cell: (e) => e.message ?? '' },
        ]} />
    </section>
  );
}
