// The root CA publisher against a real apiserver, run by the controller-manager under its own
// identity (system:kube-controller-manager), so the bootstrap RBAC policy is what allows it.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import type { ConfigMap } from 'kubernetes-types/core/v1';
import { RestClient, isNotFound } from '../client/index.js';
import { startTestApiserver, type TestApiserver } from '../test/harness/apiserver.js';
import { waitFor } from '../test/harness/ports.js';
import { startControllerManager, type ControllerManagerHandle } from './manager.js';
import {
  DESCRIPTION_ANNOTATION,
  ROOT_CA_CONFIG_MAP,
  ROOT_CA_DESCRIPTION,
  newRootCAConfigMap,
  readRootCA,
  repairedRootCAConfigMap,
  rootCAConfigMapCurrent,
} from './root-ca-cert-publisher.js';

const PEM = '-----BEGIN CERTIFICATE-----\nnot really\n-----END CERTIFICATE-----\n';

describe('root CA config map decisions', () => {
  test('current only with exactly the CA and a description', () => {
    const cm = newRootCAConfigMap('ns', PEM);
    assert.deepEqual(cm.data, { 'ca.crt': PEM });
    assert.equal(cm.metadata?.annotations?.[DESCRIPTION_ANNOTATION], ROOT_CA_DESCRIPTION);
    assert.equal(rootCAConfigMapCurrent(cm, PEM), true);
    assert.equal(rootCAConfigMapCurrent({ ...cm, data: { 'ca.crt': 'other' } }, PEM), false);
    assert.equal(rootCAConfigMapCurrent({ ...cm, data: { 'ca.crt': PEM, extra: 'x' } }, PEM), false);
    assert.equal(rootCAConfigMapCurrent({ ...cm, metadata: { ...cm.metadata, annotations: {} } }, PEM), false);
  });

  test('a repair rewrites data and the description and keeps the rest', () => {
    const edited: ConfigMap = {
      metadata: { name: ROOT_CA_CONFIG_MAP, namespace: 'ns', resourceVersion: '7', labels: { team: 'a' }, annotations: { note: 'mine' } },
      data: { 'ca.crt': 'tampered', extra: 'x' },
    };
    const fixed = repairedRootCAConfigMap(edited, PEM);
    assert.deepEqual(fixed.data, { 'ca.crt': PEM });
    assert.deepEqual(fixed.metadata?.annotations, { note: 'mine', [DESCRIPTION_ANNOTATION]: ROOT_CA_DESCRIPTION });
    assert.deepEqual([fixed.metadata?.labels, fixed.metadata?.resourceVersion], [{ team: 'a' }, '7']);
    assert.deepEqual(edited.data, { 'ca.crt': 'tampered', extra: 'x' }, 'the input is not modified');
  });

  test('--root-ca-file must hold PEM certificates', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tskube-rootca-'));
    writeFileSync(join(dir, 'junk.pem'), 'hello');
    assert.throws(() => readRootCA(join(dir, 'junk.pem')), /error parsing root-ca-file at .*junk\.pem: data does not contain any valid PEM certificates/);
    writeFileSync(join(dir, 'bad.pem'), PEM);
    assert.throws(() => readRootCA(join(dir, 'bad.pem')), /error parsing root-ca-file/);
  });
});

describe('root-ca-cert-publisher controller', () => {
  let api: TestApiserver;
  let client: RestClient;
  let cm: ControllerManagerHandle;
  let caFile: string;
  const configMaps = (ns: string) => client.resource('configmaps', ns);
  const published = (ns: string) => waitFor(`${ns}/${ROOT_CA_CONFIG_MAP}`, () => configMaps(ns).get(ROOT_CA_CONFIG_MAP).catch(() => undefined));
  const namespace = (name: string) => client.resource('namespaces').create({ metadata: { name } });

  before(async () => {
    api = await startTestApiserver();
    client = new RestClient({ ...api.config, qps: 0 });
    caFile = join(mkdtempSync(join(tmpdir(), 'tskube-rootca-')), 'ca.crt');
    writeFileSync(caFile, api.pki.ca.cert);
    cm = await startControllerManager({
      config: await api.configFor('system:kube-controller-manager'),
      controllers: ['root-ca-cert-publisher'],
      options: { 'root-ca-file': caFile },
      logger: pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }),
    });
  });

  after(async () => {
    await cm?.stop();
    await client?.close();
    await api?.stop();
  });

  test('a new namespace gets kube-root-ca.crt with the CA and the description', async () => {
    await namespace('pub-new');
    const got = await published('pub-new');
    assert.deepEqual(got.data, { 'ca.crt': api.pki.ca.cert });
    assert.equal(got.metadata?.annotations?.[DESCRIPTION_ANNOTATION], ROOT_CA_DESCRIPTION);
    // Namespaces that predate the controller's start are covered too.
    await published('default');
  });

  test('deleted, it is recreated; edited, it is repaired', async () => {
    await namespace('pub-edit');
    const first = await published('pub-edit');
    await configMaps('pub-edit').delete(ROOT_CA_CONFIG_MAP);
    const second = await waitFor('recreated', async () => {
      const c = await configMaps('pub-edit').get(ROOT_CA_CONFIG_MAP).catch(() => undefined);
      return c && c.metadata?.uid !== first.metadata?.uid ? c : undefined;
    });
    assert.deepEqual(second.data, { 'ca.crt': api.pki.ca.cert });

    await configMaps('pub-edit').update({
      ...second,
      metadata: { ...second.metadata, labels: { team: 'a' }, annotations: {} },
      data: { 'ca.crt': 'tampered', extra: 'x' },
    });
    const repaired = await waitFor('repaired', async () => {
      const c = await configMaps('pub-edit').get(ROOT_CA_CONFIG_MAP);
      return c.data?.['ca.crt'] === api.pki.ca.cert ? c : undefined;
    });
    assert.deepEqual(repaired.data, { 'ca.crt': api.pki.ca.cert });
    assert.equal(repaired.metadata?.annotations?.[DESCRIPTION_ANNOTATION], ROOT_CA_DESCRIPTION);
    assert.deepEqual(repaired.metadata?.labels, { team: 'a' }, 'what the publisher does not own is kept');
  });

  test('a terminating namespace is left alone', async () => {
    await namespace('pub-going');
    await namespace('pub-sentinel');
    const before = await published('pub-going');
    const sentinel = await published('pub-sentinel');
    // No namespace controller runs here: the namespace stays Terminating with its content.
    await client.resource('namespaces').delete('pub-going');
    assert.equal((await client.resource('namespaces').get('pub-going')).status?.phase, 'Terminating');
    await configMaps('pub-going').update({ ...before, data: { 'ca.crt': 'tampered' } });
    // The sentinel's edit comes later on the same watch and queue; once it is repaired, the
    // terminating namespace's edit has been seen too.
    await configMaps('pub-sentinel').update({ ...sentinel, data: { 'ca.crt': 'tampered' } });
    await waitFor('sentinel repaired', async () => (await configMaps('pub-sentinel').get(ROOT_CA_CONFIG_MAP)).data?.['ca.crt'] === api.pki.ca.cert);
    assert.deepEqual((await configMaps('pub-going').get(ROOT_CA_CONFIG_MAP)).data, { 'ca.crt': 'tampered' }, 'not repaired');

    await configMaps('pub-going').delete(ROOT_CA_CONFIG_MAP);
    const s2 = await configMaps('pub-sentinel').get(ROOT_CA_CONFIG_MAP);
    await configMaps('pub-sentinel').delete(ROOT_CA_CONFIG_MAP);
    await waitFor('sentinel recreated', async () => {
      const c = await configMaps('pub-sentinel').get(ROOT_CA_CONFIG_MAP).catch(() => undefined);
      return c && c.metadata?.uid !== s2.metadata?.uid;
    });
    const gone = await configMaps('pub-going').get(ROOT_CA_CONFIG_MAP).then(
      () => false,
      (e: unknown) => isNotFound(e),
    );
    assert.equal(gone, true, 'not recreated');
  });
});

describe('root-ca-cert-publisher without --root-ca-file', () => {
  test('does not run, says why once, and the manager runs its other controllers', async () => {
    const api = await startTestApiserver();
    const client = new RestClient({ ...api.config, qps: 0 });
    const lines: Record<string, unknown>[] = [];
    const logger = pino({ level: 'info' }, { write: (l: string) => void lines.push(JSON.parse(l) as Record<string, unknown>) });
    const cm = await startControllerManager({
      config: await api.configFor('system:kube-controller-manager'),
      controllers: ['root-ca-cert-publisher', 'serviceaccount'],
      logger,
    });
    try {
      assert.deepEqual([...cm.controllers].sort(), ['root-ca-cert-publisher', 'serviceaccount']);
      await client.resource('namespaces').create({ metadata: { name: 'no-ca' } });
      // The serviceaccount controller works; by the time it has, the publisher would have too.
      await waitFor('default service account', () => client.resource('serviceaccounts', 'no-ca').get('default').catch(() => undefined));
      assert.equal((await client.resource('configmaps', 'no-ca').list()).items.length, 0);
      const why = lines.filter((l) => l.controller === 'root-ca-cert-publisher' && /disabled: no --root-ca-file/.test(String(l.msg)));
      assert.equal(why.length, 1);
      assert.equal(lines.filter((l) => l.msg === 'controller failed').length, 0);
    } finally {
      await cm.stop();
      await client.close();
      await api.stop();
    }
  });
});
