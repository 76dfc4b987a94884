// Pod volumes: unique DNS-label names and exactly one source each (validateVolumeSource), with
// the per-source required fields for the sources a small cluster actually uses.
import { type ErrorList, Path, field, asArray, asRecord, asString } from './field.js';
import { validateDNS1123Label, validateLocalDescendingPath } from './container.js';

// Every VolumeSource field name in core/v1, in k8s's checking order.
const VOLUME_SOURCES = [
  'emptyDir', 'hostPath', 'gitRepo', 'gcePersistentDisk', 'awsElasticBlockStore', 'secret', 'nfs', 'iscsi',
  'glusterfs', 'flocker', 'persistentVolumeClaim', 'rbd', 'cinder', 'cephfs', 'quobyte', 'downwardAPI', 'fc',
  'flexVolume', 'configMap', 'azureFile', 'vsphereVolume', 'photonPersistentDisk', 'portworxVolume', 'azureDisk',
  'storageos', 'projected', 'scaleIO', 'csi', 'ephemeral', 'image',
];
const FILE_MODE_ERROR = 'must be a number between 0 and 0777 (octal), both inclusive';
const HOST_PATH_TYPES = ['', 'BlockDevice', 'CharDevice', 'Directory', 'DirectoryOrCreate', 'File', 'FileOrCreate', 'Socket'];

function validateMode(v: unknown, path: Path): ErrorList {
  return typeof v === 'number' && (v < 0 || v > 0o777) ? [field.invalid(path, v, FILE_MODE_ERROR)] : [];
}

function validateKeyToPaths(items: unknown, path: Path): ErrorList {
  const errs: ErrorList = [];
  asArray(items).forEach((raw, i) => {
    const kp = asRecord(raw);
    const p = path.index(i);
    if (!asString(kp['key'])) errs.push(field.required(p.child('key')));
    const target = asString(kp['path']);
    if (!target) errs.push(field.required(p.child('path')));
    else errs.push(...validateLocalDescendingPath(target, p.child('path')));
    errs.push(...validateMode(kp['mode'], p.child('mode')));
  });
  return errs;
}

function validateSource(kind: string, raw: unknown, path: Path): ErrorList {
  const src = asRecord(raw);
  const errs: ErrorList = [];
  switch (kind) {
    case 'hostPath': {
      const p = asString(src['path']);
      if (!p) return [field.required(path.child('path'))];
      if (p.split('/').includes('..')) errs.push(field.invalid(path.child('path'), p, "must not contain '..'"));
      const type = asString(src['type']);
      if (!HOST_PATH_TYPES.includes(type)) errs.push(field.notSupported(path.child('type'), type, HOST_PATH_TYPES));
      break;
    }
    case 'secret':
      if (!asString(src['secretName'])) errs.push(field.required(path.child('secretName')));
      errs.push(...validateMode(src['defaultMode'], path.child('defaultMode')));
      errs.push(...validateKeyToPaths(src['items'], path.child('items')));
      break;
    case 'configMap':
      if (!asString(src['name'])) errs.push(field.required(path.child('name')));
      errs.push(...validateMode(src['defaultMode'], path.child('defaultMode')));
      errs.push(...validateKeyToPaths(src['items'], path.child('items')));
      break;
    case 'persistentVolumeClaim':
      if (!asString(src['claimName'])) errs.push(field.required(path.child('claimName')));
      break;
    case 'nfs': {
      const p = asString(src['path']);
      if (!asString(src['server'])) errs.push(field.required(path.child('server')));
      if (!p) errs.push(field.required(path.child('path')));
      if (!p.startsWith('/')) errs.push(field.invalid(path.child('path'), p, 'must be an absolute path'));
      break;
    }
    case 'downwardAPI':
    case 'projected':
      errs.push(...validateMode(src['defaultMode'], path.child('defaultMode')));
      break;
    default:
      break;
  }
  return errs;
}

/** Validates spec.volumes and returns the names that mounts may refer to. */
export function validateVolumes(volumes: unknown, path: Path): { names: Set<string>; errs: ErrorList } {
  const names = new Set<string>();
  const errs: ErrorList = [];
  asArray(volumes).forEach((raw, i) => {
    const vol = asRecord(raw);
    const p = path.index(i);
    const el: ErrorList = [];
    let n = 0;
    for (const kind of VOLUME_SOURCES) {
      if (vol[kind] === undefined || vol[kind] === null) continue;
      if (n > 0) {
        el.push(field.forbidden(p.child(kind), 'may not specify more than 1 volume type'));
        continue;
      }
      n++;
      el.push(...validateSource(kind, vol[kind], p.child(kind)));
    }
    if (n === 0) el.push(field.required(p, 'must specify a volume type'));
    const name = asString(vol['name']);
    if (!name) el.push(field.required(p.child('name')));
    else el.push(...validateDNS1123Label(name, p.child('name')));
    if (names.has(name)) el.push(field.duplicate(p.child('name'), name));
    if (el.length === 0) names.add(name);
    else errs.push(...el);
  });
  return { names, errs };
}
