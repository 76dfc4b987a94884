// ServiceAccount admission (k8s' plugin/pkg/admission/serviceaccount): every new pod runs as a
// service account that exists (`default` unless it names one), and — unless the pod or its
// account opts out with automountServiceAccountToken: false — gets the projected
// `kube-api-access-<x>` volume every container mounts at
// /var/run/secrets/kubernetes.io/serviceaccount: a bound token the kubelet requests and
// refreshes, the cluster's CA (ConfigMap kube-root-ca.crt) and the pod's namespace.
import { randomInt } from 'node:crypto';
import type { ResourceInfo } from '../../api/resources.js';
import { errors, StatusError } from '../../api/status.js';
import { isObject, type KObject } from '../../api/types.js';
import type { AdmissionPlugin, Operation } from './interfaces.js';
import { ROOT_CA_CONFIGMAP, SERVICE_ACCOUNT_MOUNT_PATH } from '../../api/serviceaccount.js';

export { SERVICE_ACCOUNT_MOUNT_PATH, ROOT_CA_CONFIGMAP };
const MIRROR_POD_ANNOTATION = 'kubernetes.io/config.mirror';
/** Kubernetes' rand.String alphabet (no vowels, no confusable digits). */
const ALPHANUMS = 'bcdfghjklmnpqrstvwxz2456789';

type Rec = Record<string, unknown>;
const rec = (v: unknown): Rec => (isObject(v) ? v : {});
const list = (v: unknown): Rec[] => (Array.isArray(v) ? v.filter(isObject) : []);

export function apiAccessVolume(name: string): Rec {
  return {
    name,
    projected: {
      defaultMode: 420,
      sources: [
        { serviceAccountToken: { expirationSeconds: 3607, path: 'token' } },
        { configMap: { name: ROOT_CA_CONFIGMAP, items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
        { downwardAPI: { items: [{ path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } }] } },
      ],
    },
  };
}

function randomSuffix(n = 5): string {
  let s = '';
  for (let i = 0; i < n; i++) s += ALPHANUMS[randomInt(ALPHANUMS.length)];
  return s;
}

export class ServiceAccountAdmission implements AdmissionPlugin {
  constructor(private readonly getServiceAccount: (namespace: string, name: string) => Promise<KObject | undefined>) {}

  async admit(op: Operation, info: ResourceInfo, pod: KObject, _old: KObject | undefined): Promise<void> {
    if (op !== 'CREATE' || info.group !== '' || info.resource !== 'pods') return;
    if (pod.metadata?.annotations?.[MIRROR_POD_ANNOTATION] !== undefined) return;
    const spec = rec(pod.spec);
    pod.spec = spec;
    const ns = pod.metadata?.namespace ?? '';
    const name = typeof spec.serviceAccountName === 'string' && spec.serviceAccountName ? spec.serviceAccountName : 'default';
    spec.serviceAccountName = name;
    spec.serviceAccount = name;
    const sa = await this.getServiceAccount(ns, name);
    if (!sa) {
      throw errors.forbidden({ group: '', resource: 'pods' }, pod.metadata?.name ?? '', `error looking up service account ${ns}/${name}: serviceaccount "${name}" not found`);
    }
    const automount = typeof spec.automountServiceAccountToken === 'boolean' ? spec.automountServiceAccountToken : (sa as Rec).automountServiceAccountToken !== false;
    if (!automount) return;
    this.mountToken(spec);
  }

  /** Adds the volume and a read-only mount in every container that does not mount the path already. */
  private mountToken(spec: Rec): void {
    const containers = [...list(spec.initContainers), ...list(spec.containers)];
    const needing = containers.filter((c) => !list(c.volumeMounts).some((m) => m.mountPath === SERVICE_ACCOUNT_MOUNT_PATH));
    if (!needing.length) return;
    const volumes = list(spec.volumes);
    const existing = volumes.find((v) => typeof v.name === 'string' && v.name.startsWith('kube-api-access-') && isObject(v.projected));
    let volumeName = typeof existing?.name === 'string' ? existing.name : '';
    if (!volumeName) {
      const taken = new Set(volumes.map((v) => v.name));
      do volumeName = `kube-api-access-${randomSuffix()}`;
      while (taken.has(volumeName));
      spec.volumes = [...volumes, apiAccessVolume(volumeName)];
    }
    for (const c of needing) c.volumeMounts = [...list(c.volumeMounts), { name: volumeName, readOnly: true, mountPath: SERVICE_ACCOUNT_MOUNT_PATH }];
  }
}

export function isNotFound(e: unknown): boolean {
  return e instanceof StatusError && e.code === 404;
}
