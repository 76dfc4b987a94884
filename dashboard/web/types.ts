// The shape every Kubernetes object shares, as the app handles it (DOM-free so the pure
// modules that use it are unit tested under Node).
export interface KObject {
  apiVersion?: string;
  kind?: string;
  metadata: { name?: string; namespace?: string; uid?: string; resourceVersion?: string; creationTimestamp?: string; [k: string]: unknown };
  [k: string]: unknown;
}
