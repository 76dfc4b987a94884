// `kubectl rollout undo` for a Deployment, the pure part: among the ReplicaSets the Deployment
// controls, the one with the highest revision below the Deployment's current revision, and its
// pod template without the pod-template-hash label (as kubectl's DeploymentRollbacker).
import type { KObject } from './types.js';

export const REVISION = 'deployment.kubernetes.io/revision';

interface Meta { uid?: string; annotations?: Record<string, string>; ownerReferences?: Array<{ uid: string; controller?: boolean }> }
export interface RSLike { metadata: Meta; spec?: { template?: { metadata?: { labels?: Record<string, string>; [k: string]: unknown }; [k: string]: unknown } } }

const rev = (m: Meta) => Number(m.annotations?.[REVISION] ?? 0);

export function previousTemplate(dep: KObject, replicaSets: RSLike[]): { revision: number; template: NonNullable<NonNullable<RSLike['spec']>['template']> } | null {
  const current = rev(dep.metadata as Meta);
  const mine = replicaSets.filter((rs) => rs.metadata.ownerReferences?.some((r) => r.controller && r.uid === dep.metadata.uid));
  const prev = mine.filter((rs) => rev(rs.metadata) < current).sort((a, b) => rev(b.metadata) - rev(a.metadata))[0];
  if (!prev?.spec?.template) return null;
  const template = structuredClone(prev.spec.template);
  if (template.metadata?.labels) delete template.metadata.labels['pod-template-hash'];
  return { revision: rev(prev.metadata), template };
}
