// The persistentvolume-binder and persistentvolume-expander against a real apiserver and etcd:
// static binding (smallest fit, selector, volumeName, claimRef pre-binding), phases, events,
// Retain/Delete reclaim without a provisioner, the WaitForFirstConsumer hand-off, the
// DefaultStorageClass and PersistentVolumeClaimResize admission, shrink validation, expansion,
// and kubectl 1.32's `get pv,pvc,sc`.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Event, PersistentVolume, PersistentVolumeClaim } from 'kubernetes-types/core/v1';
import type { StorageClass } from 'kubernetes-types/storage/v1';
import { RestClient, isNotFound } from '../../../client/index.js';
import type { TestApiserver } from '../../../test/harness/apiserver.js';
import { startControllerEnv, type ControllerEnv } from '../../../test/harness/controllers.js';
import { waitFor } from '../../../test/harness/ports.js';
import { kubectlFor } from '../../../test/harness/kubectl.js';
import { kcPair } from '../../../test/e2e/kc-harness.js';
import type { ControllerManagerHandle } from '../../manager.js';
import { localPathStorageClass } from '../localpath/storage-class.js';

let api: TestApiserver;
let client: RestClient;
let cm: ControllerManagerHandle;
let env: ControllerEnv;

before(async () => {
  env = await startControllerEnv(['persistentvolume-binder', 'persistentvolume-expander', 'persistentvolumeclaim-protection', 'persistentvolume-protection', 'serviceaccount'], { 'pvclaimbinder-sync-period': '1s' });
  ({ api, client, cm } = env);
});
after(async () => {
  await env?.stop();
});

const pvs = () => client.resource('persistentvolumes');
const pvcs = (ns = 'default') => client.resource('persistentvolumeclaims', ns);

function pv(name: string, size: string, spec: Partial<PersistentVolume['spec']> = {}, labels?: Record<string, string>): PersistentVolume {
  return {
    metadata: { name, ...(labels ? { labels } : {}) },
    spec: { capacity: { storage: size }, accessModes: ['ReadWriteOnce'], hostPath: { path: `/tmp/tskube-pv-test/${name}` }, storageClassName: '', ...spec },
  };
}
function pvc(name: string, size: string, spec: Partial<PersistentVolumeClaim['spec']> = {}): PersistentVolumeClaim {
  return { metadata: { name }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: size } }, storageClassName: '', ...spec } };
}

async function claimIs(name: string, phase: string): Promise<PersistentVolumeClaim> {
  return waitFor(`claim ${name} ${phase}`, async () => {
    const c = await pvcs().get(name);
    return c.status?.phase === phase ? c : undefined;
  });
}
async function volumeIs(name: string, phase: string): Promise<PersistentVolume> {
  return waitFor(`volume ${name} ${phase}`, async () => {
    const v = await pvs().get(name);
    return v.status?.phase === phase ? v : undefined;
  });
}
async function eventFor(name: string, reason: string): Promise<Event> {
  return waitFor(`event ${reason} for ${name}`, async () => {
    const list = await client.resource('events', 'default').list();
    return list.items.find((e) => e.involvedObject.name === name && e.reason === reason);
  });
}

describe('persistentvolume-binder: static binding', () => {
  test('the smallest volume that fits; both sides Bound with annotations and capacity', async () => {
    for (const [n, s] of [['sm-10', '10Gi'], ['sm-2', '2Gi'], ['sm-1', '1Gi']] as const) await pvs().create(pv(n, s, {}, { set: 'smallest' }));
    await pvcs().create(pvc('smallest', '1500Mi', { selector: { matchLabels: { set: 'smallest' } } }));
    const c = await claimIs('smallest', 'Bound');
    assert.equal(c.spec?.volumeName, 'sm-2');
    assert.equal(c.metadata?.annotations?.['pv.kubernetes.io/bind-completed'], 'yes');
    assert.equal(c.metadata?.annotations?.['pv.kubernetes.io/bound-by-controller'], 'yes');
    assert.deepEqual(c.status?.capacity, { storage: '2Gi' });
    assert.deepEqual(c.status?.accessModes, ['ReadWriteOnce']);
    const v = await volumeIs('sm-2', 'Bound');
    assert.equal(v.spec?.claimRef?.name, 'smallest');
    assert.equal(v.spec?.claimRef?.uid, c.metadata?.uid);
    assert.equal(v.metadata?.annotations?.['pv.kubernetes.io/bound-by-controller'], 'yes');
    assert.equal((await volumeIs('sm-1', 'Available')).spec?.claimRef, undefined);
  });

  test('a label selector narrows the choice; spec.volumeName picks one volume', async () => {
    await pvs().create(pv('sel-plain', '1Gi'));
    await pvs().create(pv('sel-gold', '5Gi', {}, { tier: 'gold' }));
    await pvcs().create(pvc('gold', '1Gi', { selector: { matchLabels: { tier: 'gold' } } }));
    assert.equal((await claimIs('gold', 'Bound')).spec?.volumeName, 'sel-gold');
    await pvs().create(pv('named', '3Gi'));
    await pvcs().create(pvc('by-name', '1Gi', { volumeName: 'named' }));
    const c = await claimIs('by-name', 'Bound');
    assert.equal(c.metadata?.annotations?.['pv.kubernetes.io/bound-by-controller'], undefined);
    assert.equal((await volumeIs('named', 'Bound')).metadata?.annotations?.['pv.kubernetes.io/bound-by-controller'], 'yes');
  });

  test('a volume pre-bound by claimRef waits Available for that claim, then binds to it', async () => {
    await pvs().create(pv('reserved', '1Gi', { claimRef: { namespace: 'default', name: 'reserver' } }));
    await volumeIs('reserved', 'Available');
    await pvcs().create(pvc('reserver', '1Gi'));
    assert.equal((await claimIs('reserver', 'Bound')).spec?.volumeName, 'reserved');
    assert.equal((await volumeIs('reserved', 'Bound')).metadata?.annotations?.['pv.kubernetes.io/bound-by-controller'], undefined);
  });

  test('a claim with no class at all (no default yet) stays classless for now', async () => {
    // (A selector no volume matches: a classless claim could otherwise bind a classless volume.)
    const c = await pvcs().create({ metadata: { name: 'retro' }, spec: { accessModes: ['ReadWriteOnce'], selector: { matchLabels: { none: 'x' } }, resources: { requests: { storage: '1Gi' } } } });
    assert.equal(c.spec?.storageClassName, undefined);
    await eventFor('retro', 'FailedBinding');
  });

  test('nothing fits and no class: Pending with FailedBinding', async () => {
    await pvcs().create(pvc('huge', '100Ti'));
    await claimIs('huge', 'Pending');
    const e = await eventFor('huge', 'FailedBinding');
    assert.equal(e.type, 'Normal');
    assert.equal(e.message, 'no persistent volumes available for this claim and no storage class is set');
    assert.equal(e.source?.component, 'persistentvolume-controller');
  });

  test('reclaim: Retain → Released; Delete without a provisioner → Failed', async () => {
    await pvs().create(pv('keep', '1Gi', { persistentVolumeReclaimPolicy: 'Retain' }, { set: 'keep' }));
    await pvcs().create(pvc('keeper', '1Gi', { selector: { matchLabels: { set: 'keep' } } }));
    await claimIs('keeper', 'Bound');
    await pvcs().delete('keeper');
    assert.equal((await volumeIs('keep', 'Released')).spec?.claimRef?.name, 'keeper');
    await pvs().create(pv('drop', '1Gi', { persistentVolumeReclaimPolicy: 'Delete' }, { set: 'drop' }));
    await pvcs().create(pvc('dropper', '1Gi', { selector: { matchLabels: { set: 'drop' } } }));
    await claimIs('dropper', 'Bound');
    await pvcs().delete('dropper');
    const failed = await volumeIs('drop', 'Failed');
    assert.match(failed.status?.message ?? '', /no deletable volume plugin matched/);
  });

  test('a PV cannot be repointed: its source is immutable (422)', async () => {
    await assert.rejects(pvs().patch('sm-10', 'merge', { spec: { hostPath: { path: '/etc' } } }), (e: Error & { code?: number }) => {
      assert.equal(e.code, 422);
      assert.match(e.message, /PersistentVolume "sm-10" is invalid: spec\.persistentvolumesource: Forbidden: spec\.persistentvolumesource is immutable after creation/);
      return true;
    });
  });

  test('a bound claim whose volume is deleted is Lost', async () => {
    await pvs().create(pv('vanish', '1Gi', {}, { set: 'vanish' }));
    await pvcs().create(pvc('orphan', '1Gi', { selector: { matchLabels: { set: 'vanish' } } }));
    await claimIs('orphan', 'Bound');
    await pvs().delete('vanish');
    // A bound PV keeps its kubernetes.io/pv-protection finalizer: the volume is gone only once
    // someone removes it by force, as on a cluster where the backing storage vanished.
    await pvs().patch('vanish', 'merge', { metadata: { finalizers: null } });
    await claimIs('orphan', 'Lost');
    assert.equal((await eventFor('orphan', 'ClaimLost')).type, 'Warning');
  });
});

describe('persistentvolume-binder: classes and provisioners', () => {
  before(async () => {
    await client.resource('storageclasses.storage.k8s.io').create(localPathStorageClass());
    await client.resource('storageclasses.storage.k8s.io').create({
      metadata: { name: 'instant' },
      provisioner: 'tskube.io/local-path',
      volumeBindingMode: 'Immediate',
      reclaimPolicy: 'Delete',
    } as StorageClass);
  });

  test('DefaultStorageClass admission: a claim without a class gets the default; "" stays classless', async () => {
    const c = await pvcs().create({ metadata: { name: 'defaulted' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } });
    assert.equal(c.spec?.storageClassName, 'local-path');
    const none = await pvcs().create(pvc('classless', '1Gi'));
    assert.equal(none.spec?.storageClassName, '');
  });

  test('WaitForFirstConsumer: Pending with the event until the scheduler selects a node, then annotated for the provisioner', async () => {
    await pvcs().create(pvc('wffc', '1Gi', { storageClassName: 'local-path' }));
    const e = await eventFor('wffc', 'WaitForFirstConsumer');
    assert.equal(e.message, 'waiting for first consumer to be created before binding');
    const c = await claimIs('wffc', 'Pending');
    assert.equal(c.metadata?.annotations?.['volume.kubernetes.io/storage-provisioner'], undefined);
    await pvcs().patch('wffc', 'merge', { metadata: { annotations: { 'volume.kubernetes.io/selected-node': 'node-a' } } });
    const annotated = await waitFor('storage-provisioner annotations', async () => {
      const x = await pvcs().get('wffc');
      return x.metadata?.annotations?.['volume.kubernetes.io/storage-provisioner'] ? x : undefined;
    });
    assert.equal(annotated.metadata?.annotations?.['volume.kubernetes.io/storage-provisioner'], 'tskube.io/local-path');
    assert.equal(annotated.metadata?.annotations?.['volume.beta.kubernetes.io/storage-provisioner'], 'tskube.io/local-path');
    assert.match((await eventFor('wffc', 'ExternalProvisioning')).message ?? '', /external provisioner 'tskube\.io\/local-path'/);
  });

  test('retroactive default StorageClass: a claim created with no class gets the default once there is one', async () => {
    await waitFor('retro gets local-path', async () => (await pvcs().get('retro')).spec?.storageClassName === 'local-path');
  });

  test('WaitForFirstConsumer with an unscheduled pod using the claim: WaitForPodScheduled', async () => {
    await waitFor('default service account', async () => (await client.resource('serviceaccounts', 'default').list()).items.length > 0);
    await pvcs().create(pvc('for-pod', '1Gi', { storageClassName: 'local-path' }));
    await client.resource('pods', 'default').create({
      metadata: { name: 'user' },
      spec: { containers: [{ name: 'c', image: 'busybox:1.35' }], volumes: [{ name: 'data', persistentVolumeClaim: { claimName: 'for-pod' } }] },
    });
    const e = await eventFor('for-pod', 'WaitForPodScheduled');
    assert.equal(e.message, 'waiting for pod user to be scheduled');
  });

  test('Immediate class: annotated at once; an unknown class: ProvisioningFailed', async () => {
    await pvcs().create(pvc('now', '1Gi', { storageClassName: 'instant' }));
    await waitFor('annotated', async () => (await pvcs().get('now')).metadata?.annotations?.['volume.kubernetes.io/storage-provisioner'] === 'tskube.io/local-path');
    await pvcs().create(pvc('ghost', '1Gi', { storageClassName: 'nope' }));
    const e = await eventFor('ghost', 'ProvisioningFailed');
    assert.equal(e.message, 'storageclass.storage.k8s.io "nope" not found');
    assert.equal(e.type, 'Warning');
  });
});

describe('expansion', () => {
  before(async () => {
    await client.resource('storageclasses.storage.k8s.io').create({ metadata: { name: 'growable' }, provisioner: 'example.com/none', allowVolumeExpansion: true } as StorageClass);
    await client.resource('storageclasses.storage.k8s.io').create({ metadata: { name: 'fixed' }, provisioner: 'example.com/none' } as StorageClass);
    await pvs().create(pv('grow-pv', '1Gi', { storageClassName: 'growable' }));
    await pvs().create(pv('fixed-pv', '1Gi', { storageClassName: 'fixed' }));
    await pvcs().create(pvc('grow', '1Gi', { storageClassName: 'growable' }));
    await pvcs().create(pvc('fixed', '1Gi', { storageClassName: 'fixed' }));
    await claimIs('grow', 'Bound');
    await claimIs('fixed', 'Bound');
  });

  test('growing a claim raises the PV capacity, then the claim status', async () => {
    await pvcs().patch('grow', 'merge', { spec: { resources: { requests: { storage: '3Gi' } } } });
    await waitFor('pv capacity', async () => (await pvs().get('grow-pv')).spec?.capacity?.['storage'] === '3Gi');
    const c = await waitFor('claim capacity', async () => {
      const x = await pvcs().get('grow');
      return x.status?.capacity?.['storage'] === '3Gi' ? x : undefined;
    });
    assert.equal(c.status?.conditions, undefined);
  });

  test('a class without allowVolumeExpansion: 403; shrinking: 422; other spec edits: 422', async () => {
    await assert.rejects(pvcs().patch('fixed', 'merge', { spec: { resources: { requests: { storage: '2Gi' } } } }), (e: Error & { code?: number }) => {
      assert.equal(e.code, 403);
      assert.equal(e.message, 'persistentvolumeclaims "fixed" is forbidden: only dynamically provisioned pvc can be resized and the storageclass that provisions the pvc must support resize');
      return true;
    });
    await assert.rejects(pvcs().patch('grow', 'merge', { spec: { resources: { requests: { storage: '1Gi' } } } }), (e: Error & { code?: number }) => {
      assert.equal(e.code, 422);
      assert.match(e.message, /PersistentVolumeClaim "grow" is invalid: spec\.resources\.requests\.storage: Forbidden: field can not be less than status\.capacity/);
      return true;
    });
    await assert.rejects(pvcs().patch('grow', 'merge', { spec: { accessModes: ['ReadWriteMany'] } }), (e: Error & { code?: number }) => {
      assert.equal(e.code, 422);
      assert.match(e.message, /spec is immutable after creation except resources\.requests and volumeAttributesClassName for bound claims/);
      return true;
    });
    // An unbound claim's request is part of its immutable spec (validation runs before the resize plugin, as upstream).
    await assert.rejects(pvcs().patch('huge', 'merge', { spec: { resources: { requests: { storage: '200Ti' } } } }), (e: Error & { code?: number }) => {
      assert.equal(e.code, 422);
      assert.match(e.message, /spec is immutable after creation/);
      return true;
    });
  });
});

describe('kubectl 1.32 get pv,pvc,sc', () => {
  test('Kubernetes\' columns', async () => {
    const k = kubectlFor(api.config);
    const r = await k.run(['get', 'pv,pvc,sc']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^NAME\s+CAPACITY\s+ACCESS MODES\s+RECLAIM POLICY\s+STATUS\s+CLAIM\s+STORAGECLASS\s+VOLUMEATTRIBUTESCLASS\s+REASON\s+AGE$/m);
    assert.match(r.stdout, /^persistentvolume\/sm-2\s+2Gi\s+RWO\s+Retain\s+Bound\s+default\/smallest\s+<unset>\s+\S+$/m);
    assert.match(r.stdout, /^NAME\s+STATUS\s+VOLUME\s+CAPACITY\s+ACCESS MODES\s+STORAGECLASS\s+VOLUMEATTRIBUTESCLASS\s+AGE$/m);
    assert.match(r.stdout, /^persistentvolumeclaim\/grow\s+Bound\s+grow-pv\s+3Gi\s+RWO\s+growable\s+<unset>\s+\S+$/m);
    assert.match(r.stdout, /^persistentvolumeclaim\/huge\s+Pending\s+<unset>\s+\S+$/m);
    assert.match(r.stdout, /^NAME\s+PROVISIONER\s+RECLAIMPOLICY\s+VOLUMEBINDINGMODE\s+ALLOWVOLUMEEXPANSION\s+AGE$/m);
    assert.match(r.stdout, /^storageclass\.storage\.k8s\.io\/local-path \(default\)\s+tskube\.io\/local-path\s+Delete\s+WaitForFirstConsumer\s+true\s+\S+$/m);
  });

  test('kc get pv,pvc,sc prints what kubectl prints', async () => {
    const { kubectl, kc } = await kcPair(api.config).both(['get', 'pv,pvc,sc']);
    assert.equal(kc.code, 0, kc.stderr);
    assert.equal(kc.stdout, kubectl.stdout);
    const wide = await kcPair(api.config).both(['get', 'pv', '-o', 'wide']);
    assert.equal(wide.kc.stdout, wide.kubectl.stdout);
    assert.match(wide.kc.stdout, /VOLUMEMODE/);
  });
});

test('cleanup check: deleting a claim is not blocked', async () => {
  await pvcs().delete('classless');
  await waitFor('deleted', async () => {
    try {
      await pvcs().get('classless');
      return false;
    } catch (e) {
      return isNotFound(e);
    }
  });
});
