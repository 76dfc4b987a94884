// The strategic-merge-patch metadata of the served kinds: which lists merge, by which key,
// and which structs use `retainKeys`. It mirrors the `patchStrategy`/`patchMergeKey` struct
// tags in k8s.io/api (the only place Kubernetes keeps this knowledge), as a graph of types
// because the same struct (PodSpec, ObjectMeta, Container) appears under many paths.

export interface FieldPatchMeta {
  /** `merge`: lists merge by `mergeKey` (lists of scalars merge as sets); `replace`: the value is replaced whole. */
  strategy?: 'merge' | 'replace';
  /** The field's struct clears keys missing from a `$retainKeys` list (DeploymentSpec.strategy, volumes). */
  retainKeys?: boolean;
  mergeKey?: string;
  /** Name in TYPES of the field's struct type (of the element type for lists). */
  type?: string;
}

type StructMeta = Record<string, FieldPatchMeta>;

const mergeBy = (mergeKey: string, type?: string): FieldPatchMeta => ({ strategy: 'merge', mergeKey, ...(type ? { type } : {}) });

/** Struct name → fields that carry patch metadata or lead to structs that do. */
const TYPES: Record<string, StructMeta> = {
  ObjectMeta: {
    ownerReferences: mergeBy('uid'),
    finalizers: { strategy: 'merge' },
  },
  PodTemplateSpec: { metadata: { type: 'ObjectMeta' }, spec: { type: 'PodSpec' } },
  PodSpec: {
    volumes: { ...mergeBy('name'), retainKeys: true },
    initContainers: mergeBy('name', 'Container'),
    containers: mergeBy('name', 'Container'),
    ephemeralContainers: mergeBy('name', 'Container'),
    imagePullSecrets: mergeBy('name'),
    hostAliases: mergeBy('ip'),
    topologySpreadConstraints: mergeBy('topologyKey'),
    schedulingGates: mergeBy('name'),
    resourceClaims: { ...mergeBy('name'), retainKeys: true },
  },
  Container: {
    ports: mergeBy('containerPort'),
    env: mergeBy('name'),
    volumeMounts: mergeBy('mountPath'),
    volumeDevices: mergeBy('devicePath'),
  },
  PodStatus: {
    conditions: mergeBy('type'),
    podIPs: mergeBy('ip'),
    hostIPs: mergeBy('ip'),
    resourceClaimStatuses: { ...mergeBy('name'), retainKeys: true },
  },
  ServiceSpec: { ports: mergeBy('port') },
  NodeSpec: { podCIDRs: { strategy: 'merge' } },
  NodeStatus: { conditions: mergeBy('type'), addresses: mergeBy('type') },
  ConditionsStatus: { conditions: mergeBy('type') },
  TemplateSpec: { template: { type: 'PodTemplateSpec' } },
  DeploymentSpec: { template: { type: 'PodTemplateSpec' }, strategy: { retainKeys: true } },
  CronJobSpec: { jobTemplate: { type: 'JobTemplateSpec' } },
  JobTemplateSpec: { metadata: { type: 'ObjectMeta' }, spec: { type: 'TemplateSpec' } },
};

const objectMeta: StructMeta = { metadata: { type: 'ObjectMeta' } };

/** Kind → its top-level fields. Every kind has ObjectMeta; kinds not listed get just that. */
const KINDS: Record<string, StructMeta> = {
  Pod: { ...objectMeta, spec: { type: 'PodSpec' }, status: { type: 'PodStatus' } },
  PodTemplate: { ...objectMeta, template: { type: 'PodTemplateSpec' } },
  ReplicationController: { ...objectMeta, spec: { type: 'TemplateSpec' }, status: { type: 'ConditionsStatus' } },
  Service: { ...objectMeta, spec: { type: 'ServiceSpec' }, status: { type: 'ConditionsStatus' } },
  Node: { ...objectMeta, spec: { type: 'NodeSpec' }, status: { type: 'NodeStatus' } },
  Namespace: { ...objectMeta, status: { type: 'ConditionsStatus' } },
  PersistentVolumeClaim: { ...objectMeta, status: { type: 'ConditionsStatus' } },
  ServiceAccount: { ...objectMeta, secrets: mergeBy('name') },
  Deployment: { ...objectMeta, spec: { type: 'DeploymentSpec' }, status: { type: 'ConditionsStatus' } },
  ReplicaSet: { ...objectMeta, spec: { type: 'TemplateSpec' }, status: { type: 'ConditionsStatus' } },
  DaemonSet: { ...objectMeta, spec: { type: 'TemplateSpec' }, status: { type: 'ConditionsStatus' } },
  StatefulSet: { ...objectMeta, spec: { type: 'TemplateSpec' }, status: { type: 'ConditionsStatus' } },
  Job: { ...objectMeta, spec: { type: 'TemplateSpec' }, status: { type: 'ConditionsStatus' } },
  CronJob: { ...objectMeta, spec: { type: 'CronJobSpec' } },
  HorizontalPodAutoscaler: { ...objectMeta, status: { type: 'ConditionsStatus' } },
  PodDisruptionBudget: { ...objectMeta, status: { type: 'ConditionsStatus' } },
};

/** A position in the type graph; below a field without a struct type there is no metadata. */
export class PatchSchema {
  private constructor(private readonly struct: StructMeta | undefined) {}

  static forKind(apiVersion: string, kind: string): PatchSchema {
    // Kinds are unique across the groups we serve, so the kind alone picks the struct;
    // apiVersion is taken for the day two versions of one kind differ.
    void apiVersion;
    return new PatchSchema(KINDS[kind] ?? objectMeta);
  }

  /** Metadata of `field` and the schema of its value (of its elements, for lists). */
  lookup(field: string): { meta: FieldPatchMeta; schema: PatchSchema } {
    const fieldMeta = this.struct?.[field] ?? {};
    return { meta: fieldMeta, schema: new PatchSchema(fieldMeta.type ? TYPES[fieldMeta.type] : undefined) };
  }
}
