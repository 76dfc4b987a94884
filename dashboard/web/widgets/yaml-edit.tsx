// Edit an object's YAML: the live object (without managedFields) in the editor, a merge view
// of original vs edited, then a dry-run PUT and the real PUT (resourceVersion guards against
// lost updates: a concurrent change answers 409 Conflict, shown as its Status message).
import { MergeView } from '@codemirror/merge';
import { yaml } from '@codemirror/lang-yaml';
import { basicSetup, EditorView } from 'codemirror';
import type { JSX } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { stringify } from 'yaml';
import { errorMessage, k8s } from '../api.js';
import type { KObject } from '../live.js';
import { pathOf } from '../resources.js';
import { lastError, notice } from '../store.js';
import { closePanel } from '../ui.js';
import { parseObjects } from '../yaml-docs.js';
import { YamlEditor, type EditorHandle } from './code-editor.js';
import { Modal } from './modal.js';

function Diff(props: { a: string; b: string }): JSX.Element {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const ro = [basicSetup, yaml(), EditorView.editable.of(false)];
    const mv = new MergeView({ a: { doc: props.a, extensions: ro }, b: { doc: props.b, extensions: ro }, parent: box.current!, collapseUnchanged: { margin: 3 } });
    return () => mv.destroy();
  }, [props.a, props.b]);
  return <div class="diff" data-testid="yaml-diff" ref={box} />;
}

export function EditYaml(props: { kind: string; obj: KObject }): JSX.Element {
  const path = pathOf(props.kind, props.obj);
  const [original, setOriginal] = useState<string | null>(null);
  const [draft, setDraft] = useState<string | null>(null);
  const [diffing, setDiffing] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const editor = useRef<EditorHandle | null>(null);

  useEffect(() => {
    k8s<KObject>(path).then((o) => {
      delete o.metadata['managedFields'];
      setOriginal(stringify(o));
    }, (e: unknown) => setError(errorMessage(e)));
  }, [path]);

  const save = async () => {
    setBusy(true);
    setError(null);
    try {
      const [o] = parseObjects(draft ?? '');
      await k8s(path, { method: 'PUT', body: o, query: { dryRun: 'All', fieldManager: 'tskube-dashboard' } });
      await k8s(path, { method: 'PUT', body: o, query: { fieldManager: 'tskube-dashboard' } });
      lastError.set(null);
      notice.set(`${props.kind.toLowerCase()}/${props.obj.metadata.name} replaced`);
      closePanel();
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  };

  const title = `Edit ${props.kind.toLowerCase()}/${props.obj.metadata.name}`;
  return (
    <Modal title={title} wide testid="yaml-dialog">
      {original === null && !error && <p class="muted">Loading…</p>}
      {original !== null && !diffing && <YamlEditor initial={draft ?? original} handle={editor} onChange={() => setError(null)} />}
      {original !== null && diffing && <Diff a={original} b={draft ?? original} />}
      {error && <div class="error" data-testid="yaml-error">{error}</div>}
      <div class="row">
        {!diffing
          ? <button data-testid="yaml-review" class="primary" disabled={original === null} onClick={() => {
              const text = editor.current?.getValue() ?? '';
              setDraft(text);
              try { parseObjects(text); setDiffing(true); } catch (e) { setError(errorMessage(e)); }
            }}>Review diff</button>
          : <>
              <button data-testid="yaml-back" onClick={() => setDiffing(false)}>Back to editor</button>
              <button data-testid="yaml-save" class="primary" disabled={busy} onClick={save}>Save (PUT)</button>
            </>}
      </div>
    </Modal>
  );
}
