// Priority (Kubernetes' plugin/pkg/admission/priority/admission.go): on pod create it resolves
// spec.priorityClassName — or the global default class, or 0 — into spec.priority and
// spec.preemptionPolicy, refusing unknown classes and pods that set a different priority; on
// PriorityClass writes it keeps a single globalDefault. It also refuses deleting the system
// classes, which Kubernetes does in the PriorityClass registry (pkg/registry/scheduling/
// priorityclass/storage): here every write passes admission, so one place holds both rules.
import type { PriorityClass } from 'kubernetes-types/scheduling/v1';
import type { ResourceInfo } from '../../api/resources.js';
import { errors, type GroupResource } from '../../api/status.js';
import { isObject, type KObject } from '../../api/types.js';
import { DEFAULT_PRIORITY_WHEN_NO_DEFAULT_CLASS_EXISTS, systemPriorityClasses } from '../../api/scheduling/priority.js';
import type { AdmissionAttributes, AdmissionPlugin, Operation } from './interfaces.js';

/** Every PriorityClass now (the plugin's lister). */
export type PriorityClassLister = () => Promise<PriorityClass[]>;

const PRIORITY_CLASSES: GroupResource = { group: 'scheduling.k8s.io', resource: 'priorityclasses' };

/** The default class: with several (a race upstream also allows), the lowest value, as getDefaultPriorityClass picks. */
export function defaultPriorityClass(classes: PriorityClass[]): PriorityClass | undefined {
  let best: PriorityClass | undefined;
  for (const c of classes) if (c.globalDefault && (!best || c.value < best.value)) best = c;
  return best;
}

interface Resolved {
  className: string;
  priority: number;
  preemptionPolicy: string;
}

/** What a pod's spec resolves to; throws a 403 for an unknown class name. */
export function resolvePodPriority(spec: Record<string, unknown>, classes: PriorityClass[], podName: string): Resolved {
  const gr: GroupResource = { group: '', resource: 'pods' };
  const name = typeof spec['priorityClassName'] === 'string' ? spec['priorityClassName'] : '';
  if (!name) {
    const dpc = defaultPriorityClass(classes);
    if (!dpc) return { className: '', priority: DEFAULT_PRIORITY_WHEN_NO_DEFAULT_CLASS_EXISTS, preemptionPolicy: 'PreemptLowerPriority' };
    return { className: dpc.metadata?.name ?? '', priority: dpc.value, preemptionPolicy: dpc.preemptionPolicy ?? 'PreemptLowerPriority' };
  }
  const pc = classes.find((c) => c.metadata?.name === name);
  if (!pc) throw errors.forbidden(gr, podName, `no PriorityClass with name ${name} was found`);
  return { className: name, priority: pc.value, preemptionPolicy: pc.preemptionPolicy ?? 'PreemptLowerPriority' };
}

/** admitPod's create branch: checks what the pod set against its class, then fills the spec. */
export function admitPodCreate(pod: KObject, classes: PriorityClass[]): void {
  const spec = isObject(pod.spec) ? pod.spec : (pod.spec = {});
  const podName = pod.metadata?.name ?? '';
  const r = resolvePodPriority(spec, classes, podName);
  const gr: GroupResource = { group: '', resource: 'pods' };
  if (typeof spec['priority'] === 'number' && spec['priority'] !== r.priority)
    throw errors.forbidden(gr, podName, `the integer value of priority (${spec['priority']}) must not be provided in pod spec; priority admission controller computed ${r.priority} from the given PriorityClass name`);
  if (typeof spec['preemptionPolicy'] === 'string' && spec['preemptionPolicy'] !== r.preemptionPolicy)
    throw errors.forbidden(gr, podName, `the string value of PreemptionPolicy (${spec['preemptionPolicy']}) must not be provided in pod spec; priority admission controller computed ${r.preemptionPolicy} from the given PriorityClass name`);
  spec['priority'] = r.priority;
  spec['preemptionPolicy'] = r.preemptionPolicy;
  // The global default's name is recorded too, as upstream does.
  if (r.className) spec['priorityClassName'] = r.className;
}

/** validatePriorityClass: a second globalDefault is refused. */
export function admitPriorityClass(op: Operation, pc: PriorityClass, classes: PriorityClass[]): void {
  const name = pc.metadata?.name ?? '';
  if (op === 'DELETE') {
    if (systemPriorityClasses().some((s) => s.metadata?.name === name))
      throw errors.forbidden(PRIORITY_CLASSES, name, 'this is a system priority class and cannot be deleted');
    return;
  }
  if (!pc.globalDefault) return;
  const dpc = defaultPriorityClass(classes);
  if (dpc && (op === 'CREATE' || dpc.metadata?.name !== name))
    throw errors.forbidden(PRIORITY_CLASSES, name, `PriorityClass ${dpc.metadata?.name ?? ''} is already marked as default. Only one default can exist`);
}

export class PriorityAdmission implements AdmissionPlugin {
  constructor(private readonly list: PriorityClassLister) {}

  async admit(op: Operation, info: ResourceInfo, obj: KObject, _old: KObject | undefined, attrs: AdmissionAttributes): Promise<void> {
    if (attrs.subresource) return;
    if (info.group === '' && info.resource === 'pods') {
      // Updates keep the create-time priority: the pod strategy's prepareForUpdate
      // (apiserver/registry/strategy.ts) does that, before validation.
      if (op === 'CREATE') admitPodCreate(obj, await this.list());
      return;
    }
    if (info.group === 'scheduling.k8s.io' && info.resource === 'priorityclasses')
      admitPriorityClass(op, obj as unknown as PriorityClass, op === 'DELETE' ? [] : await this.list());
  }
}
