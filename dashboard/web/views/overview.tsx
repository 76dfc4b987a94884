// Cluster overview: every node with its CPU/memory allocation (pod requests vs allocatable),
// real usage from metrics.k8s.io where served, pods per node, and a live event ticker.
import type { Node, Pod } from 'kubernetes-types/core/v1';
import type { JSX } from 'preact';
import { cordon, drain } from '../actions.js';
import { fmtBytes, fmtCpu, parseQuantity } from '../format.js';
import { useList } from '../hooks.js';
import { openChart, openEdit } from '../lazy.js';
import type { KObject } from '../live.js';
import { useNodeMetrics, type Usage } from '../metrics.js';
import { podActive, podRequest } from '../pod-status.js';
import { act, notice } from '../store.js';
import { Bar, ListError, Table } from '../widgets/table.js';
import { EventTicker } from './event-ticker.js';

interface NodeLoad { cpu: number; memory: number; pods: number }

function loads(pods: Pod[]): Map<string, NodeLoad> {
  const m = new Map<string, NodeLoad>();
  for (const p of pods) {
    const n = p.spec?.nodeName;
    if (!n || !podActive(p)) continue;
    const l = m.get(n) ?? { cpu: 0, memory: 0, pods: 0 };
    l.cpu += podRequest(p, 'cpu'); l.memory += podRequest(p, 'memory'); l.pods++;
    m.set(n, l);
  }
  return m;
}

function ready(n: Node): string {
  const c = n.status?.conditions?.find((x) => x.type === 'Ready');
  const s = c?.status === 'True' ? 'Ready' : c?.status === 'False' ? 'NotReady' : 'Unknown';
  return n.spec?.unschedulable ? `${s},SchedulingDisabled` : s;
}

function NodeActions(props: { node: Node }): JSX.Element {
  const n = props.node as KObject & Node;
  const name = n.metadata.name ?? '';
  return (
    <span class="actions">
      {n.spec?.unschedulable
        ? <button class="small" data-testid="uncordon-button" onClick={() => act(`node/${name} uncordoned`, () => cordon(n, false))}>Uncordon</button>
        : <button class="small" data-testid="cordon-button" onClick={() => act(`node/${name} cordoned`, () => cordon(n, true))}>Cordon</button>}
      <button class="small" data-testid="drain-button" onClick={() => act(`node/${name} drained`, () => drain(n, (m) => notice.set(m)))}>Drain</button>
      <button class="small" data-testid="chart-button" onClick={() => openChart('node', name)}>Chart</button>
      <button class="small" data-testid="edit-button" onClick={() => openEdit('Node', n)}>YAML</button>
    </span>
  );
}

function usageCell(u: Usage | undefined, total: number, res: 'cpu' | 'memory'): JSX.Element {
  if (!u) return <span class="muted">-</span>;
  const v = u[res];
  const label = res === 'cpu' ? `${fmtCpu(v)} / ${fmtCpu(total)}` : `${fmtBytes(v)} / ${fmtBytes(total)}`;
  return <Bar value={v} total={total} label={label} kind="usage" testid={`usage-${res}`} />;
}

export function Overview(): JSX.Element {
  const nodes = useList<Node>('/api/v1/nodes');
  const pods = useList<Pod>('/api/v1/pods');
  const metrics = useNodeMetrics();
  const load = loads(pods.items);
  const alloc = (n: Node, r: string) => parseQuantity(n.status?.allocatable?.[r] ?? n.status?.capacity?.[r]);
  return (
    <div class="overview">
      <section>
        <h1>Nodes <span class="count">{nodes.items.length}</span></h1>
        <ListError error={nodes.error} />
        <Table<Node>
          testid="node-table"
          rows={nodes.items}
          rowKey={(n) => n.metadata?.name ?? ''}
          rowProps={(n) => ({ 'data-testid': 'node-row', 'data-name': n.metadata?.name, 'data-ready': ready(n) })}
          empty={nodes.loaded ? 'No nodes.' : 'Loading…'}
          columns={[
            { title: 'Name', cell: (n) => <b>{n.metadata?.name}</b> },
            { title: 'Status', cell: (n) => <span class={`status ${ready(n).startsWith('Ready') ? 'ok' : 'bad'}`}>{ready(n)}</span> },
            { title: 'CPU requests', cell: (n) => { const a = alloc(n, 'cpu'); const v = load.get(n.metadata?.name ?? '')?.cpu ?? 0; return <Bar value={v} total={a} label={`${fmtCpu(v)} / ${fmtCpu(a)}`} testid="alloc-cpu" />; } },
            { title: 'Memory requests', cell: (n) => { const a = alloc(n, 'memory'); const v = load.get(n.metadata?.name ?? '')?.memory ?? 0; return <Bar value={v} total={a} label={`${fmtBytes(v)} / ${fmtBytes(a)}`} testid="alloc-memory" />; } },
            ...(metrics ? [
              { title: 'CPU usage', cell: (n: Node) => usageCell(metrics.get(n.metadata?.name ?? ''), alloc(n, 'cpu'), 'cpu') },
              { title: 'Memory usage', cell: (n: Node) => usageCell(metrics.get(n.metadata?.name ?? ''), alloc(n, 'memory'), 'memory') },
            ] : []),
            { title: 'Pods', cell: (n) => { const c = alloc(n, 'pods'); const v = load.get(n.metadata?.name ?? '')?.pods ?? 0; return <Bar value={v} total={c} label={`${v} / ${c}`} testid="pods-per-node" />; } },
            { title: 'Version', cell: (n) => n.status?.nodeInfo?.kubeletVersion ?? '' },
            { title: '', cell: (n) => <NodeActions node={n} /> },
          ]}
        />
        {!metrics && <p class="muted">metrics.k8s.io is not served (or not yet): showing requests only.</p>}
      </section>
      <section class="ticker-section">
        <h2>Events</h2>
        <EventTicker />
      </section>
    </div>
  );
}
