// App-wide UI state: the overlay panel (dialogs, logs, terminal, editor) and the hash route.
import type { ComponentChild } from 'preact';
import { Store } from './store.js';

/** The one open panel (a dialog or a drawer); null = none. */
export const panel = new Store<ComponentChild | null>(null);
export function openPanel(c: ComponentChild): void { panel.set(c); }
export function closePanel(): void { panel.set(null); }

export function currentRoute(): string[] {
  const h = location.hash.replace(/^#\/?/, '');
  return (h || 'overview').split('/').map(decodeURIComponent);
}
export const route = new Store<string[]>(currentRoute());
window.addEventListener('hashchange', () => route.set(currentRoute()));
export function go(...parts: string[]): void { location.hash = '#/' + parts.map(encodeURIComponent).join('/'); }
