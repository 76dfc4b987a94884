// Which pod and container a logs/exec/port-forward command means: `POD`, `pod/POD`, or a
// workload (`deploy/web`, `svc/web`…) whose selector picks one, and the default container.
import type { Pod } from 'kubernetes-types/core/v1';
import { labelSelectorFromObject, selectorFromSet } from '../api/labels.js';
import type { KObject } from '../api/types.js';
import { CliError } from './errors.js';
import type { Factory } from './factory.js';
import { listAll } from './fetch.js';
import { write } from './io.js';
import { resolveType } from './resource-args.js';

/** Running before others, ready before not, newer before older: the pod kubectl would pick. */
export function pickPod(pods: Pod[]): Pod | undefined {
  const rank = (p: Pod): number[] => [
    p.spec?.nodeName ? 0 : 1,
    p.status?.phase === 'Running' ? 0 : p.status?.phase === 'Pending' ? 1 : 2,
    p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ? 0 : 1,
  ];
  return [...pods].sort((a, b) => {
    const ra = rank(a);
    const rb = rank(b);
    for (let i = 0; i < ra.length; i++) if (ra[i] !== rb[i]) return ra[i]! - rb[i]!;
    return String(b.metadata?.creationTimestamp).localeCompare(String(a.metadata?.creationTimestamp));
  })[0];
}

export async function resolvePod(f: Factory, arg: string): Promise<Pod> {
  const pods = resolveType('pods');
  const slash = arg.indexOf('/');
  if (slash < 0) return (await f.resource(pods, f.namespace).get(arg)) as unknown as Pod;
  const info = resolveType(arg.slice(0, slash));
  const name = arg.slice(slash + 1);
  if (info.resource === 'pods') return (await f.resource(pods, f.namespace).get(name)) as unknown as Pod;
  const obj = (await f.resource(info, f.namespace).get(name)) as KObject & { spec?: { selector?: unknown } };
  const raw = obj.spec?.selector;
  let selector: string;
  if (info.resource === 'services' || info.resource === 'replicationcontrollers') selector = selectorFromSet(raw as Record<string, string>).toString();
  else if (raw) selector = labelSelectorFromObject(raw as never).toString();
  else throw new CliError(`cannot attach to ${info.kind}: selector not implemented`);
  const { items } = await listAll(f.client, pods, f.namespace, { labelSelector: selector });
  const pod = pickPod(items as unknown as Pod[]);
  if (!pod) throw new CliError(`timed out waiting for the condition`);
  return pod;
}

/** -c, else the default-container annotation, else the first (saying so when there were several). */
export async function pickContainer(f: Factory, pod: Pod, requested: string | undefined): Promise<string> {
  const names = (pod.spec?.containers ?? []).map((c) => c.name);
  if (requested) {
    const all = [...names, ...(pod.spec?.initContainers ?? []).map((c) => c.name), ...(pod.spec?.ephemeralContainers ?? []).map((c) => c.name)];
    if (!all.includes(requested)) throw new CliError(`container ${requested} is not valid for pod ${pod.metadata?.name}`);
    return requested;
  }
  const annotated = pod.metadata?.annotations?.['kubectl.kubernetes.io/default-container'];
  if (annotated && names.includes(annotated)) return annotated;
  if (names.length > 1) await write(f.io.stderr, `Defaulted container "${names[0]}" out of: ${names.join(', ')}\n`);
  return names[0] ?? '';
}
