// Trace waterfall: the shared trace core collects audit events, Events, conditions and
// milestones for the object (through the proxy, as the user) and orders them; each step is a
// bar from the previous step to its own time (its hop), placed at its offset from the first.
// Steps without data are listed as "unknown", never given a time.
import type { JSX } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { errorMessage, k8sUrl, CSRF_HEADER } from '../api.js';
import { traceTimeline, type Timeline, type TraceGet, type TraceStep } from '../trace-core.js';
import { bar, spanOf } from '../waterfall.js';
import { Modal } from './modal.js';

/** TraceGet over the dashboard's proxy: status and JSON body, never throws on 4xx. */
export const proxyGet: TraceGet = async (path) => {
  const res = await fetch(k8sUrl(path), { headers: { ...CSRF_HEADER, Accept: 'application/json' }, credentials: 'same-origin' });
  const text = await res.text();
  let body: unknown = text;
  try { body = text ? JSON.parse(text) : null; } catch { /* keep text */ }
  return { status: res.status, body };
};

function fmtMs(ms: number | null): string {
  if (ms === null) return 'unknown';
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
}

function Step(props: { s: TraceStep; span: number }): JSX.Element {
  const { s, span } = props;
  const b = bar(s, span);
  const known = b !== null;
  return (
    <div class={`step ${known ? '' : 'unknown'} src-${s.source}`} data-testid="trace-step" data-known={String(known)} data-source={s.source}>
      <div class="label">
        <span class="offset">{known ? `+${fmtMs(s.offsetMs)}` : 'unknown'}</span>
        <span class="actor">{s.actor}</span>
        <span class="action">{s.action}</span>
        <span class="object">{s.object}</span>
      </div>
      <div class="lane" title={s.detail ?? ''}>
        {b
          ? <div class="hop" style={{ left: `${(b.left * 100).toFixed(2)}%`, width: `${(b.width * 100).toFixed(2)}%` }}><span>{s.hopMs === null ? '' : fmtMs(s.hopMs)}</span></div>
          : <div class="nodata">unknown: no data for this hop</div>}
      </div>
    </div>
  );
}

export function TraceWaterfall(props: { kind: string; namespace: string; name: string }): JSX.Element {
  const [tl, setTl] = useState<Timeline | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [live, setLive] = useState(false);
  const [n, setN] = useState(0);
  useEffect(() => {
    let stop = false;
    traceTimeline(proxyGet, { kind: props.kind, namespace: props.namespace, name: props.name })
      .then((t) => { if (!stop) { setTl(t); setError(null); } }, (e: unknown) => { if (!stop) setError(errorMessage(e)); });
    return () => { stop = true; };
  }, [props.kind, props.namespace, props.name, n]);
  useEffect(() => { if (!live) return; const t = setInterval(() => setN((x) => x + 1), 3000); return () => clearInterval(t); }, [live]);
  const span = spanOf(tl?.steps ?? []);
  return (
    <Modal title={`Trace: ${props.kind.toLowerCase()}/${props.name}`} wide>
      <div class="row">
        <button class="small" onClick={() => setN((x) => x + 1)}>Refresh</button>
        <label><input type="checkbox" checked={live} onChange={(e) => setLive(e.currentTarget.checked)} /> follow live</label>
        {tl && <span class="muted">start {tl.start} · {tl.steps.length} steps · span {fmtMs(span)}</span>}
      </div>
      {error && <div class="error" data-testid="trace-error">{error}</div>}
      {!tl && !error && <p class="muted">Collecting audit events, Events and conditions…</p>}
      {tl?.notes?.map((n) => <p key={n} class="muted" data-testid="trace-note">{n}</p>)}
      {tl && (
        <div class="waterfall" data-testid="trace-waterfall">
          {tl.steps.map((s, i) => <Step key={i} s={s} span={span} />)}
        </div>
      )}
    </Modal>
  );
}
