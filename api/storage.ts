// StorageClass helpers both the apiserver (DefaultStorageClass admission) and the PV controller
// (retroactive default class) use: storageutil.IsDefaultAnnotation and GetDefaultClass.
import type { StorageClass } from 'kubernetes-types/storage/v1';

export const IS_DEFAULT_CLASS_ANNOTATION = 'storageclass.kubernetes.io/is-default-class';
export const BETA_IS_DEFAULT_CLASS_ANNOTATION = 'storageclass.beta.kubernetes.io/is-default-class';

export const isDefaultClass = (c: StorageClass): boolean =>
  c.metadata?.annotations?.[IS_DEFAULT_CLASS_ANNOTATION] === 'true' || c.metadata?.annotations?.[BETA_IS_DEFAULT_CLASS_ANNOTATION] === 'true';

/** With several defaults — which the API allows — the newest wins, ties broken by name (GetDefaultClass since 1.26). */
export function defaultStorageClass(classes: readonly StorageClass[]): StorageClass | undefined {
  const defaults = classes.filter(isDefaultClass);
  defaults.sort((a, b) => {
    const ta = Date.parse(a.metadata?.creationTimestamp ?? '') || 0;
    const tb = Date.parse(b.metadata?.creationTimestamp ?? '') || 0;
    return tb - ta || (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? '');
  });
  return defaults[0];
}
