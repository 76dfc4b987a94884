// Live logs: the pod's log subresource with follow=true, read as a stream through the proxy
// (the daemon passes the chunked body through), appended as it arrives.
import type { Pod } from 'kubernetes-types/core/v1';
import type { JSX } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, errorMessage, k8sFetch } from '../api.js';
import type { KObject } from '../live.js';
import { Modal } from './modal.js';

const MAX_CHARS = 1_000_000; // keep the page responsive on chatty pods

export function Logs(props: { pod: KObject }): JSX.Element {
  const pod = props.pod as KObject & Pod;
  const containers = pod.spec?.containers.map((c) => c.name) ?? [];
  const [container, setContainer] = useState(containers[0] ?? '');
  const [state, setState] = useState('connecting…');
  const pre = useRef<HTMLPreElement>(null);
  const follow = useRef(true);

  useEffect(() => {
    const ac = new AbortController();
    const el = pre.current;
    if (el) el.textContent = '';
    const run = async () => {
      const { namespace, name } = pod.metadata;
      const res = await k8sFetch(`/api/v1/namespaces/${namespace}/pods/${name}/log`, {
        query: { follow: true, tailLines: 1000, container: container || undefined }, signal: ac.signal,
      });
      setState('streaming');
      const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        if (!el) continue;
        el.append(value);
        if ((el.textContent?.length ?? 0) > MAX_CHARS) el.textContent = (el.textContent ?? '').slice(-MAX_CHARS / 2);
        if (follow.current) el.scrollTop = el.scrollHeight;
      }
      setState('ended');
    };
    // A container that has not started yet answers 400 ("waiting to start"): retry while open.
    let tries = 0;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const attempt = () => run().catch((e: unknown) => {
      if (ac.signal.aborted) return;
      setState(`error: ${errorMessage(e)}`);
      if (e instanceof ApiError && e.code === 400 && ++tries < 30) timer = setTimeout(attempt, 2000);
    });
    void attempt();
    return () => { ac.abort(); if (timer) clearTimeout(timer); };
  }, [pod.metadata.namespace, pod.metadata.name, container]);

  return (
    <Modal title={`Logs: ${pod.metadata.namespace}/${pod.metadata.name}`} wide>
      <div class="row">
        {containers.length > 1 && (
          <select data-testid="logs-container" value={container} onChange={(e) => setContainer(e.currentTarget.value)}>
            {containers.map((c) => <option key={c} value={c}>{c}</option>)}
          </select>
        )}
        <span class={`muted ${state.startsWith('error') ? 'errtext' : ''}`} data-testid="logs-state">{state}</span>
      </div>
      <pre class="logs" data-testid="logs-view" ref={pre}
        onScroll={(e) => { const t = e.currentTarget; follow.current = t.scrollTop + t.clientHeight >= t.scrollHeight - 4; }} />
    </Modal>
  );
}
