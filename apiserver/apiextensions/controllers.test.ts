// Controllers meeting custom resources (run by the controller-manager under its own identity):
// the namespace controller deletes those of a terminating namespace, and the garbage collector
// deletes the dependents of a deleted custom resource — both find them through discovery.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { pino } from 'pino';
import { RestClient, isNotFound } from '../../client/index.js';
import { startControllerManager, type ControllerManagerHandle } from '../../controller-manager/manager.js';
import { startTestApiserver, type TestApiserver } from '../../test/harness/apiserver.js';
import { waitFor } from '../../test/harness/ports.js';
import { simpleCRD } from '../../test/harness/crd.js';

let api: TestApiserver;
let client: RestClient;
let cm: ControllerManagerHandle;

const notes = (ns: string) => `/apis/demo.example.com/v1/namespaces/${ns}/notes`;

before(async () => {
  api = await startTestApiserver();
  client = new RestClient({ ...api.config, qps: 0 });
  await client.json({ method: 'POST', path: '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', body: simpleCRD('demo.example.com', { plural: 'notes', kind: 'Note' }) });
  await waitFor('notes served', () => client.json({ method: 'GET', path: notes('default') }).then(() => true, () => false), 5000);
  cm = await startControllerManager({
    config: await api.configFor('system:kube-controller-manager'),
    controllers: ['namespace', 'garbage-collector'],
    logger: pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }),
  });
});
after(async () => {
  await cm?.stop();
  await client?.close();
  await api?.stop();
});

describe('controllers and custom resources', () => {
  test('a terminating namespace loses its custom resources, then goes away', async () => {
    await client.resource('namespaces').create({ metadata: { name: 'scratch' } });
    await client.json({ method: 'POST', path: notes('scratch'), body: { apiVersion: 'demo.example.com/v1', kind: 'Note', metadata: { name: 'n1' }, text: 'hi' } });
    await client.resource('namespaces').delete('scratch');
    await waitFor('namespace gone', () => client.resource('namespaces').get('scratch').then(() => false, (e: unknown) => isNotFound(e)), 30_000);
    const left = await api.server.storage.range('/registry/demo.example.com/notes/scratch/');
    assert.equal(left.items.length, 0);
  });

  test('the dependents of a deleted custom resource are garbage collected', async () => {
    const owner = await client.json<{ metadata: { uid: string } }>({ method: 'POST', path: notes('default'), body: { apiVersion: 'demo.example.com/v1', kind: 'Note', metadata: { name: 'owner' } } });
    const ownerReferences = [{ apiVersion: 'demo.example.com/v1', kind: 'Note', name: 'owner', uid: owner.metadata.uid }];
    await client.resource('configmaps', 'default').create({ metadata: { name: 'owned', ownerReferences }, data: { a: 'b' } });
    await client.json({ method: 'DELETE', path: `${notes('default')}/owner` });
    await waitFor('dependent collected', () => client.resource('configmaps', 'default').get('owned').then(() => false, (e: unknown) => isNotFound(e)), 20_000);
  });
});
