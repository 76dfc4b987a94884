// The pure parts of apiextensions: CRD defaults and validation, naming decisions, version
// priority, served ResourceInfos, the scale view and printer columns of custom resources.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { CustomResourceDefinition } from 'kubernetes-types/apiextensions/v1';
import { RESOURCES } from '../../api/resources.js';
import type { KObject } from '../../api/types.js';
import { defaultCustomResourceDefinition } from './crd-strategy.js';
import { decideNames } from './naming.js';
import { customResourcePrinter } from './printer.js';
import { ResourceRegistry } from './registry.js';
import { compareKubeAwareVersions, customResourceInfos } from './resource-info.js';
import { customResourceScale, setCustomResourceReplicas } from './scale.js';
import { validateCustomResourceDefinition } from './validation.js';
import { noneConverter } from './cr-stores.js';

function crd(over: Partial<CustomResourceDefinition['spec']> = {}, name = 'crontabs.stable.example.com'): CustomResourceDefinition {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name },
    spec: {
      group: 'stable.example.com',
      scope: 'Namespaced',
      names: { plural: 'crontabs', kind: 'CronTab', shortNames: ['ct'] },
      versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object' } } }],
      ...over,
    },
    status: { storedVersions: ['v1'], acceptedNames: { plural: '', kind: '' } },
  };
}

const fields = (errs: { field: string }[]) => errs.map((e) => e.field);

describe('CRD defaults and validation', () => {
  test('defaults fill singular, listKind and conversion None', () => {
    const c = crd();
    defaultCustomResourceDefinition(c as unknown as Record<string, unknown>);
    assert.equal(c.spec.names.singular, 'crontab');
    assert.equal(c.spec.names.listKind, 'CronTabList');
    assert.deepEqual(c.spec.conversion, { strategy: 'None' });
  });

  test('a valid CRD has no errors', () => {
    const c = crd();
    defaultCustomResourceDefinition(c as unknown as Record<string, unknown>);
    assert.deepEqual(validateCustomResourceDefinition(c as unknown as Record<string, unknown>), []);
  });

  test('name, group, scope, storage versions, schema, scale paths and columns are checked', () => {
    const c = crd({
      group: 'example',
      scope: 'Everywhere' as never,
      versions: [
        { name: 'v1', served: true, storage: true, subresources: { scale: { specReplicasPath: 'spec.replicas', statusReplicasPath: '.spec.replicas' } } },
        { name: 'v2', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object' } }, additionalPrinterColumns: [{ name: 'X', type: 'text', jsonPath: '' }] },
      ],
    });
    defaultCustomResourceDefinition(c as unknown as Record<string, unknown>);
    const errs = validateCustomResourceDefinition(c as unknown as Record<string, unknown>);
    const f = fields(errs);
    for (const want of [
      'metadata.name',
      'spec.group',
      'spec.scope',
      'spec.versions',
      'spec.versions[0].schema.openAPIV3Schema',
      'spec.versions[0].subresources.scale.specReplicasPath',
      'spec.versions[0].subresources.scale.statusReplicasPath',
      'spec.versions[1].additionalPrinterColumns[0].type',
      'spec.versions[1].additionalPrinterColumns[0].jsonPath',
    ]) {
      assert.ok(f.includes(want), `${want} in ${f.join(', ')}`);
    }
    const name = errs.find((e) => e.field === 'metadata.name');
    assert.equal(name?.message, 'Invalid value: "crontabs.stable.example.com": must be spec.names.plural+"."+spec.group');
    assert.ok(errs.some((e) => e.field === 'spec.versions' && e.message.endsWith('must have exactly one version marked as storage version')));
    assert.ok(errs.some((e) => e.field === 'spec.group' && e.message === 'Invalid value: "example": should be a domain with at least one dot'));
  });
});

describe('naming', () => {
  test('requested names are accepted without conflicts, and the CRD is established', () => {
    const d = decideNames(crd(), [], RESOURCES);
    assert.equal(d.acceptedNames.plural, 'crontabs');
    assert.equal(d.namesAccepted.status, 'True');
    assert.equal(d.namesAccepted.reason, 'NoConflicts');
    assert.equal(d.established.status, 'True');
  });

  test('a short name another CRD of the group accepted is a conflict', () => {
    const other = crd({}, 'crontabs.stable.example.com');
    other.status = { storedVersions: ['v1'], acceptedNames: { plural: 'crontabs', singular: 'crontab', kind: 'CronTab', listKind: 'CronTabList', shortNames: ['ct'] } };
    const mine = crd({ names: { plural: 'jobs', kind: 'Job', shortNames: ['ct'] } }, 'jobs.stable.example.com');
    const d = decideNames(mine, [other], RESOURCES);
    assert.equal(d.namesAccepted.status, 'False');
    assert.equal(d.namesAccepted.reason, 'ShortNamesConflict');
    assert.equal(d.namesAccepted.message, '"ct" is already in use');
    assert.equal(d.established.status, 'False');
    assert.equal(d.acceptedNames.plural, '');
  });

  test('another group may reuse the names; a built-in group may not', () => {
    const other = crd({ group: 'other.example.com' }, 'crontabs.other.example.com');
    other.status = { storedVersions: ['v1'], acceptedNames: { plural: 'crontabs', kind: 'CronTab', shortNames: ['ct'] } };
    assert.equal(decideNames(crd(), [other], RESOURCES).namesAccepted.status, 'True');
    const ingress = crd({ group: 'networking.k8s.io', names: { plural: 'ingresses', kind: 'Ingress' } }, 'ingresses.networking.k8s.io');
    const d = decideNames(ingress, [], RESOURCES);
    assert.equal(d.namesAccepted.reason, 'PluralConflict');
  });
});

describe('served versions', () => {
  test('Kubernetes version priority: GA, beta, alpha, then others', () => {
    const sorted = ['v1alpha1', 'foo', 'v2', 'v1beta2', 'v1', 'v1beta1', 'v11alpha2', 'bar'].sort(compareKubeAwareVersions);
    assert.deepEqual(sorted, ['v2', 'v1', 'v1beta2', 'v1beta1', 'v11alpha2', 'v1alpha1', 'bar', 'foo']);
  });

  test('one ResourceInfo per served version under the accepted names; none before acceptance', () => {
    const c = crd({
      versions: [
        { name: 'v1beta1', served: true, storage: false },
        { name: 'v1', served: true, storage: true, subresources: { status: {}, scale: { specReplicasPath: '.spec.replicas', statusReplicasPath: '.status.replicas' } } },
        { name: 'v0', served: false, storage: false },
      ],
    });
    assert.deepEqual(customResourceInfos(c), []);
    c.status = { storedVersions: ['v1'], acceptedNames: { plural: 'crontabs', singular: 'crontab', kind: 'CronTab', listKind: 'CronTabList', shortNames: ['ct'], categories: ['all'] } };
    const infos = customResourceInfos(c);
    assert.deepEqual(infos.map((i) => i.version), ['v1', 'v1beta1']);
    assert.deepEqual(infos[0]!.subresources, ['status', 'scale']);
    assert.equal(infos[0]!.custom?.storageVersion, 'v1');
    assert.equal(infos[1]!.custom?.storageVersion, 'v1');
    assert.deepEqual(infos[1]!.categories, ['all']);
  });

  test('the registry serves custom resources next to built-ins and changes identity on change', () => {
    const r = new ResourceRegistry();
    const before = r.resources();
    const c = crd();
    c.status = { storedVersions: ['v1'], acceptedNames: { plural: 'crontabs', kind: 'CronTab' } };
    r.set('crontabs.stable.example.com', customResourceInfos(c));
    assert.notEqual(r.resources(), before);
    assert.equal(r.find('stable.example.com', 'v1', 'crontabs')?.kind, 'CronTab');
    assert.equal(r.find('stable.example.com', 'v2', 'crontabs'), undefined);
    assert.equal(r.find('apps', 'v1', 'deployments')?.kind, 'Deployment');
    r.set('crontabs.stable.example.com', []);
    assert.equal(r.find('stable.example.com', 'v1', 'crontabs'), undefined);
  });

  test('conversion None changes only apiVersion', () => {
    const codec = noneConverter('stable.example.com', 'v1beta1', 'v1');
    const obj: KObject = { apiVersion: 'stable.example.com/v1beta1', kind: 'CronTab', metadata: { name: 'a' }, spec: { x: 1 } };
    assert.deepEqual(codec.toStorage(obj), { ...obj, apiVersion: 'stable.example.com/v1' });
    assert.deepEqual(codec.fromStorage(codec.toStorage(obj)), obj);
  });
});

describe('scale and printer columns', () => {
  const scale = { specReplicasPath: '.spec.size', statusReplicasPath: '.status.ready', labelSelectorPath: '.status.selector' };
  const obj: KObject = { apiVersion: 'x.io/v1', kind: 'Db', metadata: { name: 'db', namespace: 'ns', creationTimestamp: '2024-01-01T00:00:00Z' }, spec: { size: 2, engine: 'pg' }, status: { ready: 1, selector: 'app=db' } };

  test('the Scale reads and writes the CRD paths', () => {
    const s = customResourceScale(obj, scale);
    assert.deepEqual(s.spec, { replicas: 2 });
    assert.deepEqual(s.status, { replicas: 1, selector: 'app=db' });
    const copy = structuredClone(obj);
    setCustomResourceReplicas(copy, scale, 5);
    assert.equal((copy.spec as { size: number }).size, 5);
    assert.throws(() => customResourceScale({ ...obj, spec: { size: 'two' } }, scale), /not an integer/);
  });

  test('columns: NAME plus the JSONPaths, dates as ages, missing values null; default AGE', () => {
    const p = customResourcePrinter([
      { name: 'Engine', type: 'string', jsonPath: '.spec.engine' },
      { name: 'Size', type: 'integer', jsonPath: '.spec.size', priority: 1 },
      { name: 'Missing', type: 'string', jsonPath: '.spec.nothing' },
      { name: 'Created', type: 'date', jsonPath: '.metadata.creationTimestamp' },
    ]);
    assert.deepEqual(p.columns.map((c) => [c.name, c.type, c.priority]), [['Name', 'string', 0], ['Engine', 'string', 0], ['Size', 'integer', 1], ['Missing', 'string', 0], ['Created', 'date', 0]]);
    assert.deepEqual(p.cells(obj, new Date('2024-01-01T00:05:00Z')), ['db', 'pg', 2, null, '5m']);
    const d = customResourcePrinter([]);
    assert.deepEqual(d.columns.map((c) => c.name), ['Name', 'Age']);
    assert.deepEqual(d.cells(obj, new Date('2024-01-01T00:00:30Z')), ['db', '30s']);
  });
});
