// The files of configMap, secret, downwardAPI and projected volumes: from the API objects to
// a payload (relative path → bytes + mode) that the atomic writer puts on disk. No I/O of its
// own (objects and tokens come through lookups), so the item/key/mode/optional rules are
// unit-tested without a filesystem or an apiserver.
import type {
  ConfigMap,
  ConfigMapProjection,
  DownwardAPIVolumeFile,
  KeyToPath,
  Pod,
  Secret,
  SecretProjection,
  ServiceAccountTokenProjection,
  Volume,
} from 'kubernetes-types/core/v1';
import { fieldRefValue, resourceFieldValue, type DownwardContext } from '../env/downward.js';

export interface FileProjection {
  data: Buffer;
  mode: number;
}

export type Payload = Map<string, FileProjection>;

export interface VolumeObjects extends DownwardContext {
  configMap(namespace: string, name: string): ConfigMap | undefined;
  secret(namespace: string, name: string): Secret | undefined;
}

/** A projected serviceAccountToken source's token (the token manager); throws when there is none. */
export type ServiceAccountTokenSource = (pod: Pod, source: ServiceAccountTokenProjection) => Promise<string>;

/** A volume cannot be set up yet (missing object or key): MountVolume.SetUp fails, the pod waits. */
export class VolumeSetupError extends Error {}

const DEFAULT_MODE = 0o644;

function configMapData(cm: ConfigMap): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  for (const [k, v] of Object.entries(cm.data ?? {})) out.set(k, Buffer.from(v, 'utf8'));
  for (const [k, v] of Object.entries(cm.binaryData ?? {})) out.set(k, Buffer.from(v, 'base64'));
  return out;
}

function secretData(s: Secret): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  for (const [k, v] of Object.entries(s.stringData ?? {})) out.set(k, Buffer.from(v, 'utf8'));
  for (const [k, v] of Object.entries(s.data ?? {})) out.set(k, Buffer.from(v, 'base64'));
  return out;
}

/** Keys → files: every key, or only `items` (each key must exist unless the source is optional). */
function project(
  out: Payload,
  data: Map<string, Buffer>,
  items: KeyToPath[] | undefined,
  defaultMode: number,
  optional: boolean,
  what: string,
): void {
  if (!items?.length) {
    for (const [k, v] of data) out.set(k, { data: v, mode: defaultMode });
    return;
  }
  for (const item of items) {
    const v = data.get(item.key);
    if (v === undefined) {
      if (optional) continue;
      throw new VolumeSetupError(`configmap references non-existent config key: ${item.key}`.replace('configmap', what));
    }
    out.set(item.path, { data: v, mode: item.mode ?? defaultMode });
  }
}

function downwardFiles(out: Payload, pod: Pod, items: DownwardAPIVolumeFile[], defaultMode: number, ctx: DownwardContext): void {
  for (const item of items) {
    let value = '';
    if (item.fieldRef) value = fieldRefValue(pod, item.fieldRef, ctx);
    else if (item.resourceFieldRef) value = resourceFieldValue(pod, item.resourceFieldRef, ctx);
    out.set(item.path, { data: Buffer.from(value, 'utf8'), mode: item.mode ?? defaultMode });
  }
}

function configMapSource(out: Payload, ns: string, src: ConfigMapProjection, items: KeyToPath[] | undefined, mode: number, objs: VolumeObjects): void {
  const name = src.name ?? '';
  const cm = objs.configMap(ns, name);
  if (!cm) {
    if (src.optional) return;
    throw new VolumeSetupError(`configmap "${name}" not found`);
  }
  project(out, configMapData(cm), items, mode, src.optional ?? false, 'configmap');
}

function secretSource(out: Payload, ns: string, name: string, src: SecretProjection, items: KeyToPath[] | undefined, mode: number, objs: VolumeObjects): void {
  const s = objs.secret(ns, name);
  if (!s) {
    if (src.optional) return;
    throw new VolumeSetupError(`secret "${name}" not found`);
  }
  project(out, secretData(s), items, mode, src.optional ?? false, 'secret');
}

async function tokenSource(out: Payload, pod: Pod, src: ServiceAccountTokenProjection, mode: number, tokens: ServiceAccountTokenSource | undefined): Promise<void> {
  if (!tokens) throw new VolumeSetupError('failed to fetch token: this kubelet has no token manager');
  let token: string;
  try {
    token = await tokens(pod, src);
  } catch (err) {
    throw new VolumeSetupError(err instanceof Error ? err.message : String(err));
  }
  // Never an empty token file: a client would start and fail to authenticate.
  if (!token) throw new VolumeSetupError('failed to fetch token: the token is empty');
  out.set(src.path, { data: Buffer.from(token, 'utf8'), mode });
}

/** The files of a configMap/secret/downwardAPI/projected volume; null for other volume types. */
export async function volumePayload(pod: Pod, volume: Volume, objs: VolumeObjects, tokens?: ServiceAccountTokenSource): Promise<Payload | null> {
  const ns = pod.metadata?.namespace ?? 'default';
  const out: Payload = new Map();
  if (volume.configMap) {
    const v = volume.configMap;
    configMapSource(out, ns, v, v.items, v.defaultMode ?? DEFAULT_MODE, objs);
    return out;
  }
  if (volume.secret) {
    const v = volume.secret;
    secretSource(out, ns, v.secretName ?? '', { optional: v.optional }, v.items, v.defaultMode ?? DEFAULT_MODE, objs);
    return out;
  }
  if (volume.downwardAPI) {
    downwardFiles(out, pod, volume.downwardAPI.items ?? [], volume.downwardAPI.defaultMode ?? DEFAULT_MODE, objs);
    return out;
  }
  if (volume.projected) {
    const mode = volume.projected.defaultMode ?? DEFAULT_MODE;
    for (const s of volume.projected.sources ?? []) {
      if (s.configMap) configMapSource(out, ns, s.configMap, s.configMap.items, mode, objs);
      else if (s.secret) secretSource(out, ns, s.secret.name ?? '', s.secret, s.secret.items, mode, objs);
      else if (s.downwardAPI) downwardFiles(out, pod, s.downwardAPI.items ?? [], mode, objs);
      else if (s.serviceAccountToken) await tokenSource(out, pod, s.serviceAccountToken, mode, tokens);
    }
    return out;
  }
  return null;
}

/** Volume types this kubelet can set up; any other is a reason to reject the pod. */
export function volumeType(volume: Volume): string | null {
  if (volume.emptyDir) return 'emptyDir';
  if (volume.hostPath) return 'hostPath';
  if (volume.configMap) return 'configMap';
  if (volume.secret) return 'secret';
  if (volume.downwardAPI) return 'downwardAPI';
  if (volume.projected) return 'projected';
  if (volume.persistentVolumeClaim) return 'persistentVolumeClaim';
  return null;
}

/** Whether a payload holds secrets (written to tmpfs, never logged). */
export function isSecretVolume(volume: Volume): boolean {
  return !!volume.secret || !!volume.projected?.sources?.some((s) => s.secret || s.serviceAccountToken);
}
