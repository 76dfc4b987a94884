// CodeMirror 6 YAML editor. The element also carries getValue()/setValue(text) so browser
// tests (and scripts) can fill it without typing through auto-indent.
import { yaml } from '@codemirror/lang-yaml';
import { basicSetup, EditorView } from 'codemirror';
import type { JSX } from 'preact';
import { useEffect, useRef } from 'preact/hooks';

export interface EditorHandle { getValue(): string; setValue(text: string): void }

export function YamlEditor(props: { initial: string; onChange?: (text: string) => void; handle?: { current: EditorHandle | null } }): JSX.Element {
  const box = useRef<HTMLDivElement>(null);
  const onChange = useRef(props.onChange);
  onChange.current = props.onChange;
  useEffect(() => {
    const view = new EditorView({
      doc: props.initial,
      parent: box.current!,
      extensions: [basicSetup, yaml(), EditorView.updateListener.of((u) => { if (u.docChanged) onChange.current?.(u.state.doc.toString()); })],
    });
    const h: EditorHandle = {
      getValue: () => view.state.doc.toString(),
      setValue: (text) => view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: text } }),
    };
    Object.assign(box.current!, h);
    if (props.handle) props.handle.current = h;
    return () => view.destroy();
  }, []);
  return <div class="editor" data-testid="yaml-editor" ref={box} />;
}
