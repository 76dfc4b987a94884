// The bootstrap configuration Kubernetes' apiserver creates at start
// (k8s.io/apiserver/pkg/apis/flowcontrol/bootstrap): the mandatory exempt and catch-all
// levels and schemas plus the suggested ones for nodes, leader election, controllers and
// service accounts. Same names, precedences, shares and queue shapes as upstream, so
// `kubectl get flowschemas` and the X-Kubernetes-PF-* headers read as in a real cluster.
import { createHash } from 'node:crypto';
import { KUBE_CONTROLLER_MANAGER_USER, KUBE_SCHEDULER_USER, NODES_GROUP, SERVICE_ACCOUNTS_GROUP, SYSTEM_AUTHENTICATED, SYSTEM_MASTERS, SYSTEM_UNAUTHENTICATED } from '../../../api/user.js';
import type { FlowSchema, PolicyRulesWithSubjects, PriorityLevelConfiguration, QueuingConfiguration, ResourcePolicyRule, Subject } from './types.js';

const API_VERSION = 'flowcontrol.apiserver.k8s.io/v1';

/** A stable UID per object: every apiserver of a cluster sends the same header values. */
function uidOf(kind: string, name: string): string {
  const h = createHash('sha1').update(`${kind}/${name}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

function meta(kind: string, name: string, mandatory: boolean): FlowSchema['metadata'] {
  const labels: Record<string, string> = mandatory ? { 'apf.kubernetes.io/mandatory': 'true' } : {};
  return {
    name,
    uid: uidOf(kind, name),
    creationTimestamp: '1970-01-01T00:00:00Z',
    generation: 1,
    annotations: { 'apf.kubernetes.io/autoupdate-spec': 'true' },
    labels,
  };
}

function queuing(name: string, shares: number, lendablePercent: number, q: QueuingConfiguration): PriorityLevelConfiguration {
  return {
    apiVersion: API_VERSION,
    kind: 'PriorityLevelConfiguration',
    metadata: meta('PriorityLevelConfiguration', name, false),
    spec: { type: 'Limited', limited: { nominalConcurrencyShares: shares, lendablePercent, limitResponse: { type: 'Queue', queuing: q } } },
  };
}

export const PRIORITY_LEVELS: readonly PriorityLevelConfiguration[] = [
  { apiVersion: API_VERSION, kind: 'PriorityLevelConfiguration', metadata: meta('PriorityLevelConfiguration', 'exempt', true), spec: { type: 'Exempt', exempt: { nominalConcurrencyShares: 0, lendablePercent: 0 } } },
  queuing('system', 30, 33, { queues: 64, handSize: 6, queueLengthLimit: 50 }),
  queuing('node-high', 40, 25, { queues: 64, handSize: 6, queueLengthLimit: 50 }),
  queuing('leader-election', 10, 0, { queues: 16, handSize: 4, queueLengthLimit: 50 }),
  queuing('workload-high', 40, 50, { queues: 128, handSize: 6, queueLengthLimit: 50 }),
  queuing('workload-low', 100, 90, { queues: 128, handSize: 6, queueLengthLimit: 50 }),
  queuing('global-default', 20, 50, { queues: 128, handSize: 6, queueLengthLimit: 50 }),
  {
    apiVersion: API_VERSION,
    kind: 'PriorityLevelConfiguration',
    metadata: meta('PriorityLevelConfiguration', 'catch-all', true),
    spec: { type: 'Limited', limited: { nominalConcurrencyShares: 5, lendablePercent: 0, limitResponse: { type: 'Reject' } } },
  },
];

const user = (name: string): Subject => ({ kind: 'User', user: { name } });
const group = (name: string): Subject => ({ kind: 'Group', group: { name } });
const serviceAccount = (namespace: string, name: string): Subject => ({ kind: 'ServiceAccount', serviceAccount: { namespace, name } });
const everyResource: ResourcePolicyRule = { verbs: ['*'], apiGroups: ['*'], resources: ['*'], clusterScope: true, namespaces: ['*'] };
const everything = (subjects: Subject[]): PolicyRulesWithSubjects => ({ subjects, resourceRules: [everyResource], nonResourceRules: [{ verbs: ['*'], nonResourceURLs: ['*'] }] });
const leases = (verbs: string[], namespaces: string[]): ResourcePolicyRule => ({ verbs, apiGroups: ['coordination.k8s.io'], resources: ['leases'], namespaces });

function schema(name: string, level: string, precedence: number, distinguisher: 'ByUser' | 'ByNamespace' | undefined, rules: PolicyRulesWithSubjects[], mandatory = false): FlowSchema {
  return {
    apiVersion: API_VERSION,
    kind: 'FlowSchema',
    metadata: meta('FlowSchema', name, mandatory),
    spec: { priorityLevelConfiguration: { name: level }, matchingPrecedence: precedence, ...(distinguisher ? { distinguisherMethod: { type: distinguisher } } : {}), rules },
  };
}

const kubeSystemSAs = serviceAccount('kube-system', '*');
const anyone = [group(SYSTEM_AUTHENTICATED), group(SYSTEM_UNAUTHENTICATED)];

/** In matching order (precedence, then name), as the apiserver evaluates them. */
export const FLOW_SCHEMAS: readonly FlowSchema[] = [
  schema('exempt', 'exempt', 1, undefined, [everything([group(SYSTEM_MASTERS)])], true),
  schema('probes', 'exempt', 2, undefined, [{ subjects: anyone, nonResourceRules: [{ verbs: ['get'], nonResourceURLs: ['/healthz', '/readyz', '/livez'] }] }]),
  schema('system-leader-election', 'leader-election', 100, 'ByUser', [
    { subjects: [user(KUBE_CONTROLLER_MANAGER_USER), user(KUBE_SCHEDULER_USER)], resourceRules: [leases(['get', 'create', 'update'], ['kube-system'])] },
  ]),
  schema('endpoint-controller', 'workload-high', 150, 'ByUser', [
    { subjects: [user(KUBE_CONTROLLER_MANAGER_USER), serviceAccount('kube-system', 'endpoint-controller')], resourceRules: [{ verbs: ['get', 'create', 'update'], apiGroups: [''], resources: ['endpoints'], namespaces: ['*'] }] },
  ]),
  schema('workload-leader-election', 'leader-election', 200, 'ByUser', [{ subjects: [kubeSystemSAs], resourceRules: [leases(['get', 'create', 'update'], ['*'])] }]),
  schema('system-node-high', 'node-high', 400, 'ByUser', [
    {
      subjects: [group(NODES_GROUP)],
      resourceRules: [
        { verbs: ['*'], apiGroups: [''], resources: ['nodes', 'nodes/status'], clusterScope: true },
        { verbs: ['*'], apiGroups: ['coordination.k8s.io'], resources: ['leases'], namespaces: ['*'] },
      ],
    },
  ]),
  schema('system-nodes', 'system', 500, 'ByUser', [everything([group(NODES_GROUP)])]),
  schema('kube-controller-manager', 'workload-high', 800, 'ByNamespace', [everything([user(KUBE_CONTROLLER_MANAGER_USER)])]),
  schema('kube-scheduler', 'workload-high', 800, 'ByNamespace', [everything([user(KUBE_SCHEDULER_USER)])]),
  schema('kube-system-service-accounts', 'workload-high', 900, 'ByNamespace', [everything([kubeSystemSAs])]),
  schema('service-accounts', 'workload-low', 9000, 'ByUser', [everything([group(SERVICE_ACCOUNTS_GROUP)])]),
  schema('global-default', 'global-default', 9900, 'ByUser', [everything(anyone)]),
  schema('catch-all', 'catch-all', 10000, 'ByUser', [everything(anyone)], true),
];
