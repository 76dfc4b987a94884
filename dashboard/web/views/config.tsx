// ConfigMaps and Secrets. Secret values stay hidden (only keys and sizes) until the user
// reveals one; the value is decoded from base64 in the page, never logged.
import type { ConfigMap, Secret } from 'kubernetes-types/core/v1';
import type { JSX } from 'preact';
import { useState } from 'preact/hooks';
import { age } from '../format.js';
import { useNsList } from '../hooks.js';
import { openEdit } from '../lazy.js';
import type { KObject } from '../live.js';
import { DeleteButton } from '../widgets/dialogs.js';
import { ListError, Table } from '../widgets/table.js';

function decode(b64: string): string {
  try {
    const bin = atob(b64);
    return new TextDecoder().decode(Uint8Array.from(bin, (c) => c.charCodeAt(0)));
  } catch { return '<not base64>'; }
}

function SecretValue(props: { k: string; b64: string }): JSX.Element {
  const [shown, setShown] = useState(false);
  return (
    <div class="kv" data-testid="secret-key" data-key={props.k}>
      <code>{props.k}</code>{' '}
      {shown
        ? <><code class="value" data-testid="secret-value">{decode(props.b64)}</code> <button class="small" onClick={() => setShown(false)}>Hide</button></>
        : <><span class="muted">{Math.floor(props.b64.length * 3 / 4)} bytes</span> <button class="small" data-testid="reveal-button" onClick={() => setShown(true)}>Reveal</button></>}
    </div>
  );
}

function Actions(props: { kind: string; o: KObject }): JSX.Element {
  return <span class="actions"><button class="small" data-testid="edit-button" onClick={() => openEdit(props.kind, props.o)}>YAML</button><DeleteButton kind={props.kind} obj={props.o} /></span>;
}

export function Config(): JSX.Element {
  const cms = useNsList<ConfigMap>('/api/v1', 'configmaps');
  const secrets = useNsList<Secret>('/api/v1', 'secrets');
  const nsCol = <T extends { metadata?: { namespace?: string } }>(show: boolean) => (show ? [{ title: 'Namespace', cell: (o: T) => o.metadata?.namespace }] : []);
  return (
    <div>
      <section>
        <h1>ConfigMaps <span class="count">{cms.items.length}</span></h1>
        <ListError error={cms.error} note={cms.note} />
        <Table<ConfigMap> rows={cms.items} rowKey={(o) => `${o.metadata?.namespace}/${o.metadata?.name}`}
          rowProps={(o) => ({ 'data-testid': 'configmap-row', 'data-name': o.metadata?.name })}
          columns={[...nsCol<ConfigMap>(!cms.ns),
            { title: 'Name', cell: (o) => <b>{o.metadata?.name}</b> },
            { title: 'Data', cell: (o) => <div class="kvs">{Object.entries(o.data ?? {}).map(([k, v]) => <div key={k} class="kv"><code>{k}</code>: <code class="value">{v.length > 200 ? v.slice(0, 200) + '…' : v}</code></div>)}</div> },
            { title: 'Age', cell: (o) => age(o.metadata?.creationTimestamp) },
            { title: '', cell: (o) => <Actions kind="ConfigMap" o={o as KObject} /> }]} />
      </section>
      <section>
        <h1>Secrets <span class="count">{secrets.items.length}</span></h1>
        <ListError error={secrets.error} note={secrets.note} />
        <Table<Secret> rows={secrets.items} rowKey={(o) => `${o.metadata?.namespace}/${o.metadata?.name}`}
          rowProps={(o) => ({ 'data-testid': 'secret-row', 'data-name': o.metadata?.name })}
          columns={[...nsCol<Secret>(!secrets.ns),
            { title: 'Name', cell: (o) => <b>{o.metadata?.name}</b> },
            { title: 'Type', cell: (o) => o.type ?? 'Opaque' },
            { title: 'Data', cell: (o) => <div class="kvs">{Object.entries(o.data ?? {}).map(([k, v]) => <SecretValue key={k} k={k} b64={v} />)}</div> },
            { title: 'Age', cell: (o) => age(o.metadata?.creationTimestamp) },
            { title: '', cell: (o) => <Actions kind="Secret" o={o as KObject} /> }]} />
      </section>
    </div>
  );
}
