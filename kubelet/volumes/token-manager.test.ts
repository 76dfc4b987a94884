import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TokenRequest } from 'kubernetes-types/authentication/v1';
import type { Pod, Volume } from 'kubernetes-types/core/v1';
import { pino } from 'pino';
import type { KObject } from '../../api/types.js';
import { createTokenRequest, type BoundTokenRequest, type TokenRequestDeps } from '../../apiserver/auth/token-request.js';
import { TokenManager, type RequestToken } from './token-manager.js';
import { VolumeManager } from './volume-manager.js';
import { VolumeSetupError, type VolumeObjects } from './sources.js';

const T0 = Date.parse('2025-01-01T00:00:00Z');
const silent = pino({ level: 'silent' });

function podNamed(name: string, uid: string, sa = 'builder'): Pod {
  return { metadata: { name, namespace: 'ci', uid }, spec: { serviceAccountName: sa, containers: [{ name: 'c' }] } };
}

/** A fake issuer: records every request, answers `tok-<n>` valid for the requested seconds from "now". */
function issuer(clock: { now: number }) {
  const calls: Array<{ namespace: string; sa: string; tr: TokenRequest }> = [];
  let fail: Error | undefined;
  const requestToken: RequestToken = async (namespace, sa, tr) => {
    calls.push({ namespace, sa, tr: structuredClone(tr) });
    if (fail) throw fail;
    const seconds = tr.spec.expirationSeconds ?? 3600;
    return { ...tr, status: { token: `tok-${calls.length}`, expirationTimestamp: new Date(clock.now + seconds * 1000).toISOString() } };
  };
  return { calls, requestToken, failWith: (e: Error | undefined) => void (fail = e) };
}

function manager(clock: { now: number }, requestToken: RequestToken): TokenManager {
  return new TokenManager({ requestToken, now: () => clock.now, random: () => 0, logger: silent });
}

test('a projected source becomes a TokenRequest bound to the pod; the cache answers until 80% of the TTL', async () => {
  const clock = { now: T0 };
  const iss = issuer(clock);
  const tm = manager(clock, iss.requestToken);
  const pod = podNamed('web-0', 'uid-1');
  assert.equal(await tm.podToken(pod, { path: 'token', expirationSeconds: 3607 }), 'tok-1');
  assert.deepEqual(iss.calls[0], {
    namespace: 'ci',
    sa: 'builder',
    tr: {
      apiVersion: 'authentication.k8s.io/v1',
      kind: 'TokenRequest',
      spec: { audiences: [], expirationSeconds: 3607, boundObjectRef: { kind: 'Pod', apiVersion: 'v1', name: 'web-0', uid: 'uid-1' } },
    },
  });
  // 80% of 3607 s is 2885.6 s; k8s refreshes once fewer than floor(20%) = 721 s are left.
  clock.now = T0 + (3607 - 721) * 1000;
  assert.equal(await tm.podToken(pod, { path: 'token', expirationSeconds: 3607 }), 'tok-1', 'not yet due');
  assert.equal(iss.calls.length, 1);
  clock.now += 1;
  assert.equal(await tm.podToken(pod, { path: 'token', expirationSeconds: 3607 }), 'tok-2', 'due: a new token');
  assert.equal(iss.calls.length, 2);
  assert.equal(await tm.podToken(pod, { path: 'token', expirationSeconds: 3607 }), 'tok-2', 'the new one is cached');
  assert.equal(iss.calls.length, 2);
});

test('defaults: 3600 s and the pod\'s default service account; tokens older than 24 h are refreshed', async () => {
  const clock = { now: T0 };
  const iss = issuer(clock);
  const tm = manager(clock, iss.requestToken);
  const pod: Pod = { metadata: { name: 'p', namespace: 'ci', uid: 'u' }, spec: { containers: [] } };
  await tm.podToken(pod, { path: 'token' });
  assert.equal(iss.calls[0].sa, 'default');
  assert.equal(iss.calls[0].tr.spec.expirationSeconds, 3600);
  // A 48 h token would wait 38.4 h for its 80%, but k8s refreshes anything older than a day.
  const long = { path: 'token', expirationSeconds: 48 * 3600 };
  await tm.podToken(pod, long);
  assert.equal(iss.calls.length, 2);
  clock.now = T0 + 24 * 3600_000;
  await tm.podToken(pod, long);
  assert.equal(iss.calls.length, 2, 'exactly 24 h: still fine');
  clock.now += 1;
  await tm.podToken(pod, long);
  assert.equal(iss.calls.length, 3);
});

test('tokens are separate per audience, lifetime and pod; forgetting a pod drops only its tokens', async () => {
  const clock = { now: T0 };
  const iss = issuer(clock);
  const tm = manager(clock, iss.requestToken);
  const a = podNamed('a', 'uid-a');
  const b = podNamed('b', 'uid-b');
  const vault = { path: 'vault-token', audience: 'vault', expirationSeconds: 600 };
  const api = { path: 'token', expirationSeconds: 3607 };
  const first = [await tm.podToken(a, vault), await tm.podToken(a, api), await tm.podToken(b, api), await tm.podToken(a, { ...api, expirationSeconds: 7200 })];
  assert.deepEqual(first, ['tok-1', 'tok-2', 'tok-3', 'tok-4'], 'four different keys, four requests');
  assert.deepEqual(iss.calls[0].tr.spec.audiences, ['vault']);
  assert.deepEqual(iss.calls[1].tr.spec.audiences, []);
  assert.deepEqual([await tm.podToken(a, vault), await tm.podToken(b, api)], ['tok-1', 'tok-3'], 'cached');
  assert.equal(tm.size, 4);
  tm.deleteServiceAccountToken('uid-a');
  assert.equal(tm.size, 1);
  assert.equal(await tm.podToken(b, api), 'tok-3', "b's token survives");
  assert.equal(await tm.podToken(a, vault), 'tok-5', "a's tokens were forgotten");
});

test('concurrent setups share one request; a pod forgotten meanwhile leaves nothing cached', async () => {
  const clock = { now: T0 };
  const iss = issuer(clock);
  let release: () => void = () => undefined;
  const gate = new Promise<void>((r) => (release = r));
  const slow: RequestToken = async (...args) => {
    await gate;
    return iss.requestToken(...args);
  };
  const tm = manager(clock, slow);
  const pod = podNamed('a', 'uid-a');
  const both = Promise.all([tm.podToken(pod, { path: 't' }), tm.podToken(pod, { path: 't' })]);
  release();
  assert.deepEqual(await both, ['tok-1', 'tok-1']);
  assert.equal(iss.calls.length, 1);

  let release2: () => void = () => undefined;
  const gate2 = new Promise<void>((r) => (release2 = r));
  const tm2 = manager(clock, async (...args) => {
    await gate2;
    return iss.requestToken(...args);
  });
  const pending = tm2.podToken(pod, { path: 't' });
  tm2.deleteServiceAccountToken('uid-a');
  release2();
  assert.equal(await pending, 'tok-2');
  assert.equal(tm2.size, 0);
});

test('a failed refresh keeps a still-valid token; with none valid the error surfaces', async () => {
  const clock = { now: T0 };
  const iss = issuer(clock);
  const tm = manager(clock, iss.requestToken);
  const pod = podNamed('a', 'uid-a');
  const src = { path: 'token', expirationSeconds: 600 };
  iss.failWith(new Error('serviceaccounts "builder" not found'));
  await assert.rejects(tm.podToken(pod, src), /^Error: failed to fetch token: serviceaccounts "builder" not found$/);
  iss.failWith(undefined);
  assert.equal(await tm.podToken(pod, src), 'tok-2');
  iss.failWith(new Error('apiserver unavailable'));
  clock.now = T0 + 500_000; // due (past 480 s) but valid until 600 s
  assert.equal(await tm.podToken(pod, src), 'tok-2');
  clock.now = T0 + 600_001;
  await assert.rejects(tm.podToken(pod, src), /expired and refresh failed: apiserver unavailable/);
  tm.cleanup();
  assert.equal(tm.size, 0, 'expired tokens are collected');
});

test('a reply without a token is an error, never an empty token', async () => {
  const tm = manager({ now: T0 }, async (_ns, _sa, tr) => ({ ...tr, status: { token: '', expirationTimestamp: new Date(T0 + 3600_000).toISOString() } }));
  await assert.rejects(tm.podToken(podNamed('a', 'u'), { path: 't' }), /failed to fetch token: the TokenRequest reply carries no token/);
});

test('the volume manager writes the token, rewrites it when due, and fails the setup when it cannot get one', async () => {
  const rootDir = await mkdtemp(join(tmpdir(), 'tskube-token-'));
  const clock = { now: T0 };
  const iss = issuer(clock);
  const tm = manager(clock, iss.requestToken);
  const volumes = new VolumeManager({
    rootDir,
    getPVC: async () => undefined,
    getPV: async () => undefined,
    serviceAccountToken: (pod, src) => tm.podToken(pod, src),
  });
  const vol: Volume = {
    name: 'kube-api-access-abcde',
    projected: {
      defaultMode: 0o644,
      sources: [
        { serviceAccountToken: { expirationSeconds: 3607, path: 'token' } },
        { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
        { downwardAPI: { items: [{ path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } }] } },
      ],
    },
  };
  const pod: Pod = { ...podNamed('web', 'uid-w'), spec: { serviceAccountName: 'builder', containers: [{ name: 'c' }], volumes: [vol] } };
  const objs: VolumeObjects = {
    configMap: (ns, n) => (ns === 'ci' && n === 'kube-root-ca.crt' ? { data: { 'ca.crt': 'PEM' } } : undefined),
    secret: () => undefined,
    nodeName: 'n',
    nodeAllocatable: { cpuMilli: 1000, memoryBytes: 1 << 30, ephemeralStorageBytes: 1 << 30 },
  };
  try {
    const mounted = await volumes.setup(pod, objs);
    const dir = mounted.get(vol.name)?.hostPath ?? '';
    assert.equal(mounted.get(vol.name)?.readOnly, true);
    const read = (f: string) => readFile(join(dir, f), 'utf8');
    assert.deepEqual([await read('token'), await read('ca.crt'), await read('namespace')], ['tok-1', 'PEM', 'ci']);
    await volumes.setup(pod, objs); // a resync before the refresh is due: same token
    assert.equal(await read('token'), 'tok-1');
    clock.now = T0 + 3000_000; // past 80% of 3607 s
    await volumes.setup(pod, objs);
    assert.equal(await read('token'), 'tok-2', 'the resync rewrote the token');
    iss.failWith(new Error('the server could not find the requested resource'));
    clock.now = T0 + 3000_000 + 3608_000; // tok-2 expired, refresh fails
    await assert.rejects(volumes.setup(pod, objs), (e: unknown) => e instanceof VolumeSetupError && /expired and refresh failed: the server could not find/.test(e.message));
    // A new pod whose token cannot be fetched never gets a token file.
    const other: Pod = { ...pod, metadata: { ...pod.metadata, name: 'web2', uid: 'uid-w2' } };
    await assert.rejects(volumes.setup(other, objs), /failed to fetch token/);
    await assert.rejects(readFile(join(volumes.podDir('uid-w2'), 'volumes', 'kubernetes.io~projected', vol.name, 'token')), { code: 'ENOENT' });
  } finally {
    await volumes.teardown('uid-w');
    await volumes.teardown('uid-w2');
    await rm(rootDir, { recursive: true, force: true });
  }
});

test("the kubelet's TokenRequests pass the apiserver's TokenRequest handling, and its replies are understood", async () => {
  const issued: BoundTokenRequest[] = [];
  const objects: Record<string, KObject> = {
    'ServiceAccount/ci/builder': { metadata: { name: 'builder', uid: 'sa-uid' } },
    'Pod/ci/web-0': { metadata: { name: 'web-0', uid: 'uid-1' }, spec: { serviceAccountName: 'builder', nodeName: 'n1' } },
    'Node//n1': { metadata: { name: 'n1', uid: 'node-uid' } },
  };
  const clock = { now: T0 };
  const deps: TokenRequestDeps = {
    issuer: {
      issue: async (r) => {
        issued.push(r);
        return { token: `jwt-${issued.length}`, expiration: new Date(clock.now + r.expirationSeconds * 1000) };
      },
    },
    apiAudiences: ['https://kubernetes.default.svc'],
    maxExpirationSeconds: 0,
    get: async (kind, ns, name) => objects[`${kind}/${ns}/${name}`],
  };
  // Over JSON, as on the wire.
  const tm = manager(clock, async (ns, sa, tr) => JSON.parse(JSON.stringify(await createTokenRequest(deps, ns, sa, JSON.parse(JSON.stringify(tr)), undefined))) as TokenRequest);
  const pod = podNamed('web-0', 'uid-1');
  assert.equal(await tm.podToken(pod, { path: 'token', expirationSeconds: 3607 }), 'jwt-1');
  assert.deepEqual(issued[0], {
    namespace: 'ci',
    serviceAccount: { name: 'builder', uid: 'sa-uid' },
    audiences: ['https://kubernetes.default.svc'],
    expirationSeconds: 3607,
    pod: { name: 'web-0', uid: 'uid-1' },
    node: { name: 'n1', uid: 'node-uid' },
  });
  assert.equal(await tm.podToken(pod, { path: 'vault', audience: 'vault', expirationSeconds: 600 }), 'jwt-2');
  assert.deepEqual(issued[1]?.audiences, ['vault']);
  clock.now = T0 + 2000_000;
  assert.equal(await tm.podToken(pod, { path: 'token', expirationSeconds: 3607 }), 'jwt-1', 'cached from the reply');
  clock.now = T0 + 2900_000;
  assert.equal(await tm.podToken(pod, { path: 'token', expirationSeconds: 3607 }), 'jwt-3', 'refreshed at 80%');
  // A pod of another service account: the apiserver refuses, the volume cannot be set up.
  await assert.rejects(tm.podToken(podNamed('web-0', 'uid-1', 'other'), { path: 'token' }), /failed to fetch token: serviceaccounts "other" not found/);
});
