// "Create from YAML": edit, server-side dry run, then apply. Apply always dry-runs first, so a
// rejected object leaves nothing half-created; errors show the parser's line/column or the
// apiserver's Status message.
import type { JSX } from 'preact';
import { useRef, useState } from 'preact/hooks';
import { errorMessage } from '../api.js';
import { applyObject } from '../apply.js';
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
      - name: web
        image: nginx:alpine
        ports:
        - containerPort: 80
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
      for (const o of objs) out.push(await applyObject(o, ns, true));
      if (apply) {
        out.length = 0;
        for (const o of objs) out.push(await applyObject(o, ns, false));
      }
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
