// "Create from YAML": edit, server-side dry run, then apply. Apply dry-runs every object before
// applying any (Namespaces of the batch go first, since the rest may need them). Errors show
// the parser's line/column or the apiserver's Status message.
import type { JSX } from 'preact';
import { useRef, useState } from 'preact/hooks';
import { errorMessage } from '../api.js';
import { applyObject } from '../apply.js';
import type { KObject } from '../live.js';
import { lastError, namespace, notice } from '../store.js';
import { closePanel } from '../ui.js';
import { parseObjects } from '../yaml-docs.js';
import { YamlEditor, type EditorHandle } from './code-editor.js';
import { Modal } from './modal.js';

const SAMPLE = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: hello
spec:
  replicas: 2
  selector:
    matchLabels:
      app: hello
  template:
    metadata:
      labels:
        app: hello
    spec:
      containers:
      - name: hello
        image: busybox:1.35
        command: ["sh", "-c", "while true; do echo hello $(hostname); sleep 5; done"]
`;

export function CreateYaml(): JSX.Element {
  const editor = useRef<EditorHandle | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [results, setResults] = useState<string[]>([]);
  const [busy, setBusy] = useState(false);

  const run = async (apply: boolean) => {
    setBusy(true);
    setError(null);
    setResults([]);
    const out: string[] = [];
    try {
      const objs = parseObjects(editor.current?.getValue() ?? '');
      const ns = namespace.get();
      // Namespaces go first (as kubectl orders them): the other objects' dry runs need them.
      const isNs = (o: KObject) => o.kind === 'Namespace' && o.apiVersion === 'v1';
      const first = objs.filter(isNs);
      const rest = objs.filter((o) => !isNs(o));
      for (const o of first) out.push(await applyObject(o, ns, true));
      if (apply) for (const o of first) out.push(await applyObject(o, ns, false));
      for (const o of rest) out.push(await applyObject(o, ns, true));
      if (apply) for (const o of rest) out.push(await applyObject(o, ns, false));
      if (apply) out.splice(0, out.length, ...out.filter((r) => !r.endsWith('(server dry run)')));
      setResults(out);
      if (apply) { lastError.set(null); notice.set(out.join('; ')); closePanel(); }
    } catch (e) {
      setResults(out);
      setError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal title="Create from YAML" wide testid="yaml-dialog">
      <YamlEditor initial={SAMPLE} handle={editor} onChange={() => setError(null)} />
      {error && <div class="error" data-testid="yaml-error">{error}</div>}
      {results.length > 0 && <ul class="results" data-testid="yaml-result">{results.map((r) => <li key={r}>{r}</li>)}</ul>}
      <div class="row">
        <button data-testid="yaml-dry-run" disabled={busy} onClick={() => run(false)}>Dry run</button>
        <button data-testid="yaml-apply" class="primary" disabled={busy} onClick={() => run(true)}>Apply</button>
        <span class="muted">Server-side apply as field manager tskube-dashboard; namespace defaults to {namespace.get() || 'default'}.</span>
      </div>
    </Modal>
  );
}
