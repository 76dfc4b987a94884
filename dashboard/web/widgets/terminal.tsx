// Exec terminal: xterm.js over the daemon's /api/exec WebSocket. Keystrokes go as
// {"type":"stdin"} frames, size changes as {"type":"resize"}; binary frames are terminal
// output; a final {"type":"exit"|"error","status"} frame carries the Status.
import { FitAddon } from '@xterm/addon-fit';
import { Terminal } from '@xterm/xterm';
import type { Pod } from 'kubernetes-types/core/v1';
import type { JSX } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import type { Status } from '../api.js';
import type { KObject } from '../live.js';
import { showError } from '../store.js';
import { Modal } from './modal.js';

const SHELL = ['sh'];

export function execUrl(ns: string, pod: string, container: string, command: string[]): string {
  const q = new URLSearchParams({ namespace: ns, pod, container });
  for (const c of command) q.append('command', c);
  const proto = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${proto}//${location.host}/api/exec?${q.toString()}`;
}

export function ExecTerminal(props: { pod: KObject }): JSX.Element {
  const pod = props.pod as KObject & Pod;
  const containers = pod.spec?.containers.map((c) => c.name) ?? [];
  const [container, setContainer] = useState(containers[0] ?? '');
  const [state, setState] = useState('connecting…');
  const box = useRef<HTMLDivElement>(null);

  useEffect(() => {
    const term = new Terminal({ convertEol: false, cursorBlink: true, fontSize: 13, scrollback: 5000 });
    const fit = new FitAddon();
    term.loadAddon(fit);
    term.open(box.current!);
    fit.fit();
    const ws = new WebSocket(execUrl(pod.metadata.namespace ?? 'default', pod.metadata.name ?? '', container, SHELL));
    ws.binaryType = 'arraybuffer';
    const send = (m: object) => { if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(m)); };
    ws.onopen = () => { setState('connected'); send({ type: 'resize', cols: term.cols, rows: term.rows }); term.focus(); };
    ws.onmessage = (ev: MessageEvent<ArrayBuffer | string>) => {
      if (typeof ev.data !== 'string') { term.write(new Uint8Array(ev.data)); return; }
      let m: { type?: string; status?: Status };
      try { m = JSON.parse(ev.data) as typeof m; } catch { term.write(ev.data); return; }
      if (m.type === 'exit') setState(`exited: ${m.status?.message || m.status?.status || 'Success'}`);
      else if (m.type === 'error') { setState(`refused: ${m.status?.message ?? ''}`); showError(new Error(m.status?.message ?? 'exec refused')); }
    };
    ws.onclose = (ev) => setState((s) => (s === 'connected' ? 'closed' : s.startsWith('connecting') ? `could not connect (${ev.code})` : s));
    const d1 = term.onData((data) => send({ type: 'stdin', data }));
    const d2 = term.onResize(({ cols, rows }) => send({ type: 'resize', cols, rows }));
    const ro = new ResizeObserver(() => { try { fit.fit(); } catch { /* not visible */ } });
    ro.observe(box.current!);
    return () => { ro.disconnect(); d1.dispose(); d2.dispose(); ws.close(); term.dispose(); };
  }, [pod.metadata.namespace, pod.metadata.name, container]);

  return (
    <Modal title={`Exec: ${pod.metadata.namespace}/${pod.metadata.name}`} wide>
      <div class="row">
        {containers.length > 1 && (
          <select value={container} onChange={(e) => setContainer(e.currentTarget.value)}>
            {containers.map((c) => <option key={c} value={c}>{c}</option>)}
          </select>
        )}
        <span class="muted" data-testid="exec-state">{state}</span>
      </div>
      <div class="terminal" data-testid="exec-terminal" ref={box} />
    </Modal>
  );
}
