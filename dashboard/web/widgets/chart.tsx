// CPU and memory over time for a node or a pod: metrics.k8s.io is a point-in-time API, so the
// page samples it every few seconds while the chart is open and draws the series with uPlot.
import type { JSX } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import uPlot from 'uplot';
import { errorMessage } from '../api.js';
import { fmtBytes, fmtCpu } from '../format.js';
import { fetchUsage } from '../metrics.js';
import { Modal } from './modal.js';

const SAMPLE_MS = 5000;
const MAX_POINTS = 720; // an hour at 5 s

function Plot(props: { title: string; xs: number[]; ys: number[]; fmt: (v: number) => string; testid: string }): JSX.Element {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  useEffect(() => {
    const opts: uPlot.Options = {
      title: props.title, width: Math.max(300, (box.current?.clientWidth ?? 600) - 10), height: 200,
      series: [{}, { label: props.title, stroke: '#2f6fdf', fill: 'rgba(47,111,223,0.15)', value: (_u, v) => (v == null ? '-' : props.fmt(v)) }],
      scales: { y: { range: (_u, _min, max) => [0, max > 0 ? max * 1.15 : 1] } },
      axes: [{}, { values: (_u, vals) => vals.map((v) => props.fmt(v)), size: 70 }],
    };
    plot.current = new uPlot(opts, [[], []], box.current!);
    return () => { plot.current?.destroy(); plot.current = null; };
  }, []);
  useEffect(() => { plot.current?.setData([props.xs, props.ys]); }, [props.xs, props.ys]);
  return <div class="plot" data-testid={props.testid} ref={box} />;
}

export function UsageChart(props: { kind: 'node' | 'pod'; name: string; namespace?: string }): JSX.Element {
  const [series, setSeries] = useState<{ t: number[]; cpu: number[]; mem: number[] }>({ t: [], cpu: [], mem: [] });
  const [error, setError] = useState<string | null>(null);
  const path = props.kind === 'node'
    ? `/apis/metrics.k8s.io/v1beta1/nodes/${props.name}`
    : `/apis/metrics.k8s.io/v1beta1/namespaces/${props.namespace}/pods/${props.name}`;
  useEffect(() => {
    let stop = false;
    const sample = async () => {
      try {
        const u = await fetchUsage(path);
        if (stop) return;
        setError(null);
        setSeries((s) => ({
          t: [...s.t, Date.now() / 1000].slice(-MAX_POINTS),
          cpu: [...s.cpu, u.cpu].slice(-MAX_POINTS),
          mem: [...s.mem, u.memory].slice(-MAX_POINTS),
        }));
      } catch (e) {
        if (!stop) setError(errorMessage(e));
      }
    };
    void sample();
    const t = setInterval(sample, SAMPLE_MS);
    return () => { stop = true; clearInterval(t); };
  }, [path]);
  return (
    <Modal title={`Usage: ${props.kind} ${props.namespace ? props.namespace + '/' : ''}${props.name}`} wide>
      <p class="muted">Sampled from metrics.k8s.io every {SAMPLE_MS / 1000} s while this chart is open ({series.t.length} samples).</p>
      {error && <div class="error" data-testid="chart-error">{error}</div>}
      <Plot title="CPU (cores)" xs={series.t} ys={series.cpu} fmt={fmtCpu} testid="chart-cpu" />
      <Plot title="Memory" xs={series.t} ys={series.mem} fmt={fmtBytes} testid="chart-memory" />
    </Modal>
  );
}
