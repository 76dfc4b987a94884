// The newest Events of the selected namespace(s) first, live from the watch: the list-watch
// story as it happens.
import type { Event as KEvent } from 'kubernetes-types/core/v1';
import type { JSX } from 'preact';
import { age } from '../format.js';
import { useNsList, useTick } from '../hooks.js';
import { ListError } from '../widgets/table.js';

export function eventTime(e: KEvent): string {
  return e.lastTimestamp || e.eventTime || e.firstTimestamp || e.metadata?.creationTimestamp || '';
}

export function sortEvents(items: KEvent[]): KEvent[] {
  return [...items].sort((a, b) => eventTime(b).localeCompare(eventTime(a)));
}

export function EventTicker(props: { limit?: number }): JSX.Element {
  const ev = useNsList<KEvent>('/api/v1', 'events');
  useTick(5000);
  const items = sortEvents(ev.items).slice(0, props.limit ?? 25);
  return (
    <ul class="ticker" data-testid="event-ticker">
      <ListError error={ev.error} />
      {items.map((e) => (
        <li key={e.metadata?.uid} data-testid="event-item" class={e.type === 'Warning' ? 'warn' : ''}>
          <span class="age">{age(eventTime(e))}</span>
          <span class="reason">{e.reason}</span>
          <span class="obj">{e.involvedObject?.kind?.toLowerCase()}/{e.involvedObject?.name}</span>
          <span class="msg">{e.message}</span>
        </li>
      ))}
    </ul>
  );
}
