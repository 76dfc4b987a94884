// A dialog over the page, closed by its × button or Escape.
import type { ComponentChildren, JSX } from 'preact';
import { useEffect } from 'preact/hooks';
import { closePanel } from '../ui.js';

export function Modal(props: { title: string; children: ComponentChildren; wide?: boolean; onClose?: () => void; testid?: string }): JSX.Element {
  const close = props.onClose ?? closePanel;
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => { if (e.key === 'Escape') close(); };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [close]);
  return (
    <div class="overlay" onClick={(e) => { if (e.target === e.currentTarget) close(); }}>
      <div class={`modal ${props.wide ? 'wide' : ''}`} role="dialog" aria-label={props.title} data-testid={props.testid}>
        <header><h2>{props.title}</h2><button class="close" aria-label="Close" data-testid="modal-close" onClick={close}>×</button></header>
        <div class="body">{props.children}</div>
      </div>
    </div>
  );
}
