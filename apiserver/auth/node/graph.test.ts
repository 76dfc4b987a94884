import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { KObject } from '../../../api/types.js';
import { NodeGraph, type VertexType } from './graph.js';

function pod(name: string, node: string, spec: Record<string, unknown> = {}, extra: { uid?: string; annotations?: Record<string, string>; namespace?: string } = {}): KObject {
  return {
    kind: 'Pod',
    metadata: { name, namespace: extra.namespace ?? 'ns', uid: extra.uid ?? `uid-${name}`, ...(extra.annotations ? { annotations: extra.annotations } : {}) },
    spec: { containers: [{ name: 'c', image: 'i' }], ...spec, ...(node ? { nodeName: node } : {}) },
  };
}

function pvc(name: string, volumeName?: string, namespace = 'ns'): KObject {
  return { kind: 'PersistentVolumeClaim', metadata: { name, namespace }, spec: volumeName ? { volumeName } : {} };
}

function pv(name: string, opts: { claim?: [string, string]; secrets?: [string, string][] } = {}): KObject {
  const [stage, publish] = opts.secrets ?? [];
  return {
    kind: 'PersistentVolume',
    metadata: { name },
    spec: {
      ...(opts.claim ? { claimRef: { namespace: opts.claim[0], name: opts.claim[1] } } : {}),
      csi: {
        driver: 'd',
        volumeHandle: name,
        ...(stage ? { nodeStageSecretRef: { namespace: stage[0], name: stage[1] } } : {}),
        ...(publish ? { nodePublishSecretRef: { namespace: publish[0], name: publish[1] } } : {}),
      },
    },
  };
}

/** Every reference kind Kubernetes' VisitPodSecretNames / VisitPodConfigmapNames know. */
const everything = {
  serviceAccountName: 'runner',
  imagePullSecrets: [{ name: 's-pull' }],
  initContainers: [{ name: 'init', image: 'i', env: [{ name: 'A', valueFrom: { secretKeyRef: { name: 's-init-env', key: 'k' } } }] }],
  containers: [
    {
      name: 'c',
      image: 'i',
      env: [
        { name: 'B', valueFrom: { secretKeyRef: { name: 's-env', key: 'k' } } },
        { name: 'C', valueFrom: { configMapKeyRef: { name: 'cm-env', key: 'k' } } },
        { name: 'D', value: 'plain' },
      ],
      envFrom: [{ secretRef: { name: 's-envfrom' } }, { configMapRef: { name: 'cm-envfrom' } }],
    },
  ],
  ephemeralContainers: [{ name: 'debug', image: 'i', envFrom: [{ secretRef: { name: 's-ephemeral' } }] }],
  volumes: [
    { name: 'v1', secret: { secretName: 's-volume' } },
    { name: 'v2', configMap: { name: 'cm-volume' } },
    {
      name: 'kube-api-access',
      projected: { sources: [{ serviceAccountToken: { path: 'token' } }, { configMap: { name: 'kube-root-ca.crt' } }, { secret: { name: 's-projected' } }] },
    },
    { name: 'v4', persistentVolumeClaim: { claimName: 'claim' } },
    { name: 'scratch', ephemeral: { volumeClaimTemplate: { spec: {} } } },
    { name: 'v6', csi: { driver: 'd', nodePublishSecretRef: { name: 's-csi' } } },
  ],
};

const SECRETS = ['s-pull', 's-init-env', 's-env', 's-envfrom', 's-ephemeral', 's-volume', 's-projected', 's-csi'];
const CONFIGMAPS = ['cm-env', 'cm-envfrom', 'cm-volume', 'kube-root-ca.crt'];

describe('NodeGraph', () => {
  test('a pod bound to a node gives it every object the pod refers to, and nothing else', () => {
    const g = new NodeGraph();
    g.addPod(pod('p', 'n1', everything));
    for (const s of SECRETS) assert.ok(g.hasPathFrom('secret', 'n1', 'ns', s), s);
    for (const c of CONFIGMAPS) assert.ok(g.hasPathFrom('configmap', 'n1', 'ns', c), c);
    assert.ok(g.hasPathFrom('pvc', 'n1', 'ns', 'claim'));
    assert.ok(g.hasPathFrom('pvc', 'n1', 'ns', 'p-scratch'), 'the ephemeral volume claim <pod>-<volume>');
    assert.ok(g.hasPathFrom('serviceaccount', 'n1', 'ns', 'runner'));
    assert.ok(g.hasPathFrom('pod', 'n1', 'ns', 'p'));
    assert.equal(g.countFor('secret', 'n1'), SECRETS.length);
    assert.equal(g.countFor('configmap', 'n1'), CONFIGMAPS.length);
    // Nothing leaks to another node, another namespace, a plain env value or another kind.
    assert.ok(!g.hasPathFrom('secret', 'n2', 'ns', 's-volume'));
    assert.ok(!g.hasPathFrom('secret', 'n1', 'other', 's-volume'));
    assert.ok(!g.hasPathFrom('secret', 'n1', 'ns', 'plain'));
    assert.ok(!g.hasPathFrom('secret', 'n1', 'ns', 'cm-volume'));
    assert.ok(!g.hasPathFrom('configmap', 'n1', 'ns', 's-volume'));
  });

  test('an unscheduled pod gives nothing; binding it gives its node access', () => {
    const g = new NodeGraph();
    g.addPod(pod('p', '', everything));
    assert.equal(g.nodeCount, 0);
    g.addPod(pod('p', 'n1', everything));
    assert.ok(g.hasPathFrom('secret', 'n1', 'ns', 's-env'));
  });

  test('a pod moving to another node, or off every node, takes its objects with it', () => {
    const g = new NodeGraph();
    g.addPod(pod('p', 'n1', everything));
    g.addPod(pod('p', 'n2', everything));
    assert.ok(!g.hasPathFrom('secret', 'n1', 'ns', 's-env'));
    assert.ok(!g.hasPathFrom('serviceaccount', 'n1', 'ns', 'runner'));
    assert.ok(g.hasPathFrom('secret', 'n2', 'ns', 's-env'));
    assert.equal(g.nodeOfPod('ns', 'p'), 'n2');
    g.addPod(pod('p', '', everything));
    assert.ok(!g.hasPathFrom('secret', 'n2', 'ns', 's-env'));
    assert.equal(g.nodeCount, 0, 'a node with no pods left keeps nothing');
  });

  test('a deleted pod takes everything it gave', () => {
    const g = new NodeGraph();
    g.addPod(pod('p', 'n1', everything));
    g.deletePod('ns', 'p');
    for (const s of SECRETS) assert.ok(!g.hasPathFrom('secret', 'n1', 'ns', s), s);
    assert.ok(!g.hasPathFrom('pvc', 'n1', 'ns', 'claim'));
    assert.equal(g.nodeCount, 0);
    g.deletePod('ns', 'p'); // twice is harmless
  });

  test('two pods sharing a secret: it stays reachable until the last one goes', () => {
    const g = new NodeGraph();
    const spec = { volumes: [{ name: 'v', secret: { secretName: 'shared' } }] };
    g.addPod(pod('a', 'n1', spec));
    g.addPod(pod('b', 'n1', spec));
    g.addPod(pod('c', 'n2', spec));
    g.deletePod('ns', 'a');
    assert.ok(g.hasPathFrom('secret', 'n1', 'ns', 'shared'), 'still used by b');
    g.deletePod('ns', 'b');
    assert.ok(!g.hasPathFrom('secret', 'n1', 'ns', 'shared'));
    assert.ok(g.hasPathFrom('secret', 'n2', 'ns', 'shared'), 'n2 keeps it through c');
  });

  test('a pod that refers to the same secret twice gives it once and takes it back once', () => {
    const g = new NodeGraph();
    const spec = { imagePullSecrets: [{ name: 'dup' }], volumes: [{ name: 'v', secret: { secretName: 'dup' } }] };
    g.addPod(pod('a', 'n1', spec));
    g.addPod(pod('b', 'n1', { volumes: [{ name: 'v', secret: { secretName: 'dup' } }] }));
    g.deletePod('ns', 'a');
    assert.ok(g.hasPathFrom('secret', 'n1', 'ns', 'dup'));
  });

  test('an update that adds an ephemeral container with a new secret reference is followed', () => {
    const g = new NodeGraph();
    g.addPod(pod('p', 'n1'));
    assert.ok(!g.hasPathFrom('secret', 'n1', 'ns', 'debug-secret'));
    g.addPod(pod('p', 'n1', { ephemeralContainers: [{ name: 'd', image: 'i', envFrom: [{ secretRef: { name: 'debug-secret' } }] }] }));
    assert.ok(g.hasPathFrom('secret', 'n1', 'ns', 'debug-secret'));
  });

  test('a mirror pod reaches its node only (defence in depth)', () => {
    const g = new NodeGraph();
    g.addPod(pod('m', 'n1', everything, { annotations: { 'kubernetes.io/config.mirror': 'hash' } }));
    assert.ok(g.hasPathFrom('pod', 'n1', 'ns', 'm'));
    assert.equal(g.countFor('secret', 'n1'), 0);
    assert.equal(g.countFor('serviceaccount', 'n1'), 0);
  });

  describe('PVC → PV', () => {
    const claimPod = pod('p', 'n1', { volumes: [{ name: 'd', persistentVolumeClaim: { claimName: 'claim' } }] });

    test("a PV whose claimRef names the pod's claim, and the PV's secrets, are reachable", () => {
      const g = new NodeGraph();
      g.addPod(claimPod);
      g.addPV(pv('pv1', { claim: ['ns', 'claim'], secrets: [['storage', 'stage-creds'], ['', 'publish-creds']] }));
      assert.ok(g.hasPathFrom('pv', 'n1', '', 'pv1'));
      assert.ok(g.hasPathFrom('secret', 'n1', 'storage', 'stage-creds'));
      assert.ok(g.hasPathFrom('secret', 'n1', 'ns', 'publish-creds'), "a reference without namespace is the claim's namespace");
      assert.ok(!g.hasPathFrom('pv', 'n2', '', 'pv1'));
      g.deletePV('pv1');
      assert.ok(!g.hasPathFrom('pv', 'n1', '', 'pv1'));
      assert.ok(!g.hasPathFrom('secret', 'n1', 'storage', 'stage-creds'));
      assert.ok(g.hasPathFrom('pvc', 'n1', 'ns', 'claim'), 'the claim itself stays');
    });

    test('a hand-bound claim (spec.volumeName, PV without claimRef) reaches its PV; rebinding moves access', () => {
      const g = new NodeGraph();
      g.addPV(pv('a', { secrets: [['storage', 'a-creds'], ['', 'no-namespace']] }));
      g.addPV(pv('b'));
      g.addPVC(pvc('claim', 'a'));
      g.addPod(claimPod); // the pod comes after: order does not matter
      assert.ok(g.hasPathFrom('pv', 'n1', '', 'a'));
      assert.ok(g.hasPathFrom('secret', 'n1', 'storage', 'a-creds'));
      assert.equal(g.countFor('secret', 'n1'), 1, 'without a claimRef, a reference without a namespace names no secret');
      g.addPVC(pvc('claim', 'b'));
      assert.ok(!g.hasPathFrom('pv', 'n1', '', 'a'));
      assert.ok(g.hasPathFrom('pv', 'n1', '', 'b'));
      g.deletePVC('ns', 'claim');
      assert.ok(!g.hasPathFrom('pv', 'n1', '', 'b'));
    });

    test("a claim naming a PV that is bound to another claim does not reach it", () => {
      const g = new NodeGraph();
      g.addPV(pv('taken', { claim: ['other', 'theirs'], secrets: [['other', 'their-creds']] }));
      g.addPVC(pvc('claim', 'taken'));
      g.addPod(claimPod);
      assert.ok(!g.hasPathFrom('pv', 'n1', '', 'taken'));
      assert.ok(!g.hasPathFrom('secret', 'n1', 'other', 'their-creds'));
      // The PV is released (claimRef cleared): the hand binding now counts.
      g.addPV(pv('taken'));
      assert.ok(g.hasPathFrom('pv', 'n1', '', 'taken'));
    });

    test("a PV whose secrets change: the node gets the new ones and loses the old", () => {
      const g = new NodeGraph();
      g.addPod(claimPod);
      g.addPV(pv('pv1', { claim: ['ns', 'claim'], secrets: [['s', 'old']] }));
      g.addPV(pv('pv1', { claim: ['ns', 'claim'], secrets: [['s', 'new']] }));
      assert.ok(!g.hasPathFrom('secret', 'n1', 's', 'old'));
      assert.ok(g.hasPathFrom('secret', 'n1', 's', 'new'));
    });

    test('a PV secret also used by a pod stays when the PV goes', () => {
      const g = new NodeGraph();
      g.addPod(pod('p', 'n1', { volumes: [{ name: 'd', persistentVolumeClaim: { claimName: 'claim' } }, { name: 's', secret: { secretName: 'creds' } }] }));
      g.addPV(pv('pv1', { claim: ['ns', 'claim'], secrets: [['ns', 'creds']] }));
      g.deletePV('pv1');
      assert.ok(g.hasPathFrom('secret', 'n1', 'ns', 'creds'));
      g.deletePod('ns', 'p');
      assert.ok(!g.hasPathFrom('secret', 'n1', 'ns', 'creds'));
    });
  });

  test('replace* brings the graph to a fresh list: missing objects go, present ones stay', () => {
    const g = new NodeGraph();
    g.addPod(pod('gone', 'n1', { volumes: [{ name: 's', secret: { secretName: 'x' } }] }));
    g.addPod(pod('kept', 'n1', { volumes: [{ name: 's', secret: { secretName: 'y' } }] }));
    g.addPVC(pvc('c', 'pv1'));
    g.addPV(pv('pv1'));
    g.replacePods([pod('kept', 'n1', { volumes: [{ name: 's', secret: { secretName: 'y' } }, { name: 'c', persistentVolumeClaim: { claimName: 'c' } }] })]);
    assert.ok(!g.hasPathFrom('secret', 'n1', 'ns', 'x'));
    assert.ok(g.hasPathFrom('secret', 'n1', 'ns', 'y'));
    assert.ok(g.hasPathFrom('pv', 'n1', '', 'pv1'));
    g.replacePVCs([]);
    assert.ok(!g.hasPathFrom('pv', 'n1', '', 'pv1'));
    g.replacePVCs([pvc('c', 'pv1')]);
    g.replacePVs([]);
    assert.ok(!g.hasPathFrom('pv', 'n1', '', 'pv1'));
  });

  test('thousands of pods on many nodes: each node sees exactly its own, and deleting all leaves nothing', () => {
    const g = new NodeGraph();
    const N = 5000;
    for (let i = 0; i < N; i++) {
      g.addPod(pod(`p${i}`, `n${i % 100}`, { volumes: [{ name: 's', secret: { secretName: `s${i}` } }, { name: 'c', configMap: { name: 'common' } }] }));
    }
    assert.equal(g.nodeCount, 100);
    for (let n = 0; n < 100; n++) assert.equal(g.countFor('secret', `n${n}`), N / 100);
    assert.ok(g.hasPathFrom('secret', 'n7', 'ns', 's107'));
    assert.ok(!g.hasPathFrom('secret', 'n8', 'ns', 's107'));
    for (let i = 0; i < N; i++) g.deletePod('ns', `p${i}`);
    assert.equal(g.nodeCount, 0);
  });

  test('random add/update/delete sequences agree with a from-scratch computation', () => {
    // mulberry32: a small deterministic PRNG, so a failure reproduces.
    let seed = 12345;
    const rnd = (n: number): number => {
      seed = (seed + 0x6d2b79f5) | 0;
      let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * n);
    };
    const NODES = ['', 'n1', 'n2', 'n3'];
    const NAMES = ['a', 'b', 'c', 'd'];
    const pods = new Map<string, KObject>();
    const pvcs = new Map<string, KObject>();
    const pvs = new Map<string, KObject>();
    const g = new NodeGraph();
    const randomPod = (name: string): KObject =>
      pod(name, NODES[rnd(NODES.length)]!, {
        serviceAccountName: NAMES[rnd(4)],
        volumes: [
          { name: 's', secret: { secretName: NAMES[rnd(4)] } },
          { name: 'c', configMap: { name: NAMES[rnd(4)] } },
          ...(rnd(2) ? [{ name: 'd', persistentVolumeClaim: { claimName: NAMES[rnd(4)] } }] : []),
        ],
      });
    for (let step = 0; step < 3000; step++) {
      const name = NAMES[rnd(4)]!;
      switch (rnd(6)) {
        case 0:
        case 1: {
          const p = randomPod(name);
          pods.set(name, p);
          g.addPod(p);
          break;
        }
        case 2:
          pods.delete(name);
          g.deletePod('ns', name);
          break;
        case 3: {
          const c = pvc(name, rnd(3) ? NAMES[rnd(4)] : undefined);
          pvcs.set(name, c);
          g.addPVC(c);
          break;
        }
        case 4: {
          const v = pv(name, { claim: rnd(2) ? ['ns', NAMES[rnd(4)]!] : undefined, secrets: [['vault', NAMES[rnd(4)]!]] });
          pvs.set(name, v);
          g.addPV(v);
          break;
        }
        default:
          if (rnd(2)) {
            pvcs.delete(name);
            g.deletePVC('ns', name);
          } else {
            pvs.delete(name);
            g.deletePV(name);
          }
      }
      // The expected answer, computed from nothing but the current objects.
      const expected = new Set<string>();
      const pvOf = (v: KObject): { claim?: string; secret: string } => {
        const spec = v.spec as { claimRef?: { name: string }; csi: { nodeStageSecretRef: { name: string } } };
        return { claim: spec.claimRef?.name, secret: spec.csi.nodeStageSecretRef.name };
      };
      for (const p of pods.values()) {
        const spec = p.spec as { nodeName?: string; serviceAccountName: string; volumes: { secret?: { secretName: string }; configMap?: { name: string }; persistentVolumeClaim?: { claimName: string } }[] };
        const n = spec.nodeName;
        if (!n) continue;
        expected.add(`${n} pod ns/${p.metadata!.name}`);
        expected.add(`${n} serviceaccount ns/${spec.serviceAccountName}`);
        for (const v of spec.volumes) {
          if (v.secret) expected.add(`${n} secret ns/${v.secret.secretName}`);
          if (v.configMap) expected.add(`${n} configmap ns/${v.configMap.name}`);
          const claim = v.persistentVolumeClaim?.claimName;
          if (!claim) continue;
          expected.add(`${n} pvc ns/${claim}`);
          for (const [pvName, v2] of pvs) {
            const { claim: ref, secret } = pvOf(v2);
            const bound = ref !== undefined ? ref === claim : (pvcs.get(claim)?.spec as { volumeName?: string } | undefined)?.volumeName === pvName;
            if (!bound) continue;
            expected.add(`${n} pv /${pvName}`);
            expected.add(`${n} secret vault/${secret}`);
          }
        }
      }
      for (const n of NODES.slice(1)) {
        for (const type of ['pod', 'secret', 'configmap', 'serviceaccount', 'pvc'] as VertexType[]) {
          for (const x of NAMES) assert.equal(g.hasPathFrom(type, n, 'ns', x), expected.has(`${n} ${type} ns/${x}`), `step ${step}: ${n} ${type} ns/${x}`);
        }
        for (const x of NAMES) {
          assert.equal(g.hasPathFrom('pv', n, '', x), expected.has(`${n} pv /${x}`), `step ${step}: ${n} pv ${x}`);
          assert.equal(g.hasPathFrom('secret', n, 'vault', x), expected.has(`${n} secret vault/${x}`), `step ${step}: ${n} secret vault/${x}`);
        }
      }
    }
    for (const name of NAMES) g.deletePod('ns', name);
    assert.equal(g.nodeCount, 0);
  });
});
