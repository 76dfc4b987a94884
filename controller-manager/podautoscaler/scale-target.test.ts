// Scale targets: built-in kinds from the resource table, other kinds (CRs with a scale
// subresource) from discovery, and the first mapping that answers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { RestClient } from '../../client/index.js';
import { StatusError } from '../../api/status.js';
import { getScale, scaleMappings, scalePath } from './scale-target.js';

/** A RestClient answering GETs from a table of paths; anything else is a 404. */
function stubClient(paths: Record<string, unknown>): { client: RestClient; asked: string[] } {
  const asked: string[] = [];
  const answer = async (path: string): Promise<unknown> => {
    asked.push(path);
    if (path in paths) return paths[path];
    throw new StatusError(404, 'NotFound', 'the server could not find the requested resource');
  };
  const client = { getPath: answer, json: ({ path }: { path: string }) => answer(path) } as unknown as RestClient;
  return { client, asked };
}

test('built-in kinds map by group and kind, whatever the version asked', async () => {
  const { client, asked } = stubClient({});
  assert.deepEqual(await scaleMappings(client, 'apps/v1beta1', 'Deployment'), [{ group: 'apps', version: 'v1', resource: 'deployments', namespaced: true }]);
  assert.deepEqual(await scaleMappings(client, 'v1', 'ReplicationController'), [{ group: '', version: 'v1', resource: 'replicationcontrollers', namespaced: true }]);
  assert.deepEqual(asked, []);
  assert.equal(scalePath({ group: '', version: 'v1', resource: 'replicationcontrollers', namespaced: true }, 'ns', 'rc'), '/api/v1/namespaces/ns/replicationcontrollers/rc/scale');
});

test('other kinds come from discovery: the asked version first, then the preferred one', async () => {
  const { client } = stubClient({
    '/apis/example.com': { preferredVersion: { version: 'v2' }, versions: [{ version: 'v2' }, { version: 'v1' }] },
    '/apis/example.com/v1': { resources: [{ name: 'crontabs/scale', kind: 'Scale', namespaced: true }, { name: 'crontabs', kind: 'CronTab', namespaced: true }] },
    '/apis/example.com/v2': { resources: [{ name: 'crontabs', kind: 'CronTab', namespaced: true }] },
  });
  const m = await scaleMappings(client, 'example.com/v1', 'CronTab');
  assert.deepEqual(m.map((x) => `${x.version}/${x.resource}`), ['v1/crontabs', 'v2/crontabs']);
  await assert.rejects(scaleMappings(client, 'example.com/v1', 'Nope'), /^Error: no matches for kind "Nope" in group "example.com"$/);
});

test('getScale: the first mapping that answers; otherwise the first error', async () => {
  const scale = { kind: 'Scale', apiVersion: 'autoscaling/v1', spec: { replicas: 2 }, status: { replicas: 2, selector: 'app=x' } };
  const { client } = stubClient({ '/apis/example.com/v2/namespaces/ns/crontabs/x/scale': scale });
  const mappings = [
    { group: 'example.com', version: 'v1', resource: 'crontabs', namespaced: true },
    { group: 'example.com', version: 'v2', resource: 'crontabs', namespaced: true },
  ];
  const got = await getScale(client, mappings, 'ns', 'x');
  assert.deepEqual([got.scale, got.mapping.version], [scale, 'v2']);
  await assert.rejects(getScale(client, mappings, 'ns', 'y'), (e: unknown) => e instanceof StatusError && e.status.code === 404);
});
