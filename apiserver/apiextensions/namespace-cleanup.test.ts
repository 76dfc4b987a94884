// The namespace controller (run by the controller-manager under its own identity) deletes the
// custom resources of a terminating namespace, found through discovery, before finalizing it.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { pino } from 'pino';
import { RestClient, isNotFound } from '../../client/index.js';
import { startControllerManager, type ControllerManagerHandle } from '../../controller-manager/manager.js';
import { startTestApiserver, type TestApiserver } from '../../test/harness/apiserver.js';
import { waitFor } from '../../test/harness/ports.js';
import { simpleCRD } from './testing.js';

let api: TestApiserver;
let client: RestClient;
let cm: ControllerManagerHandle;

before(async () => {
  api = await startTestApiserver();
  client = new RestClient({ ...api.config, qps: 0 });
  cm = await startControllerManager({
    config: await api.configFor('system:kube-controller-manager'),
    controllers: ['namespace'],
    logger: pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }),
  });
});
after(async () => {
  await cm?.stop();
  await client?.close();
  await api?.stop();
});

describe('namespace deletion with custom resources', () => {
  test('a terminating namespace loses its custom resources, then goes away', async () => {
    await client.json({
      method: 'POST',
      path: '/apis/apiextensions.k8s.io/v1/customresourcedefinitions',
      body: simpleCRD('demo.example.com', { plural: 'notes', kind: 'Note' }),
    });
    await client.resource('namespaces').create({ metadata: { name: 'scratch' } });
    const notes = '/apis/demo.example.com/v1/namespaces/scratch/notes';
    await waitFor('notes served', () => client.json({ method: 'GET', path: notes }).then(() => true, () => false), 5000);
    await client.json({ method: 'POST', path: notes, body: { apiVersion: 'demo.example.com/v1', kind: 'Note', metadata: { name: 'n1' }, text: 'hi' } });
    await client.resource('namespaces').delete('scratch');
    await waitFor('namespace gone', () => client.resource('namespaces').get('scratch').then(() => false, (e: unknown) => isNotFound(e)), 30_000);
    const left = await api.server.storage.range('/registry/demo.example.com/notes/scratch/');
    assert.equal(left.items.length, 0);
  });
});
