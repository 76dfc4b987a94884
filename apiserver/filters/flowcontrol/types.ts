// The flowcontrol.apiserver.k8s.io/v1 objects API Priority and Fairness is configured by
// (k8s.io/api/flowcontrol/v1): FlowSchemas classify requests into PriorityLevelConfigurations.
import type { KObject } from '../../../api/types.js';

export interface Subject {
  kind: 'User' | 'Group' | 'ServiceAccount';
  user?: { name: string };
  group?: { name: string };
  serviceAccount?: { namespace: string; name: string };
}

export interface ResourcePolicyRule {
  verbs: string[];
  apiGroups: string[];
  /** `resource` or `resource/subresource`, or `*`. */
  resources: string[];
  clusterScope?: boolean;
  /** Namespaces, or `*` for every namespace (cluster-scoped requests need clusterScope). */
  namespaces?: string[];
}

export interface NonResourcePolicyRule {
  verbs: string[];
  /** Exact paths, `/prefix/*`, or `*`. */
  nonResourceURLs: string[];
}

export interface PolicyRulesWithSubjects {
  subjects: Subject[];
  resourceRules?: ResourcePolicyRule[];
  nonResourceRules?: NonResourcePolicyRule[];
}

export interface FlowSchema extends KObject {
  metadata: NonNullable<KObject['metadata']> & { name: string; uid: string };
  spec: {
    priorityLevelConfiguration: { name: string };
    matchingPrecedence: number;
    distinguisherMethod?: { type: 'ByUser' | 'ByNamespace' };
    rules: PolicyRulesWithSubjects[];
  };
}

export interface QueuingConfiguration {
  queues: number;
  handSize: number;
  queueLengthLimit: number;
}

export interface LimitedPriorityLevelConfiguration {
  nominalConcurrencyShares: number;
  lendablePercent: number;
  limitResponse: { type: 'Queue'; queuing: QueuingConfiguration } | { type: 'Reject' };
}

export interface PriorityLevelConfiguration extends KObject {
  metadata: NonNullable<KObject['metadata']> & { name: string; uid: string };
  spec:
    | { type: 'Exempt'; exempt: { nominalConcurrencyShares: number; lendablePercent: number } }
    | { type: 'Limited'; limited: LimitedPriorityLevelConfiguration };
}
