// What a pod or a PersistentVolume refers to, as Kubernetes' podutil.VisitPodSecretNames,
// VisitPodConfigmapNames and pvutil.VisitPVSecretNames see it: the objects a kubelet running
// the pod needs to read, and so the objects the Node authorizer lets it read.
import type { Container, EphemeralContainer, PersistentVolume, Pod, SecretReference, Volume } from 'kubernetes-types/core/v1';
import type { KObject } from '../../../api/types.js';

/** The annotation that marks a mirror pod (a kubelet's copy of a static pod). */
export const MIRROR_POD_ANNOTATION = 'kubernetes.io/config.mirror';

/** Names in the pod's namespace (sorted, unique) that the pod refers to. */
export interface PodReferences {
  secrets: string[];
  configMaps: string[];
  /** PersistentVolumeClaims: `persistentVolumeClaim` volumes and the claims of `ephemeral` volumes. */
  claims: string[];
  /** spec.serviceAccountName, '' when unset. */
  serviceAccount: string;
}

export function isMirrorPod(pod: KObject): boolean {
  const a = pod.metadata?.annotations;
  return !!a && Object.prototype.hasOwnProperty.call(a, MIRROR_POD_ANNOTATION);
}

type AnyContainer = Container | EphemeralContainer;

function containersOf(spec: NonNullable<Pod['spec']>): AnyContainer[] {
  return [...(spec.initContainers ?? []), ...(spec.containers ?? []), ...(spec.ephemeralContainers ?? [])];
}

function add(set: Set<string>, name: string | undefined): void {
  if (name) set.add(name);
}

function visitContainer(c: AnyContainer, secrets: Set<string>, configMaps: Set<string>): void {
  for (const from of c.envFrom ?? []) {
    add(secrets, from.secretRef?.name);
    add(configMaps, from.configMapRef?.name);
  }
  for (const env of c.env ?? []) {
    add(secrets, env.valueFrom?.secretKeyRef?.name);
    add(configMaps, env.valueFrom?.configMapKeyRef?.name);
  }
}

function visitVolume(v: Volume, secrets: Set<string>, configMaps: Set<string>): void {
  add(secrets, v.secret?.secretName);
  add(configMaps, v.configMap?.name);
  for (const src of v.projected?.sources ?? []) {
    add(secrets, src.secret?.name);
    add(configMaps, src.configMap?.name);
  }
  // Volume plugins that read their credentials from a secret in the pod's namespace.
  add(secrets, v.azureFile?.secretName);
  add(secrets, v.cephfs?.secretRef?.name);
  add(secrets, v.cinder?.secretRef?.name);
  add(secrets, v.flexVolume?.secretRef?.name);
  add(secrets, v.rbd?.secretRef?.name);
  add(secrets, v.scaleIO?.secretRef?.name);
  add(secrets, v.iscsi?.secretRef?.name);
  add(secrets, v.storageos?.secretRef?.name);
  add(secrets, v.csi?.nodePublishSecretRef?.name);
}

const sorted = (s: Set<string>): string[] => [...s].sort();

export function podReferences(obj: KObject): PodReferences {
  const pod = obj as Pod;
  const spec = pod.spec ?? { containers: [] };
  const secrets = new Set<string>();
  const configMaps = new Set<string>();
  const claims = new Set<string>();
  for (const ref of spec.imagePullSecrets ?? []) add(secrets, ref.name);
  for (const c of containersOf(spec)) visitContainer(c, secrets, configMaps);
  for (const v of spec.volumes ?? []) {
    visitVolume(v, secrets, configMaps);
    add(claims, v.persistentVolumeClaim?.claimName);
    // The ephemeral volume controller names the claim `<pod>-<volume>` (ephemeral.VolumeClaimName).
    if (v.ephemeral) add(claims, `${pod.metadata?.name ?? ''}-${v.name}`);
  }
  return { secrets: sorted(secrets), configMaps: sorted(configMaps), claims: sorted(claims), serviceAccount: spec.serviceAccountName ?? '' };
}

/** A secret a PV's volume plugin hands to the kubelet. */
export interface SecretRef {
  namespace: string;
  name: string;
}

/**
 * The secrets of a PersistentVolume that the kubelet reads (pvutil.VisitPVSecretNames with
 * kubeletVisible): a reference without a namespace means the bound claim's (claimRef's)
 * namespace, as for PVs persisted before those fields had one. Controller-only secrets
 * (CSI controllerPublish/controllerExpand) are not the kubelet's business and are left out.
 */
export function pvSecretReferences(obj: KObject): SecretRef[] {
  const spec = (obj as PersistentVolume).spec ?? {};
  const claimNamespace = spec.claimRef?.namespace ?? '';
  const out = new Map<string, SecretRef>();
  const visit = (ref: SecretReference | { name?: string; namespace?: string } | undefined): void => {
    if (!ref?.name) return;
    const namespace = ref.namespace || claimNamespace;
    if (namespace) out.set(`${namespace}/${ref.name}`, { namespace, name: ref.name });
  };
  if (spec.azureFile?.secretName) visit({ name: spec.azureFile.secretName, namespace: spec.azureFile.secretNamespace });
  visit(spec.cephfs?.secretRef);
  visit(spec.cinder?.secretRef);
  visit(spec.flexVolume?.secretRef);
  visit(spec.rbd?.secretRef);
  visit(spec.scaleIO?.secretRef);
  visit(spec.iscsi?.secretRef);
  visit(spec.storageos?.secretRef);
  visit(spec.csi?.nodePublishSecretRef);
  visit(spec.csi?.nodeStageSecretRef);
  visit(spec.csi?.nodeExpandSecretRef);
  return [...out.values()];
}
