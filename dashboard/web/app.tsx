// The page frame: navigation, namespace choice, the banner, the error and notice lines, the
// current view and the open panel. Never blank: before the user is known it says so.
import type { JSX } from 'preact';
import type { ComponentChildren } from 'preact';
import { useEffect, useErrorBoundary, useState } from 'preact/hooks';
import { daemon, k8s, setUnauthorizedHandler } from './api.js';
import type { KObject } from './live.js';
import { openCreate } from './lazy.js';
import { Login } from './login.js';
import { banner, lastError, namespace, notice, user, useStore, type User } from './store.js';
import { go, panel, route } from './ui.js';
import { VIEWS } from './views/index.js';

const NAV: Array<[string, string]> = [
  ['overview', 'Overview'], ['workloads', 'Workloads'], ['pods', 'Pods'], ['services', 'Services'],
  ['config', 'Config'], ['storage', 'Storage'], ['namespaces', 'Namespaces'], ['events', 'Events'],
];

/** Namespaces for the picker: fetched once and on focus, not watched (saves a connection). */
function NamespacePicker(): JSX.Element {
  const ns = useStore(namespace);
  const [names, setNames] = useState<string[] | null>([]);
  const refresh = () => {
    k8s<{ items: KObject[] }>('/api/v1/namespaces').then((l) => setNames(l.items.map((n) => n.metadata.name ?? '')), () => setNames(null));
  };
  useEffect(refresh, []);
  if (names === null) {
    return <input data-testid="namespace-input" class="ns" placeholder="all namespaces" value={ns}
      onChange={(e) => namespace.set(e.currentTarget.value.trim())} />;
  }
  const all = ns && !names.includes(ns) ? [...names, ns] : names;
  return (
    <select data-testid="namespace-select" class="ns" value={ns} onFocus={refresh} onChange={(e) => namespace.set(e.currentTarget.value)}>
      <option value="">All namespaces</option>
      {[...all].sort().map((n) => <option key={n} value={n}>{n}</option>)}
    </select>
  );
}

function Messages(): JSX.Element {
  const b = useStore(banner);
  const err = useStore(lastError);
  const note = useStore(notice);
  useEffect(() => { if (!note) return; const t = setTimeout(() => notice.set(null), 4000); return () => clearTimeout(t); }, [note]);
  return (
    <>
      {b && <div class="banner" data-testid="apiserver-banner" role="alert">{b}</div>}
      {err && <div class="error" role="alert"><span data-testid="error-message">{err}</span><button class="close" aria-label="Dismiss" onClick={() => lastError.set(null)}>×</button></div>}
      {note && <div class="notice" data-testid="notice">{note}</div>}
    </>
  );
}

/** A view that throws shows its error instead of blanking the page. */
function Guard(props: { children: ComponentChildren; id: string }): JSX.Element {
  const [err, reset] = useErrorBoundary();
  useEffect(() => { if (err) reset(); }, [props.id]);
  if (err) return <div class="error" data-testid="view-error">This view failed: {err instanceof Error ? err.message : String(err)} <button class="small" onClick={reset}>Retry</button></div>;
  return <>{props.children}</>;
}

function Shell(props: { me: User }): JSX.Element {
  const r = useStore(route);
  const p = useStore(panel);
  const View = VIEWS[r[0] ?? 'overview'] ?? VIEWS['overview']!;
  return (
    <div class="shell">
      <header class="top">
        <span class="brand">tskube</span>
        <nav>
          {NAV.map(([id, label]) => (
            <a key={id} href={`#/${id}`} data-testid={`nav-${id}`} class={r[0] === id ? 'active' : ''}>{label}</a>
          ))}
        </nav>
        <span class="spacer" />
        <NamespacePicker />
        <button data-testid="create-yaml" class="primary" onClick={openCreate}>+ Create</button>
        <span class="me" data-testid="current-user" title={(props.me.groups ?? []).join(', ')}>{props.me.username}</span>
        <button class="small" data-testid="logout" onClick={() => { void daemon('/api/logout', 'POST').finally(() => user.set(null)); }}>Sign out</button>
      </header>
      <Messages />
      <main class="view"><Guard id={r.join('/')}><View args={r.slice(1)} /></Guard></main>
      {p}
    </div>
  );
}

export function App(): JSX.Element {
  const me = useStore(user);
  useEffect(() => {
    setUnauthorizedHandler(() => user.set(null));
    daemon<{ user: User }>('/api/me').then((r) => user.set(r.user), () => user.set(null));
  }, []);
  if (me === undefined) return <div class="loading">Connecting to the dashboard…</div>;
  if (me === null) return <Login />;
  return <Shell me={me} />;
}

export { go };
