// The Kubernetes protobuf messages kubectl's generator commands send (`kubectl create
// deployment|namespace|configmap|secret|service|serviceaccount|job|cronjob|role|clusterrole|
// rolebinding|clusterrolebinding|quota|priorityclass|token`, `kubectl autoscale`, `kubectl auth can-i|whoami`), as field number →
// JSON name and type. The numbers are
// those of k8s.io/api's generated.proto files, checked against what kubectl 1.32 sends. A field
// not listed here is refused by the decoder (415), never dropped: the table is deliberately the
// generators' subset, not the whole API.
//
// Types: string | bytes (→ base64) | int32 | int64 | bool | time | quantity | intOrString |
// map (string → string) | mapBytes (string → base64) | mapQuantity, or `.Name` for a message.
// Flags: 'r' repeated, 'p' pointer in Go (present means set, so a zero value is kept), 's' skipped
// (status: the apiserver resets it on create anyway).

export type FieldSpec = readonly [name: string, type?: string, flags?: string];
export type MessageSpec = Readonly<Record<number, FieldSpec>>;

export const MESSAGES: Readonly<Record<string, MessageSpec>> = {
  // meta/v1
  ObjectMeta: {
    1: ['name'],
    2: ['generateName'],
    3: ['namespace'],
    4: ['selfLink'],
    5: ['uid'],
    6: ['resourceVersion'],
    7: ['generation', 'int64'],
    8: ['creationTimestamp', 'time'],
    9: ['deletionTimestamp', 'time'],
    10: ['deletionGracePeriodSeconds', 'int64', 'p'],
    11: ['labels', 'map'],
    12: ['annotations', 'map'],
    13: ['ownerReferences', '.OwnerReference', 'r'],
    14: ['finalizers', 'string', 'r'],
  },
  OwnerReference: {
    1: ['kind'],
    3: ['name'],
    4: ['uid'],
    5: ['apiVersion'],
    6: ['controller', 'bool', 'p'],
    7: ['blockOwnerDeletion', 'bool', 'p'],
  },
  LabelSelector: { 1: ['matchLabels', 'map'], 2: ['matchExpressions', '.LabelSelectorRequirement', 'r'] },
  LabelSelectorRequirement: { 1: ['key'], 2: ['operator'], 3: ['values', 'string', 'r'] },

  // core/v1
  Namespace: { 1: ['metadata', '.ObjectMeta'], 2: ['spec', '.NamespaceSpec'], 3: ['status', '', 's'] },
  NamespaceSpec: { 1: ['finalizers', 'string', 'r'] },
  ConfigMap: { 1: ['metadata', '.ObjectMeta'], 2: ['data', 'map'], 3: ['binaryData', 'mapBytes'], 4: ['immutable', 'bool', 'p'] },
  Secret: { 1: ['metadata', '.ObjectMeta'], 2: ['data', 'mapBytes'], 3: ['type'], 4: ['stringData', 'map'], 5: ['immutable', 'bool', 'p'] },
  ServiceAccount: { 1: ['metadata', '.ObjectMeta'] },
  Service: { 1: ['metadata', '.ObjectMeta'], 2: ['spec', '.ServiceSpec'], 3: ['status', '', 's'] },
  ServiceSpec: {
    1: ['ports', '.ServicePort', 'r'],
    2: ['selector', 'map'],
    3: ['clusterIP'],
    4: ['type'],
    7: ['sessionAffinity'],
    8: ['loadBalancerIP'],
    10: ['externalName'],
    11: ['externalTrafficPolicy'],
    12: ['healthCheckNodePort', 'int32'],
    13: ['publishNotReadyAddresses', 'bool'],
  },
  ServicePort: { 1: ['name'], 2: ['protocol'], 3: ['port', 'int32'], 4: ['targetPort', 'intOrString'], 5: ['nodePort', 'int32'] },
  ResourceQuota: { 1: ['metadata', '.ObjectMeta'], 2: ['spec', '.ResourceQuotaSpec'], 3: ['status', '', 's'] },
  ResourceQuotaSpec: { 1: ['hard', 'mapQuantity'], 2: ['scopes', 'string', 'r'] },
  PodTemplateSpec: { 1: ['metadata', '.ObjectMeta'], 2: ['spec', '.PodSpec'] },
  PodSpec: {
    2: ['containers', '.Container', 'r'],
    3: ['restartPolicy'],
    4: ['terminationGracePeriodSeconds', 'int64', 'p'],
    6: ['dnsPolicy'],
    8: ['serviceAccountName'],
    9: ['serviceAccount'],
    10: ['nodeName'],
    11: ['hostNetwork', 'bool'],
    12: ['hostPID', 'bool'],
    13: ['hostIPC', 'bool'],
    14: ['securityContext', '.PodSecurityContext', 'p'],
    16: ['hostname'],
    17: ['subdomain'],
    19: ['schedulerName'],
    24: ['priorityClassName'],
  },
  // Only ever seen empty (a defaulted template copied by `create job --from`).
  PodSecurityContext: {},
  Container: {
    1: ['name'],
    2: ['image'],
    3: ['command', 'string', 'r'],
    4: ['args', 'string', 'r'],
    5: ['workingDir'],
    6: ['ports', '.ContainerPort', 'r'],
    7: ['env', '.EnvVar', 'r'],
    8: ['resources', '.ResourceRequirements'],
    13: ['terminationMessagePath'],
    14: ['imagePullPolicy'],
    16: ['stdin', 'bool'],
    17: ['stdinOnce', 'bool'],
    18: ['tty', 'bool'],
    20: ['terminationMessagePolicy'],
  },
  ContainerPort: { 1: ['name'], 2: ['hostPort', 'int32'], 3: ['containerPort', 'int32'], 4: ['protocol'], 5: ['hostIP'] },
  EnvVar: { 1: ['name'], 2: ['value'] },
  ResourceRequirements: { 1: ['limits', 'mapQuantity'], 2: ['requests', 'mapQuantity'] },

  // apps/v1
  Deployment: { 1: ['metadata', '.ObjectMeta'], 2: ['spec', '.DeploymentSpec'], 3: ['status', '', 's'] },
  DeploymentSpec: {
    1: ['replicas', 'int32', 'p'],
    2: ['selector', '.LabelSelector'],
    3: ['template', '.PodTemplateSpec'],
    4: ['strategy', '.DeploymentStrategy'],
    5: ['minReadySeconds', 'int32'],
    6: ['revisionHistoryLimit', 'int32', 'p'],
    7: ['paused', 'bool'],
    9: ['progressDeadlineSeconds', 'int32', 'p'],
  },
  DeploymentStrategy: { 1: ['type'] },

  // batch/v1
  Job: { 1: ['metadata', '.ObjectMeta'], 2: ['spec', '.JobSpec'], 3: ['status', '', 's'] },
  JobSpec: {
    1: ['parallelism', 'int32', 'p'],
    2: ['completions', 'int32', 'p'],
    3: ['activeDeadlineSeconds', 'int64', 'p'],
    4: ['selector', '.LabelSelector', 'p'],
    5: ['manualSelector', 'bool', 'p'],
    6: ['template', '.PodTemplateSpec'],
    7: ['backoffLimit', 'int32', 'p'],
    8: ['ttlSecondsAfterFinished', 'int32', 'p'],
    9: ['completionMode', 'string', 'p'],
    10: ['suspend', 'bool', 'p'],
    14: ['podReplacementPolicy', 'string', 'p'],
  },
  CronJob: { 1: ['metadata', '.ObjectMeta'], 2: ['spec', '.CronJobSpec'], 3: ['status', '', 's'] },
  CronJobSpec: { 1: ['schedule'], 3: ['concurrencyPolicy'], 5: ['jobTemplate', '.JobTemplateSpec'] },
  JobTemplateSpec: { 1: ['metadata', '.ObjectMeta'], 2: ['spec', '.JobSpec'] },

  // autoscaling/v1 (`kubectl autoscale`)
  HorizontalPodAutoscaler: { 1: ['metadata', '.ObjectMeta'], 2: ['spec', '.HorizontalPodAutoscalerSpec'], 3: ['status', '', 's'] },
  HorizontalPodAutoscalerSpec: {
    1: ['scaleTargetRef', '.CrossVersionObjectReference'],
    2: ['minReplicas', 'int32', 'p'],
    3: ['maxReplicas', 'int32'],
    4: ['targetCPUUtilizationPercentage', 'int32', 'p'],
  },
  CrossVersionObjectReference: { 1: ['kind'], 2: ['name'], 3: ['apiVersion'] },

  // rbac.authorization.k8s.io/v1
  Role: { 1: ['metadata', '.ObjectMeta'], 2: ['rules', '.PolicyRule', 'r'] },
  ClusterRole: { 1: ['metadata', '.ObjectMeta'], 2: ['rules', '.PolicyRule', 'r'] },
  PolicyRule: {
    1: ['verbs', 'string', 'r'],
    2: ['apiGroups', 'string', 'r'],
    3: ['resources', 'string', 'r'],
    4: ['resourceNames', 'string', 'r'],
    5: ['nonResourceURLs', 'string', 'r'],
  },
  RoleBinding: { 1: ['metadata', '.ObjectMeta'], 2: ['subjects', '.Subject', 'r'], 3: ['roleRef', '.RoleRef'] },
  ClusterRoleBinding: { 1: ['metadata', '.ObjectMeta'], 2: ['subjects', '.Subject', 'r'], 3: ['roleRef', '.RoleRef'] },
  Subject: { 1: ['kind'], 2: ['apiGroup'], 3: ['name'], 4: ['namespace'] },
  RoleRef: { 1: ['apiGroup'], 2: ['kind'], 3: ['name'] },

  // scheduling.k8s.io/v1 (`kubectl create priorityclass`); gogo always writes the non-pointer
  // value, so 'p' keeps a value of 0.
  PriorityClass: { 1: ['metadata', '.ObjectMeta'], 2: ['value', 'int32', 'p'], 3: ['globalDefault', 'bool'], 4: ['description'], 5: ['preemptionPolicy', 'string', 'p'] },

  // authentication.k8s.io/v1 (`kubectl auth whoami`, `kubectl create token`)
  SelfSubjectReview: { 1: ['metadata', '.ObjectMeta'], 2: ['status', '', 's'] },
  TokenRequest: { 1: ['metadata', '.ObjectMeta'], 2: ['spec', '.TokenRequestSpec'], 3: ['status', '', 's'] },
  TokenRequestSpec: { 1: ['audiences', 'string', 'r'], 3: ['boundObjectRef', '.BoundObjectReference', 'p'], 4: ['expirationSeconds', 'int64', 'p'] },
  BoundObjectReference: { 1: ['kind'], 2: ['apiVersion'], 3: ['name'], 4: ['uid'] },
  TokenReview: { 1: ['metadata', '.ObjectMeta'], 2: ['spec', '.TokenReviewSpec'], 3: ['status', '', 's'] },
  TokenReviewSpec: { 1: ['token'], 2: ['audiences', 'string', 'r'] },

  // authorization.k8s.io/v1 (`kubectl auth can-i [--list]`)
  SelfSubjectAccessReview: { 1: ['metadata', '.ObjectMeta'], 2: ['spec', '.SelfSubjectAccessReviewSpec'], 3: ['status', '', 's'] },
  SelfSubjectAccessReviewSpec: { 1: ['resourceAttributes', '.ResourceAttributes', 'p'], 2: ['nonResourceAttributes', '.NonResourceAttributes', 'p'] },
  ResourceAttributes: { 1: ['namespace'], 2: ['verb'], 3: ['group'], 4: ['version'], 5: ['resource'], 6: ['subresource'], 7: ['name'] },
  NonResourceAttributes: { 1: ['path'], 2: ['verb'] },
  SelfSubjectRulesReview: { 1: ['metadata', '.ObjectMeta'], 2: ['spec', '.SelfSubjectRulesReviewSpec'], 3: ['status', '', 's'] },
  SelfSubjectRulesReviewSpec: { 1: ['namespace'] },
  SubjectAccessReview: { 1: ['metadata', '.ObjectMeta'], 2: ['spec', '.SubjectAccessReviewSpec'], 3: ['status', '', 's'] },
  LocalSubjectAccessReview: { 1: ['metadata', '.ObjectMeta'], 2: ['spec', '.SubjectAccessReviewSpec'], 3: ['status', '', 's'] },
  SubjectAccessReviewSpec: {
    1: ['resourceAttributes', '.ResourceAttributes', 'p'],
    2: ['nonResourceAttributes', '.NonResourceAttributes', 'p'],
    3: ['user'],
    4: ['groups', 'string', 'r'],
    6: ['uid'],
  },
};

/** apiVersion/kind → the root message; kinds kubectl's generators make that tskube serves. */
export const ROOTS: Readonly<Record<string, string>> = {
  'v1/Namespace': 'Namespace',
  'v1/ConfigMap': 'ConfigMap',
  'v1/Secret': 'Secret',
  'v1/Service': 'Service',
  'v1/ServiceAccount': 'ServiceAccount',
  'v1/ResourceQuota': 'ResourceQuota',
  'apps/v1/Deployment': 'Deployment',
  'batch/v1/Job': 'Job',
  'batch/v1/CronJob': 'CronJob',
  'autoscaling/v1/HorizontalPodAutoscaler': 'HorizontalPodAutoscaler',
  'rbac.authorization.k8s.io/v1/Role': 'Role',
  'rbac.authorization.k8s.io/v1/ClusterRole': 'ClusterRole',
  'rbac.authorization.k8s.io/v1/RoleBinding': 'RoleBinding',
  'rbac.authorization.k8s.io/v1/ClusterRoleBinding': 'ClusterRoleBinding',
  'scheduling.k8s.io/v1/PriorityClass': 'PriorityClass',
  'authentication.k8s.io/v1/SelfSubjectReview': 'SelfSubjectReview',
  'authentication.k8s.io/v1/TokenRequest': 'TokenRequest',
  'authentication.k8s.io/v1/TokenReview': 'TokenReview',
  'authorization.k8s.io/v1/SelfSubjectAccessReview': 'SelfSubjectAccessReview',
  'authorization.k8s.io/v1/SelfSubjectRulesReview': 'SelfSubjectRulesReview',
  'authorization.k8s.io/v1/SubjectAccessReview': 'SubjectAccessReview',
  'authorization.k8s.io/v1/LocalSubjectAccessReview': 'LocalSubjectAccessReview',
};
