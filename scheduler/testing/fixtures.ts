// Small builders for scheduler unit tests: nodes and pods as the plugins see them.
import type { Node, Pod, Taint } from 'kubernetes-types/core/v1';
import type { NodeInfoLister, Handle } from '../framework/interface.js';
import { NodeInfo, newPodInfo, type PodInfo } from '../framework/types.js';
import { SchedulerCache } from '../cache.js';

export interface NodeSpec {
  name: string;
  cpu?: string;
  memory?: string;
  pods?: string;
  labels?: Record<string, string>;
  taints?: Taint[];
  unschedulable?: boolean;
  ready?: 'True' | 'False' | 'Unknown' | 'missing';
}

export function makeNode(s: NodeSpec): Node {
  const capacity = { cpu: s.cpu ?? '4', memory: s.memory ?? '8Gi', pods: s.pods ?? '110' };
  return {
    metadata: { name: s.name, labels: { 'kubernetes.io/hostname': s.name, ...s.labels } },
    spec: { ...(s.taints ? { taints: s.taints } : {}), ...(s.unschedulable ? { unschedulable: true } : {}) },
    status: {
      capacity,
      allocatable: capacity,
      conditions: s.ready === 'missing' ? [] : [{ type: 'Ready', status: s.ready ?? 'True' }],
    },
  };
}

export interface PodSpecLite {
  name?: string;
  namespace?: string;
  uid?: string;
  cpu?: string;
  memory?: string;
  labels?: Record<string, string>;
  owner?: string;
  spec?: Partial<NonNullable<Pod['spec']>>;
  hostPort?: number;
  priority?: number;
}

let seq = 0;

export function makePod(s: PodSpecLite = {}): PodInfo {
  const name = s.name ?? `pod-${++seq}`;
  const requests: Record<string, string> = {};
  if (s.cpu) requests.cpu = s.cpu;
  if (s.memory) requests.memory = s.memory;
  const pod: Pod = {
    metadata: {
      name,
      namespace: s.namespace ?? 'default',
      uid: s.uid ?? `uid-${name}`,
      labels: s.labels ?? {},
      ...(s.owner ? { ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'rs', uid: s.owner, controller: true }] } : {}),
    },
    spec: {
      containers: [{ name: 'c', image: 'busybox', resources: { requests }, ...(s.hostPort ? { ports: [{ containerPort: 80, hostPort: s.hostPort }] } : {}) }],
      ...(s.priority !== undefined ? { priority: s.priority } : {}),
      ...s.spec,
    },
  };
  return newPodInfo(pod);
}

/** A NodeInfo with pods already on it. */
export function nodeInfo(s: NodeSpec, pods: PodInfo[] = []): NodeInfo {
  const n = new NodeInfo(s.name, makeNode(s));
  for (const p of pods) n.addPod(p);
  return n;
}

/** A cache holding the given nodes and the pods bound to them, and a plugin Handle over it. */
export function clusterOf(nodes: Array<{ node: NodeSpec; pods?: PodInfo[] }>): { cache: SchedulerCache; handle: Handle; lister: NodeInfoLister } {
  const cache = new SchedulerCache();
  for (const { node, pods } of nodes) {
    cache.addNode(makeNode(node));
    for (const p of pods ?? []) cache.addPod(p, node.name);
  }
  return { cache, handle: { nodes: cache }, lister: cache };
}
