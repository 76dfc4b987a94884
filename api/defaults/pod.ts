// PodSpec defaults (pkg/apis/core/v1/defaults.go, plus the ServiceAccount admission
// defaults every real cluster applies), used for pods and every pod template.
import { type Obj, ensureObj, isObj, objects, setDefault, setDefaultString } from './util.js';

const VOLUME_SOURCES = [
  'emptyDir', 'hostPath', 'gitRepo', 'gcePersistentDisk', 'awsElasticBlockStore', 'secret', 'nfs', 'iscsi',
  'glusterfs', 'flocker', 'persistentVolumeClaim', 'rbd', 'cinder', 'cephfs', 'quobyte', 'downwardAPI', 'fc',
  'flexVolume', 'configMap', 'azureFile', 'vsphereVolume', 'photonPersistentDisk', 'portworxVolume', 'azureDisk',
  'storageos', 'projected', 'scaleIO', 'csi', 'ephemeral', 'image',
];
/** 0644: the file mode k8s gives projected files. */
const DEFAULT_MODE = 420;

/** `Always` for `:latest` or untagged images, `IfNotPresent` otherwise (digests count as tags). */
export function defaultPullPolicy(image: string): 'Always' | 'IfNotPresent' {
  if (image.includes('@')) return 'IfNotPresent';
  const lastSlash = image.lastIndexOf('/');
  const colon = image.indexOf(':', lastSlash + 1);
  const tag = colon < 0 ? '' : image.slice(colon + 1);
  return tag === '' || tag === 'latest' ? 'Always' : 'IfNotPresent';
}

function defaultHandler(handler: Obj): void {
  if (isObj(handler['httpGet'])) {
    setDefaultString(handler['httpGet'], 'path', '/');
    setDefaultString(handler['httpGet'], 'scheme', 'HTTP');
  }
}

function defaultProbe(probe: unknown): void {
  if (!isObj(probe)) return;
  defaultHandler(probe);
  setDefault(probe, 'timeoutSeconds', 1);
  setDefault(probe, 'periodSeconds', 10);
  setDefault(probe, 'successThreshold', 1);
  setDefault(probe, 'failureThreshold', 3);
}

function defaultContainer(ctr: Obj): void {
  setDefaultString(ctr, 'terminationMessagePath', '/dev/termination-log');
  setDefaultString(ctr, 'terminationMessagePolicy', 'File');
  if (typeof ctr['image'] === 'string') setDefaultString(ctr, 'imagePullPolicy', defaultPullPolicy(ctr['image']));
  for (const port of objects(ctr['ports'])) setDefaultString(port, 'protocol', 'TCP');
  for (const env of objects(ctr['env'])) {
    const from = env['valueFrom'];
    if (isObj(from) && isObj(from['fieldRef'])) setDefaultString(from['fieldRef'], 'apiVersion', 'v1');
  }
  defaultProbe(ctr['livenessProbe']);
  defaultProbe(ctr['readinessProbe']);
  defaultProbe(ctr['startupProbe']);
  const lifecycle = ctr['lifecycle'];
  if (isObj(lifecycle)) for (const hook of ['postStart', 'preStop']) if (isObj(lifecycle[hook])) defaultHandler(lifecycle[hook]);
}

function defaultVolume(vol: Obj): void {
  if (!VOLUME_SOURCES.some((k) => vol[k] !== undefined && vol[k] !== null)) vol['emptyDir'] = {};
  for (const kind of ['secret', 'configMap', 'downwardAPI', 'projected']) if (isObj(vol[kind])) setDefault(vol[kind], 'defaultMode', DEFAULT_MODE);
  if (isObj(vol['hostPath'])) setDefault(vol['hostPath'], 'type', '');
  if (isObj(vol['projected']))
    for (const src of objects(vol['projected']['sources']))
      if (isObj(src['serviceAccountToken'])) setDefault(src['serviceAccountToken'], 'expirationSeconds', 3600);
  const dapi = vol['downwardAPI'];
  if (isObj(dapi)) for (const item of objects(dapi['items'])) if (isObj(item['fieldRef'])) setDefaultString(item['fieldRef'], 'apiVersion', 'v1');
}

/** Defaults a PodSpec in place (SetDefaults_PodSpec and friends): pods and templates alike. */
export function defaultPodSpec(spec: Obj): void {
  setDefaultString(spec, 'restartPolicy', 'Always');
  setDefaultString(spec, 'dnsPolicy', 'ClusterFirst');
  setDefaultString(spec, 'schedulerName', 'default-scheduler');
  setDefault(spec, 'terminationGracePeriodSeconds', 30);
  setDefault(spec, 'securityContext', {});
  // The deprecated `serviceAccount` field mirrors serviceAccountName (v1 conversion).
  if (typeof spec['serviceAccount'] === 'string' && spec['serviceAccount']) setDefaultString(spec, 'serviceAccountName', spec['serviceAccount']);
  if (typeof spec['serviceAccountName'] === 'string' && spec['serviceAccountName']) setDefaultString(spec, 'serviceAccount', spec['serviceAccountName']);
  for (const kind of ['containers', 'initContainers', 'ephemeralContainers']) for (const ctr of objects(spec[kind])) defaultContainer(ctr);
  for (const vol of objects(spec['volumes'])) defaultVolume(vol);
}

/**
 * Defaults only real Pods get, not templates: SetDefaults_Pod (requests from limits, host ports
 * for hostNetwork, enableServiceLinks) and the ServiceAccount admission defaults (the Priority admission
 * plugin, apiserver/admission/priority.ts, sets spec.priority).
 */
export function defaultPod(pod: Obj): void {
  const spec = ensureObj(pod, 'spec');
  defaultPodSpec(spec);
  setDefault(spec, 'enableServiceLinks', true);
  setDefaultString(spec, 'serviceAccountName', 'default');
  setDefaultString(spec, 'serviceAccount', spec['serviceAccountName'] as string);
  const hostNetwork = spec['hostNetwork'] === true;
  for (const kind of ['containers', 'initContainers']) {
    for (const ctr of objects(spec[kind])) {
      if (hostNetwork)
        for (const port of objects(ctr['ports'])) if (port['hostPort'] === undefined || port['hostPort'] === 0) port['hostPort'] = port['containerPort'];
      // Limits without requests imply equal requests.
      const resources = ctr['resources'];
      if (isObj(resources) && isObj(resources['limits'])) {
        const requests = isObj(resources['requests']) ? resources['requests'] : {};
        for (const [name, q] of Object.entries(resources['limits'])) if (requests[name] === undefined) requests[name] = q;
        if (Object.keys(requests).length) resources['requests'] = requests;
      }
    }
  }
}

/** Defaults a PodTemplateSpec (`{metadata, spec}`) in place. */
export function defaultPodTemplate(template: unknown): void {
  if (!isObj(template)) return;
  defaultPodSpec(ensureObj(template, 'spec'));
}
