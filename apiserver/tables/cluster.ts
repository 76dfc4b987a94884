// Table printers for the core and cluster kinds: Services, Endpoints, EndpointSlices, Nodes,
// Namespaces, ConfigMaps, Secrets, ServiceAccounts, Events, PVs, PVCs, ResourceQuotas,
// Leases, StorageClasses and RBAC bindings.
import type {
  Service,
  Endpoints,
  Node,
  Namespace,
  ConfigMap,
  Secret,
  ServiceAccount,
  Event,
  PersistentVolume,
  PersistentVolumeClaim,
  ResourceQuota,
} from 'kubernetes-types/core/v1';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1';
import type { Lease } from 'kubernetes-types/coordination/v1';
import type { StorageClass } from 'kubernetes-types/storage/v1';
import type { RoleBinding, Subject } from 'kubernetes-types/rbac/v1';
import { column, printer, since, formatLabels, accessModesString, listWithMore, NAME_COLUMN, AGE_COLUMN, objectName as name, objectAge as age, type TablePrinter } from './format.js';


function serviceExternalIP(o: Service): string {
  const external = o.spec?.externalIPs ?? [];
  switch (o.spec?.type ?? 'ClusterIP') {
    case 'ClusterIP':
    case 'NodePort':
      return external.length ? external.join(',') : '<none>';
    case 'LoadBalancer': {
      const lb = [...new Set((o.status?.loadBalancer?.ingress ?? []).map((i) => i.ip || i.hostname || '').filter(Boolean))].sort();
      if (external.length) return [...lb, ...external].join(',');
      return lb.length ? lb.join(',') : '<pending>';
    }
    case 'ExternalName':
      return o.spec?.externalName ?? '';
    default:
      return '<unknown>';
  }
}

export const servicePrinter = printer<Service>(
  [
    NAME_COLUMN,
    column('Type', 'string', 'How the service is exposed.'),
    column('Cluster-IP', 'string', 'The virtual IP of the service.'),
    column('External-IP', 'string', 'IPs on which the service is reachable from outside.'),
    column('Port(s)', 'string', 'The ports the service exposes.'),
    AGE_COLUMN,
    column('Selector', 'string', 'The pods the service routes to.', 1),
  ],
  (o, now) => {
    const ports = (o.spec?.ports ?? [])
      .map((p) => (p.nodePort ? `${p.port}:${p.nodePort}/${p.protocol ?? 'TCP'}` : `${p.port}/${p.protocol ?? 'TCP'}`))
      .join(',');
    return [
      name(o),
      o.spec?.type ?? 'ClusterIP',
      o.spec?.clusterIPs?.[0] ?? o.spec?.clusterIP ?? '<none>',
      serviceExternalIP(o),
      ports || '<none>',
      age(o, now),
      formatLabels(o.spec?.selector),
    ];
  },
);

function formatEndpoints(o: Endpoints): string {
  const subsets = o.subsets ?? [];
  if (subsets.length === 0) return '<none>';
  const list: string[] = [];
  for (const ss of subsets) {
    const addresses = ss.addresses ?? [];
    if (!ss.ports || ss.ports.length === 0) for (const a of addresses) list.push(a.ip);
    else for (const p of ss.ports) for (const a of addresses) list.push(a.ip.includes(':') ? `[${a.ip}]:${p.port}` : `${a.ip}:${p.port}`);
  }
  return listWithMore(list, 3, '');
}

export const endpointsPrinter = printer<Endpoints>(
  [NAME_COLUMN, column('Endpoints', 'string', 'Ready addresses and ports.'), AGE_COLUMN],
  (o, now) => [name(o), formatEndpoints(o), age(o, now)],
);

export const endpointSlicePrinter = printer<EndpointSlice>(
  [
    NAME_COLUMN,
    column('AddressType', 'string', 'The type of address carried by this slice.'),
    column('Ports', 'string', 'The ports exposed by this slice.'),
    column('Endpoints', 'string', 'The addresses of the endpoints.'),
    AGE_COLUMN,
  ],
  (o, now) => [
    name(o),
    o.addressType ?? '',
    listWithMore((o.ports ?? []).map((p) => (p.port !== undefined ? String(p.port) : p.name ?? '*')), 3, '<unset>'),
    listWithMore((o.endpoints ?? []).flatMap((e) => e.addresses), 3, '<unset>'),
    age(o, now),
  ],
);

function nodeRoles(o: Node): string {
  const roles = new Set<string>();
  for (const [k, v] of Object.entries(o.metadata?.labels ?? {})) {
    if (k.startsWith('node-role.kubernetes.io/') && k.length > 'node-role.kubernetes.io/'.length) roles.add(k.slice('node-role.kubernetes.io/'.length));
    else if (k === 'kubernetes.io/role' && v !== '') roles.add(v);
  }
  return [...roles].sort().join(',') || '<none>';
}

const nodeAddress = (o: Node, type: string): string => (o.status?.addresses ?? []).find((a) => a.type === type)?.address ?? '<none>';

export const nodePrinter = printer<Node>(
  [
    NAME_COLUMN,
    column('Status', 'string', 'The status of the node.'),
    column('Roles', 'string', 'The roles of the node.'),
    AGE_COLUMN,
    column('Version', 'string', 'Kubelet version.'),
    column('Internal-IP', 'string', 'The internal address of the node.', 1),
    column('External-IP', 'string', 'The external address of the node.', 1),
    column('OS-Image', 'string', 'The operating system image of the node.', 1),
    column('Kernel-Version', 'string', 'The kernel version of the node.', 1),
    column('Container-Runtime', 'string', 'The container runtime and its version.', 1),
  ],
  (o, now) => {
    const ready = (o.status?.conditions ?? []).filter((c) => c.type === 'Ready').pop();
    const status = [ready ? (ready.status === 'True' ? 'Ready' : 'NotReady') : 'Unknown'];
    if (o.spec?.unschedulable) status.push('SchedulingDisabled');
    const info = o.status?.nodeInfo;
    return [
      name(o),
      status.join(','),
      nodeRoles(o),
      age(o, now),
      info?.kubeletVersion ?? '',
      nodeAddress(o, 'InternalIP'),
      nodeAddress(o, 'ExternalIP'),
      info?.osImage || '<unknown>',
      info?.kernelVersion || '<unknown>',
      info?.containerRuntimeVersion || '<unknown>',
    ];
  },
);

export const namespacePrinter = printer<Namespace>(
  [NAME_COLUMN, column('Status', 'string', 'The phase of the namespace.'), AGE_COLUMN],
  (o, now) => [name(o), o.status?.phase ?? '', age(o, now)],
);

export const configMapPrinter = printer<ConfigMap>(
  [NAME_COLUMN, column('Data', 'string', 'Number of data entries.'), AGE_COLUMN],
  (o, now) => [name(o), Object.keys(o.data ?? {}).length + Object.keys(o.binaryData ?? {}).length, age(o, now)],
);

export const secretPrinter = printer<Secret>(
  [NAME_COLUMN, column('Type', 'string', 'The type of the secret.'), column('Data', 'string', 'Number of data entries.'), AGE_COLUMN],
  (o, now) => [name(o), o.type ?? 'Opaque', Object.keys(o.data ?? {}).length, age(o, now)],
);

export const serviceAccountPrinter = printer<ServiceAccount>(
  [NAME_COLUMN, column('Secrets', 'string', 'Number of secrets referenced.'), AGE_COLUMN],
  (o, now) => [name(o), o.secrets?.length ?? 0, age(o, now)],
);

function eventSource(o: Event): string {
  const component = o.source?.component || o.reportingComponent || '';
  const instance = o.source?.host || o.reportingInstance || '';
  return instance ? `${component}, ${instance}` : component;
}

export const eventPrinter = printer<Event>(
  [
    column('Last Seen', 'string', 'When the event was last observed.'),
    column('Type', 'string', 'Normal or Warning.'),
    column('Reason', 'string', 'Why the event happened, in CamelCase.'),
    column('Object', 'string', 'The object this event is about.'),
    column('Subobject', 'string', 'The part of the object the event is about.', 1),
    column('Source', 'string', 'The component reporting the event.', 1),
    column('Message', 'string', 'A human-readable description.'),
    column('First Seen', 'string', 'When the event was first observed.', 1),
    column('Count', 'string', 'How many times the event occurred.', 1),
    column('Name', 'string', 'Name of the event.', 1, 'name'),
  ],
  (o, now) => {
    const first = o.firstTimestamp ? since(o.firstTimestamp, now) : since(o.eventTime, now);
    let last = o.lastTimestamp ? since(o.lastTimestamp, now) : first;
    let count = o.count ?? 0;
    if (o.series) {
      last = since(o.series.lastObservedTime, now);
      count = o.series.count ?? 0;
    } else if (count === 0) {
      count = 1; // singleton events from events.k8s.io carry no count
    }
    const kind = (o.involvedObject?.kind ?? '').toLowerCase();
    const target = o.involvedObject?.name ? `${kind}/${o.involvedObject.name}` : kind;
    return [last, o.type ?? '', o.reason ?? '', target, o.involvedObject?.fieldPath ?? '', eventSource(o), (o.message ?? '').trim(), first, count, name(o)];
  },
);

const storageClassOf = (o: PersistentVolume | PersistentVolumeClaim): string =>
  o.metadata?.annotations?.['volume.beta.kubernetes.io/storage-class'] ?? o.spec?.storageClassName ?? '';

export const persistentVolumePrinter = printer<PersistentVolume>(
  [
    NAME_COLUMN,
    column('Capacity', 'string', 'The storage capacity.'),
    column('Access Modes', 'string', 'How the volume can be mounted.'),
    column('Reclaim Policy', 'string', 'What happens to the volume when released.'),
    column('Status', 'string', 'The phase of the volume.'),
    column('Claim', 'string', 'The claim bound to this volume.'),
    column('StorageClass', 'string', 'StorageClass of the volume.'),
    column('VolumeAttributesClass', 'string', 'VolumeAttributesClass of the volume.'),
    column('Reason', 'string', 'Why the volume is in this phase.'),
    AGE_COLUMN,
    column('VolumeMode', 'string', 'Filesystem or Block.', 1),
  ],
  (o, now) => {
    const claim = o.spec?.claimRef ? `${o.spec.claimRef.namespace ?? ''}/${o.spec.claimRef.name ?? ''}` : '';
    return [
      name(o),
      o.spec?.capacity?.['storage'] ?? '0',
      accessModesString(o.spec?.accessModes),
      o.spec?.persistentVolumeReclaimPolicy ?? '',
      o.metadata?.deletionTimestamp ? 'Terminating' : o.status?.phase ?? '',
      claim,
      storageClassOf(o),
      o.spec?.volumeAttributesClassName ?? '<unset>',
      o.status?.reason ?? '',
      age(o, now),
      o.spec?.volumeMode ?? '<unset>',
    ];
  },
);

export const persistentVolumeClaimPrinter = printer<PersistentVolumeClaim>(
  [
    NAME_COLUMN,
    column('Status', 'string', 'The phase of the claim.'),
    column('Volume', 'string', 'The volume bound to the claim.'),
    column('Capacity', 'string', 'The capacity of the bound volume.'),
    column('Access Modes', 'string', 'How the volume can be mounted.'),
    column('StorageClass', 'string', 'StorageClass of the claim.'),
    column('VolumeAttributesClass', 'string', 'VolumeAttributesClass of the claim.'),
    AGE_COLUMN,
    column('VolumeMode', 'string', 'Filesystem or Block.', 1),
  ],
  (o, now) => {
    const bound = Boolean(o.spec?.volumeName);
    return [
      name(o),
      o.metadata?.deletionTimestamp ? 'Terminating' : o.status?.phase ?? '',
      o.spec?.volumeName ?? '',
      bound ? o.status?.capacity?.['storage'] ?? '0' : '',
      bound ? accessModesString(o.status?.accessModes) : '',
      storageClassOf(o),
      o.spec?.volumeAttributesClassName ?? '<unset>',
      age(o, now),
      o.spec?.volumeMode ?? '<unset>',
    ];
  },
);

export const resourceQuotaPrinter = printer<ResourceQuota>(
  [
    NAME_COLUMN,
    AGE_COLUMN,
    column('Request', 'string', 'Used and hard limits of requests.'),
    column('Limit', 'string', 'Used and hard limits of limits.'),
  ],
  (o, now) => {
    const hard = o.status?.hard ?? {};
    const requests: string[] = [];
    const limits: string[] = [];
    for (const resource of Object.keys(hard).sort()) {
      const text = `${resource}: ${o.status?.used?.[resource] ?? '0'}/${hard[resource]}`;
      (resource.startsWith('limits.') ? limits : requests).push(text);
    }
    return [name(o), age(o, now), requests.join(', '), limits.join(', ')];
  },
);

export const leasePrinter = printer<Lease>(
  [NAME_COLUMN, column('Holder', 'string', 'The current holder of the lease.'), AGE_COLUMN],
  (o, now) => [name(o), o.spec?.holderIdentity ?? '', age(o, now)],
);

export const storageClassPrinter = printer<StorageClass>(
  [
    NAME_COLUMN,
    column('Provisioner', 'string', 'The volume plugin that provisions volumes.'),
    column('ReclaimPolicy', 'string', 'Reclaim policy of provisioned volumes.'),
    column('VolumeBindingMode', 'string', 'When volumes are bound and provisioned.'),
    column('AllowVolumeExpansion', 'string', 'Whether volumes can be expanded.'),
    AGE_COLUMN,
  ],
  (o, now) => {
    const a = o.metadata?.annotations ?? {};
    const isDefault = a['storageclass.kubernetes.io/is-default-class'] === 'true' || a['storageclass.beta.kubernetes.io/is-default-class'] === 'true';
    return [
      isDefault ? `${name(o)} (default)` : name(o),
      o.provisioner,
      o.reclaimPolicy ?? 'Delete',
      o.volumeBindingMode ?? 'Immediate',
      o.allowVolumeExpansion ?? false,
      age(o, now),
    ];
  },
);

function subjects(list: Subject[] | undefined): [string, string, string] {
  const users: string[] = [];
  const groups: string[] = [];
  const sas: string[] = [];
  for (const s of list ?? []) {
    if (s.kind === 'User') users.push(s.name);
    else if (s.kind === 'Group') groups.push(s.name);
    else if (s.kind === 'ServiceAccount') sas.push(`${s.namespace ?? ''}/${s.name}`);
  }
  return [users.join(', '), groups.join(', '), sas.join(', ')];
}

const roleBindingPrinter = printer<RoleBinding>(
  [
    NAME_COLUMN,
    column('Role', 'string', 'The role the binding grants.'),
    AGE_COLUMN,
    column('Users', 'string', 'Users in the binding.', 1),
    column('Groups', 'string', 'Groups in the binding.', 1),
    column('ServiceAccounts', 'string', 'ServiceAccounts in the binding.', 1),
  ],
  (o, now) => [name(o), `${o.roleRef?.kind ?? ''}/${o.roleRef?.name ?? ''}`, age(o, now), ...subjects(o.subjects)],
);

export const clusterPrinters: Record<string, TablePrinter> = {
  '/services': servicePrinter,
  '/endpoints': endpointsPrinter,
  'discovery.k8s.io/endpointslices': endpointSlicePrinter,
  '/nodes': nodePrinter,
  '/namespaces': namespacePrinter,
  '/configmaps': configMapPrinter,
  '/secrets': secretPrinter,
  '/serviceaccounts': serviceAccountPrinter,
  '/events': eventPrinter,
  '/persistentvolumes': persistentVolumePrinter,
  '/persistentvolumeclaims': persistentVolumeClaimPrinter,
  '/resourcequotas': resourceQuotaPrinter,
  'coordination.k8s.io/leases': leasePrinter,
  'storage.k8s.io/storageclasses': storageClassPrinter,
  'rbac.authorization.k8s.io/rolebindings': roleBindingPrinter,
  'rbac.authorization.k8s.io/clusterrolebindings': roleBindingPrinter,
};
