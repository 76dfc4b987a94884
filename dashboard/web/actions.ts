// The write actions, each one request (or the few kubectl sends) as the logged-in user, so RBAC
// decides: scale via the scale subresource, rollout restart/undo as kubectl does, delete,
// cordon/uncordon, drain (cordon + evictions).
import { ApiError, k8s } from './api.js';
import type { KObject } from './live.js';
import { pathOf } from './resources.js';
import { previousTemplate, type RSLike } from './rollout.js';

const MERGE = 'application/merge-patch+json';
const JSON_PATCH = 'application/json-patch+json';

/** PATCH …/scale as `kubectl scale` does (merge patch of spec.replicas on the subresource). */
export async function scale(kind: string, o: KObject, replicas: number): Promise<void> {
  await k8s(`${pathOf(kind, o)}/scale`, { method: 'PATCH', contentType: MERGE, body: { spec: { replicas } } });
}

/** `kubectl rollout restart`: stamp the pod template so the controller rolls every pod. */
export async function rolloutRestart(kind: string, o: KObject): Promise<void> {
  const body = { spec: { template: { metadata: { annotations: { 'kubectl.kubernetes.io/restartedAt': new Date().toISOString() } } } } };
  await k8s(pathOf(kind, o), { method: 'PATCH', contentType: MERGE, body });
}

/**
 * `kubectl rollout undo deployment/x` (to the previous revision): replace the Deployment's pod
 * template by the previous ReplicaSet's with a JSON patch, as kubectl's DeploymentRollbacker.
 */
export async function rolloutUndo(dep: KObject): Promise<string> {
  const ns = dep.metadata.namespace ?? 'default';
  const list = await k8s<{ items: RSLike[] }>(`/apis/apps/v1/namespaces/${ns}/replicasets`);
  const prev = previousTemplate(dep, list.items);
  if (!prev) throw new Error(`no rollout history found for deployment "${dep.metadata.name}" (no earlier revision)`);
  await k8s(pathOf('Deployment', dep), {
    method: 'PATCH', contentType: JSON_PATCH,
    body: [{ op: 'replace', path: '/spec/template', value: prev.template }],
  });
  return `deployment/${dep.metadata.name} rolled back to revision ${prev.revision}`;
}

export async function remove(kind: string, o: KObject): Promise<void> {
  await k8s(pathOf(kind, o), {
    method: 'DELETE', body: { kind: 'DeleteOptions', apiVersion: 'v1', propagationPolicy: 'Background' },
  });
}

export async function cordon(node: KObject, unschedulable: boolean): Promise<void> {
  await k8s(pathOf('Node', node), { method: 'PATCH', contentType: MERGE, body: { spec: { unschedulable } } });
}

interface PodRef { metadata: { name: string; namespace: string; annotations?: Record<string, string>; ownerReferences?: Array<{ kind: string; controller?: boolean }> }; status?: { phase?: string } }

/**
 * `kubectl drain`: cordon, then evict every pod on the node except DaemonSet-managed and
 * mirror (static) pods and finished pods. An eviction refused by a PodDisruptionBudget (429)
 * is retried a few times, then reported.
 */
export async function drain(node: KObject, progress: (msg: string) => void): Promise<void> {
  const name = node.metadata.name ?? '';
  await cordon(node, true);
  progress(`node/${name} cordoned`);
  const pods = await k8s<{ items: PodRef[] }>(`/api/v1/pods`, { query: { fieldSelector: `spec.nodeName=${name}` } });
  const victims = pods.items.filter((p) =>
    !p.metadata.ownerReferences?.some((r) => r.controller && r.kind === 'DaemonSet') &&
    !p.metadata.annotations?.['kubernetes.io/config.mirror'] &&
    p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed');
  const failures: string[] = [];
  for (const p of victims) {
    const body = { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name: p.metadata.name, namespace: p.metadata.namespace } };
    for (let attempt = 0; ; attempt++) {
      try {
        await k8s(`/api/v1/namespaces/${p.metadata.namespace}/pods/${p.metadata.name}/eviction`, { method: 'POST', body });
        progress(`evicting pod ${p.metadata.namespace}/${p.metadata.name}`);
        break;
      } catch (e) {
        if (e instanceof ApiError && e.code === 404) break;
        if (e instanceof ApiError && e.code === 429 && attempt < 5) { await new Promise((r) => setTimeout(r, 2000)); continue; }
        failures.push(`${p.metadata.namespace}/${p.metadata.name}: ${e instanceof Error ? e.message : String(e)}`);
        break;
      }
    }
  }
  if (failures.length) throw new Error(`drain of node/${name} incomplete: ${failures.join('; ')}`);
  progress(`node/${name} drained`);
}
