// The life of a CustomResourceDefinition: cluster scope, a 422 for an invalid CRD, NamesAccepted
// False on a name conflict, and a terminating CRD that refuses creates until its objects are gone.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startTestApiserver, type TestApiserver } from '../../test/harness/apiserver.js';
import { kubectlFor } from '../../test/harness/kubectl.js';
import { waitFor } from '../../test/harness/ports.js';
import { CRONTAB_CRD, crdRequests, simpleCRD, WIDGET_CRD, writeManifest } from '../../test/harness/crd.js';

let api: TestApiserver;
let k: ReturnType<typeof kubectlFor>;
let req: ReturnType<typeof crdRequests>['req'];
let established: ReturnType<typeof crdRequests>['established'];

before(async () => {
  api = await startTestApiserver();
  ({ req, established } = crdRequests(api));
  k = kubectlFor(api.config);
  // crontabs (short name ct) and widgets, a second kind of the same group.
  for (const [f, text] of [['crd.yaml', CRONTAB_CRD], ['widgets.yaml', WIDGET_CRD]] as const) {
    const r = await k.run(['apply', '-f', file(f, text)]);
    assert.equal(r.code, 0, r.stderr);
  }
  await waitFor('crontabs established', established('crontabs.stable.example.com'), 2000);
  await waitFor('widgets established', established('widgets.stable.example.com'), 2000);
});
after(async () => {
  await api?.stop();
});

const file = (name: string, text: string): string => writeManifest(k.home, name, text);

describe('CustomResourceDefinition lifecycle', () => {
  test('cluster-scoped CRD: objects without a namespace', async () => {
    const crd = simpleCRD('geo.example.com', { plural: 'regions', kind: 'Region' }, { scope: 'Cluster', version: 'v1alpha1' });
    assert.equal((await req('POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', crd)).status, 201);
    await waitFor('regions established', established('regions.geo.example.com'), 1000);
    const a = await k.run(['apply', '-f', file('region.yaml', 'apiVersion: geo.example.com/v1alpha1\nkind: Region\nmetadata:\n  name: eu\ndata:\n  zones: 3\n')]);
    assert.equal(a.code, 0, a.stderr);
    const g = await k.run(['get', 'regions']);
    assert.match(g.stdout, /^NAME\s+AGE$/m);
    assert.match(g.stdout, /^eu\s+\d+s$/m);
    const y = await k.run(['get', 'region', 'eu', '-o', 'jsonpath={.data.zones}']);
    assert.equal(y.stdout, '3');
    const nsd = await req('GET', '/apis/geo.example.com/v1alpha1/namespaces/default/regions/eu');
    assert.equal(nsd.status, 404);
  });

  test('an invalid CRD is a 422 with field causes', async () => {
    const r = await req('POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', {
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name: 'wrong.example.com' },
      spec: {
        group: 'nodots',
        scope: 'Somewhere',
        names: { plural: 'things', kind: 'Thing' },
        versions: [
          { name: 'v1', served: true, storage: true },
          { name: 'v2', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object' } } },
        ],
      },
    });
    assert.equal(r.status, 422);
    const fields = ((r.json.details as { causes: { field: string }[] }).causes ?? []).map((c) => c.field);
    for (const f of ['metadata.name', 'spec.group', 'spec.scope', 'spec.versions', 'spec.versions[0].schema.openAPIV3Schema']) assert.ok(fields.includes(f), `${f} in ${fields.join(', ')}`);
  });

  test('NamesAccepted=False on a name conflict in the group', async () => {
    const clash = simpleCRD('stable.example.com', { plural: 'crontasks', kind: 'CronTask', shortNames: ['ct'] }, { schema: { type: 'object' } });
    assert.equal((await req('POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', clash)).status, 201);
    const cond = await waitFor('NamesAccepted decided', async () => {
      const r = await req('GET', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions/crontasks.stable.example.com');
      const conds = ((r.json.status as { conditions?: { type: string; status: string; reason: string; message: string }[] })?.conditions ?? []);
      return conds.find((c) => c.type === 'NamesAccepted');
    }, 2000);
    assert.equal(cond.status, 'False');
    assert.equal(cond.reason, 'ShortNamesConflict');
    assert.equal(cond.message, '"ct" is already in use');
    const notServed = await req('GET', '/apis/stable.example.com/v1/namespaces/default/crontasks');
    assert.equal(notServed.status, 404);
  });

  test('a terminating CRD refuses creates and waits for its objects\' finalizers', async () => {
    const widgets = '/apis/stable.example.com/v1/namespaces/default/widgets';
    const held = { apiVersion: 'stable.example.com/v1', kind: 'Widget', metadata: { name: 'held', finalizers: ['example.com/hold'] }, spec: { cronSpec: '* * * * *' } };
    assert.equal((await req('POST', widgets, held)).status, 201);
    assert.equal((await req('DELETE', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions/widgets.stable.example.com')).status, 200);
    const crdPath = '/apis/apiextensions.k8s.io/v1/customresourcedefinitions/widgets.stable.example.com';
    const terminating = await waitFor('Terminating condition', async () => {
      const r = await req('GET', crdPath);
      const c = ((r.json.status as { conditions?: { type: string; status: string; reason: string }[] })?.conditions ?? []).find((x) => x.type === 'Terminating');
      return c?.status === 'True' ? r.json : undefined;
    });
    assert.ok(((terminating.metadata as { finalizers: string[] }).finalizers).includes('customresourcecleanup.apiextensions.k8s.io'));
    const refused = await req('POST', widgets, { ...held, metadata: { name: 'late' } });
    assert.equal(refused.status, 405);
    assert.equal(refused.json.message, 'create not allowed while custom resource definition is terminating');
    // The object is marked for deletion and waits for its own finalizer; so does the CRD.
    const marked = await waitFor('object marked', async () => ((await req('GET', `${widgets}/held`)).json.metadata as { deletionTimestamp?: string }).deletionTimestamp);
    assert.ok(marked);
    assert.equal((await req('GET', crdPath)).status, 200);
    assert.equal((await req('PATCH', `${widgets}/held`, { metadata: { finalizers: null } }, 'application/merge-patch+json')).status, 200);
    await waitFor('CRD gone', async () => (await req('GET', crdPath)).status === 404, 5000);
    assert.equal((await req('GET', widgets)).status, 404);
  });
});
