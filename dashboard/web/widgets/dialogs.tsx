// Scale and delete dialogs, opened from a row's buttons.
import type { JSX } from 'preact';
import { useState } from 'preact/hooks';
import { remove, scale } from '../actions.js';
import type { KObject } from '../live.js';
import { act } from '../store.js';
import { closePanel, openPanel } from '../ui.js';
import { Modal } from './modal.js';

function ScaleDialog(props: { kind: string; obj: KObject; current: number }): JSX.Element {
  const [n, setN] = useState(String(props.current));
  const [busy, setBusy] = useState(false);
  const name = props.obj.metadata.name;
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    const ok = await act(`${props.kind.toLowerCase()}/${name} scaled to ${n}`, () => scale(props.kind, props.obj, Number(n)));
    setBusy(false);
    if (ok) closePanel();
  };
  return (
    <Modal title={`Scale ${props.kind.toLowerCase()}/${name}`}>
      <form onSubmit={submit} class="row">
        <label>Replicas <input data-testid="scale-input" type="number" min="0" value={n} onInput={(e) => setN(e.currentTarget.value)} onFocus={(e) => e.currentTarget.select()} autoFocus /></label>
        <button data-testid="scale-submit" type="submit" class="primary" disabled={busy || n === '' || Number(n) < 0}>Scale</button>
      </form>
    </Modal>
  );
}

export function openScale(kind: string, obj: KObject, current: number): void {
  openPanel(<ScaleDialog kind={kind} obj={obj} current={current} />);
}

function DeleteDialog(props: { kind: string; obj: KObject }): JSX.Element {
  const [busy, setBusy] = useState(false);
  const { name, namespace } = props.obj.metadata;
  const go = async () => {
    setBusy(true);
    const ok = await act(`${props.kind.toLowerCase()}/${name} deleted`, () => remove(props.kind, props.obj));
    setBusy(false);
    if (ok) closePanel();
  };
  return (
    <Modal title={`Delete ${props.kind.toLowerCase()}/${name}`}>
      <p>Delete {props.kind} <b>{name}</b>{namespace ? <> in namespace <b>{namespace}</b></> : null}? Dependents are deleted in the background.</p>
      <div class="row">
        <button data-testid="confirm-delete" class="danger" disabled={busy} onClick={go}>Delete</button>
        <button onClick={closePanel}>Cancel</button>
      </div>
    </Modal>
  );
}

export function openDelete(kind: string, obj: KObject): void {
  openPanel(<DeleteDialog kind={kind} obj={obj} />);
}

/** The buttons most rows share: edit YAML, delete. */
export function DeleteButton(props: { kind: string; obj: KObject }): JSX.Element {
  return <button data-testid="delete-button" class="small danger" title="Delete" onClick={() => openDelete(props.kind, props.obj)}>Delete</button>;
}
