// The short-lived pod that creates or removes a volume's directory on its node, as k3s'
// local-path-provisioner does (createHelperPod): pinned to the node by nodeName (no scheduler
// involved), the root mounted by hostPath at the same path, one shell command. The directory
// is passed in an environment variable, never spliced into the script, so no path can change
// what the shell runs.
import type { Pod } from 'kubernetes-types/core/v1';

export const HELPER_NAMESPACE = 'kube-system';
export const HELPER_LABEL = 'tskube.io/local-path-helper';
/** Which object the helper works for: the claim (`namespace/name`) or the volume's name. */
export const HELPER_FOR_ANNOTATION = 'tskube.io/local-path-for';

export type HelperAction = 'create' | 'delete';

const SCRIPTS: Record<HelperAction, string> = {
  // k3s' default setup script: world-writable, so any container user can write its volume.
  create: 'set -eu; mkdir -m 0777 -p "$VOL_DIR"',
  delete: 'set -eu; rm -rf "$VOL_DIR"',
};

export const helperPodName = (action: HelperAction, pvName: string): string => `helper-pod-${action}-${pvName}`;

export interface HelperPodSpec {
  action: HelperAction;
  pvName: string;
  /** The claim key (create) or the PV name (delete), to requeue when the pod changes. */
  owner: string;
  node: string;
  root: string;
  path: string;
  image: string;
}

export function helperPod(h: HelperPodSpec): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: helperPodName(h.action, h.pvName),
      namespace: HELPER_NAMESPACE,
      labels: { [HELPER_LABEL]: h.action },
      annotations: { [HELPER_FOR_ANNOTATION]: h.owner },
    },
    spec: {
      nodeName: h.node,
      restartPolicy: 'Never',
      automountServiceAccountToken: false,
      // It must run wherever the volume is, tainted node or not.
      tolerations: [{ operator: 'Exists' }],
      containers: [
        {
          name: 'helper-pod',
          image: h.image,
          imagePullPolicy: 'IfNotPresent',
          command: ['/bin/sh', '-c', SCRIPTS[h.action]],
          env: [{ name: 'VOL_DIR', value: h.path }],
          volumeMounts: [{ name: 'helper-data-volume', mountPath: h.root }],
        },
      ],
      volumes: [{ name: 'helper-data-volume', hostPath: { path: h.root, type: 'DirectoryOrCreate' } }],
    },
  };
}
