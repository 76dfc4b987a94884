// Services with their ready endpoints (the Endpoints object, as `kubectl get endpoints`) and, for
// NodePort/LoadBalancer services, links to each node's address on the node port.
import type { Endpoints, Node, Service } from 'kubernetes-types/core/v1';
import type { JSX } from 'preact';
import { age } from '../format.js';
import { useList, useNsList } from '../hooks.js';
import { openEdit, openTrace } from '../lazy.js';
import type { KObject } from '../live.js';
import { DeleteButton } from '../widgets/dialogs.js';
import { ListError, Table } from '../widgets/table.js';

/** Ready addresses with ports, as `kubectl get endpoints` prints them (deduplicated). */
function endpointsOf(eps: Map<string, Endpoints>, svc: Service): string[] {
  const e = eps.get(`${svc.metadata?.namespace}/${svc.metadata?.name}`);
  const out = new Set<string>();
  for (const sub of e?.subsets ?? []) {
    const ports = [...new Set((sub.ports ?? []).map((p) => p.port))];
    for (const a of sub.addresses ?? []) {
      if (!ports.length) out.add(a.ip);
      for (const p of ports) out.add(`${a.ip}:${p}`);
    }
  }
  return [...out];
}

function nodeAddresses(nodes: Node[]): string[] {
  return [...new Set(nodes.map((n) => n.status?.addresses?.find((a) => a.type === 'InternalIP')?.address).filter((a): a is string => !!a))];
}

function Ports(props: { svc: Service; nodeIps: string[] }): JSX.Element {
  return (
    <span class="ports">
      {(props.svc.spec?.ports ?? []).map((p) => (
        <span key={`${p.port}/${p.protocol}`} class="port">
          {p.port}{p.nodePort ? `:${p.nodePort}` : ''}/{p.protocol ?? 'TCP'}
          {p.nodePort && props.nodeIps.map((ip) => <a key={ip} data-testid="nodeport-link" href={`http://${ip}:${p.nodePort}/`} target="_blank" rel="noreferrer"> {ip}:{p.nodePort}</a>)}
        </span>
      ))}
    </span>
  );
}

export function Services(): JSX.Element {
  const svcs = useNsList<Service>('/api/v1', 'services');
  const endpoints = useNsList<Endpoints>('/api/v1', 'endpoints');
  const eps = new Map(endpoints.items.map((e) => [`${e.metadata?.namespace}/${e.metadata?.name}`, e]));
  const nodes = useList<Node>('/api/v1/nodes');
  const ips = nodeAddresses(nodes.items);
  return (
    <section>
      <h1>Services <span class="count">{svcs.items.length}</span></h1>
      <ListError error={svcs.error ?? endpoints.error} note={svcs.note} />
      <Table<Service>
        rows={svcs.items}
        rowKey={(s) => `${s.metadata?.namespace}/${s.metadata?.name}`}
        rowProps={(s) => ({ 'data-testid': 'service-row', 'data-name': s.metadata?.name, 'data-namespace': s.metadata?.namespace })}
        empty={svcs.loaded ? 'No services.' : 'Loading…'}
        columns={[
          ...(!svcs.ns ? [{ title: 'Namespace', cell: (s: Service) => s.metadata?.namespace }] : []),
          { title: 'Name', cell: (s) => <b>{s.metadata?.name}</b> },
          { title: 'Type', cell: (s) => s.spec?.type ?? 'ClusterIP' },
          { title: 'Cluster IP', cell: (s) => s.spec?.clusterIP ?? '' },
          { title: 'Ports', cell: (s) => <Ports svc={s} nodeIps={ips} /> },
          { title: 'Endpoints', cell: (s) => { const e = endpointsOf(eps, s); return <span data-testid="service-endpoints" data-count={e.length}>{e.length ? e.join(', ') : <span class="muted">&lt;none&gt;</span>}</span>; } },
          { title: 'Age', cell: (s) => age(s.metadata?.creationTimestamp) },
          { title: '', cell: (s) => <span class="actions">
              <button class="small" data-testid="trace-button" onClick={() => openTrace('Service', s as KObject)}>Trace</button>
              <button class="small" data-testid="edit-button" onClick={() => openEdit('Service', s as KObject)}>YAML</button>
              <DeleteButton kind="Service" obj={s as KObject} />
            </span> },
        ]}
      />
    </section>
  );
}
