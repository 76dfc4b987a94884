// The Local APIServices the apiserver registers for its own group-versions (Kubernetes'
// pkg/controlplane/apiserver/aggregator.go: apiServicesToRegister with apiVersionPriorities),
// so `kubectl get apiservices` lists `v1.apps  Local  True` as in any cluster, and discovery
// orders groups the way kubectl expects.
import { AUTOREGISTER_LABEL, type APIService } from '../../api/apiregistration.js';

interface Priority {
  group: number;
  version: number;
}

/** Kubernetes' priorities of the built-in group-versions (higher first). */
const PRIORITIES: Record<string, Priority> = {
  v1: { group: 18000, version: 1 },
  'apiregistration.k8s.io/v1': { group: 18000, version: 15 },
  'apps/v1': { group: 17800, version: 15 },
  'events.k8s.io/v1': { group: 17750, version: 15 },
  'authentication.k8s.io/v1': { group: 17700, version: 15 },
  'authorization.k8s.io/v1': { group: 17600, version: 15 },
  'autoscaling/v2': { group: 17500, version: 30 },
  'autoscaling/v1': { group: 17500, version: 15 },
  'batch/v1': { group: 17400, version: 15 },
  'certificates.k8s.io/v1': { group: 17300, version: 15 },
  'networking.k8s.io/v1': { group: 17200, version: 15 },
  'policy/v1': { group: 17100, version: 15 },
  'rbac.authorization.k8s.io/v1': { group: 17000, version: 15 },
  'storage.k8s.io/v1': { group: 16800, version: 15 },
  'apiextensions.k8s.io/v1': { group: 16700, version: 15 },
  'admissionregistration.k8s.io/v1': { group: 16700, version: 15 },
  'scheduling.k8s.io/v1': { group: 16600, version: 15 },
  'coordination.k8s.io/v1': { group: 16500, version: 15 },
  'node.k8s.io/v1': { group: 16300, version: 15 },
  'discovery.k8s.io/v1': { group: 16200, version: 15 },
  'flowcontrol.apiserver.k8s.io/v1': { group: 16100, version: 21 },
};

/** A group-version missing from the table (Kubernetes refuses to start; tskube ranks it last). */
const FALLBACK: Priority = { group: 1000, version: 15 };

export function priorityOf(group: string, version: string): Priority {
  return PRIORITIES[group === '' ? version : `${group}/${version}`] ?? FALLBACK;
}

/** The Local APIService for one built-in group-version, named `<version>.<group>` (`v1.` for core). */
export function localAPIService(group: string, version: string): APIService {
  const p = priorityOf(group, version);
  return {
    apiVersion: 'apiregistration.k8s.io/v1',
    kind: 'APIService',
    // "onstart": created at start and never deleted while the group is served, as upstream.
    metadata: { name: `${version}.${group}`, labels: { [AUTOREGISTER_LABEL]: 'onstart' } },
    spec: { group, version, groupPriorityMinimum: p.group, versionPriority: p.version },
  };
}
