// ResourceQuota end to end over real etcd: 422 for names quota cannot compute, the controller
// filling and correcting status, 403s with Kubernetes' messages, LimitRanger's defaults counted,
// concurrent creates that cannot overshoot, and updates charged only for what they change.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Pod, ResourceQuota, Service } from 'kubernetes-types/core/v1';
import { RestClient } from '../client/index.js';
import { StatusError } from '../api/status.js';
import type { ControllerManagerHandle } from '../controller-manager/manager.js';
import { startTestApiserver, type TestApiserver } from '../test/harness/apiserver.js';
import { startControllerEnv, type ControllerEnv } from '../test/harness/controllers.js';
import { waitFor } from '../test/harness/ports.js';

let api: TestApiserver;
let client: RestClient;
let cm: ControllerManagerHandle;
let env: ControllerEnv;

before(async () => {
  env = await startControllerEnv(['resourcequota']);
  ({ api, client, cm } = env);
});
after(async () => {
  await env?.stop();
});

async function namespace(name: string): Promise<void> {
  await client.resource('namespaces').create({ metadata: { name } });
}

const pod = (name: string, resources?: Record<string, unknown>): Pod => ({
  metadata: { name },
  spec: { containers: [{ name: 'app', image: 'busybox', ...(resources ? { resources } : {}) }] },
});

/** Creates the quota and waits until the controller has filled its status. */
async function quota(ns: string, name: string, spec: ResourceQuota['spec']): Promise<void> {
  await client.resource('resourcequotas', ns).create({ metadata: { name }, spec });
  await waitFor(`${name} status`, async () => ((await client.resource('resourcequotas', ns).get(name)).status?.used ? true : undefined));
}

const used = async (ns: string, name: string): Promise<Record<string, string>> => (await client.resource('resourcequotas', ns).get(name)).status?.used ?? {};

async function refusal(p: Promise<unknown>): Promise<StatusError> {
  const err = await p.then(() => undefined, (e: unknown) => e);
  assert.ok(err instanceof StatusError, `expected a Status error, got ${String(err)}`);
  return err;
}

describe('ResourceQuota', () => {
  test('a hard name quota cannot compute is 422 with a field cause', async () => {
    const err = await refusal(client.resource('resourcequotas', 'default').create({ metadata: { name: 'bad' }, spec: { hard: { foo: '1' } } }));
    assert.equal(err.code, 422);
    assert.equal(err.reason, 'Invalid');
    assert.deepEqual(err.status.details?.causes?.map((c) => c.field), ['spec.hard[foo]', 'spec.hard[foo]']);
    assert.match(err.message, /ResourceQuota "bad" is invalid: .*spec.hard\[foo\]: Invalid value: "foo": must be a standard resource for quota/);
  });

  test('pods over hard get 403 with the upstream message; deleting one releases it', async () => {
    await namespace('q-pods');
    await client.resource('pods', 'q-pods').create(pod('before'));
    await quota('q-pods', 'q', { hard: { pods: '2', 'count/pods': '10' } });
    assert.deepEqual(await used('q-pods', 'q'), { 'count/pods': '1', pods: '1' });
    await client.resource('pods', 'q-pods').create(pod('p2'));
    const err = await refusal(client.resource('pods', 'q-pods').create(pod('p3')));
    assert.equal(err.code, 403);
    assert.equal(err.reason, 'Forbidden');
    assert.equal(err.message, 'pods "p3" is forbidden: exceeded quota: q, requested: pods=1, used: pods=2, limited: pods=2');
    await client.resource('pods', 'q-pods').delete('before', { gracePeriodSeconds: 0 });
    await waitFor('pods released', async () => ((await used('q-pods', 'q'))['pods'] === '1' ? true : undefined));
    await client.resource('pods', 'q-pods').create(pod('p3'));
    assert.deepEqual(await used('q-pods', 'q'), { 'count/pods': '2', pods: '2' });
  });

  test('a dry run is checked but not charged', async () => {
    await namespace('q-dry');
    await quota('q-dry', 'q', { hard: { pods: '1' } });
    await client.resource('pods', 'q-dry').create(pod('dry'), { dryRun: true });
    assert.deepEqual(await used('q-dry', 'q'), { pods: '0' });
    await client.resource('pods', 'q-dry').create(pod('real'));
    const err = await refusal(client.resource('pods', 'q-dry').create(pod('dry-over'), { dryRun: true }));
    assert.equal(err.message, 'pods "dry-over" is forbidden: exceeded quota: q, requested: pods=1, used: pods=1, limited: pods=1');
  });

  test('a terminal pod stops counting', async () => {
    await namespace('q-terminal');
    await quota('q-terminal', 'q', { hard: { pods: '1' } });
    await client.resource('pods', 'q-terminal').create(pod('done'));
    const cur = await client.resource('pods', 'q-terminal').get('done');
    await client.resource('pods', 'q-terminal').updateStatus({ ...cur, status: { phase: 'Succeeded' } });
    await waitFor('terminal pod released', async () => ((await used('q-terminal', 'q'))['pods'] === '0' ? true : undefined));
    await client.resource('pods', 'q-terminal').create(pod('next'));
  });

  test('compute quotas require requests; LimitRanger defaults are charged', async () => {
    await namespace('q-compute');
    await quota('q-compute', 'compute', { hard: { 'requests.cpu': '1', 'requests.memory': '1Gi', 'limits.cpu': '2' } });
    const err = await refusal(client.resource('pods', 'q-compute').create(pod('bare')));
    assert.equal(err.code, 403);
    assert.equal(err.message, 'pods "bare" is forbidden: failed quota: compute: must specify limits.cpu for: app; requests.cpu for: app; requests.memory for: app');
    await client.resource('limitranges', 'q-compute').create({
      metadata: { name: 'defaults' },
      spec: { limits: [{ type: 'Container', default: { cpu: '500m', memory: '256Mi' }, defaultRequest: { cpu: '400m', memory: '256Mi' } }] },
    });
    await waitFor('LimitRanger defaults a pod', async () => {
      try {
        await client.resource('pods', 'q-compute').create(pod('defaulted'));
        return true;
      } catch (e) {
        if (e instanceof StatusError && e.code === 403) return undefined;
        throw e;
      }
    });
    assert.deepEqual(await used('q-compute', 'compute'), { 'limits.cpu': '500m', 'requests.cpu': '400m', 'requests.memory': '256Mi' });
    await client.resource('pods', 'q-compute').create(pod('second'));
    const over = await refusal(client.resource('pods', 'q-compute').create(pod('third')));
    assert.equal(over.message, 'pods "third" is forbidden: exceeded quota: compute, requested: requests.cpu=400m, used: requests.cpu=800m, limited: requests.cpu=1');
  });

  test('concurrent creates against a small quota never overshoot it', async () => {
    await namespace('q-race');
    await quota('q-race', 'small', { hard: { pods: '5' } });
    const results = await Promise.allSettled(Array.from({ length: 30 }, (_, i) => client.resource('pods', 'q-race').create(pod(`race-${i}`))));
    const ok = results.filter((r) => r.status === 'fulfilled').length;
    const refused = results.filter((r) => r.status === 'rejected' && r.reason instanceof StatusError && r.reason.code === 403).length;
    assert.equal(ok, 5);
    assert.equal(refused, 25);
    assert.equal((await client.resource('pods', 'q-race').list()).items.length, 5);
    assert.equal((await used('q-race', 'small'))['pods'], '5');
  });

  test('two apiservers on one etcd: the compare-and-swap alone keeps the quota', async () => {
    // The per-namespace queue of one apiserver does not help here: only the resourceVersion
    // precondition on the quota's status stands between the two.
    const second = await startTestApiserver({ etcd: api.etcd });
    const other = new RestClient({ ...second.config, qps: 0 });
    try {
      await namespace('q-cas');
      await quota('q-cas', 'small', { hard: { pods: '4' } });
      const results = await Promise.allSettled(Array.from({ length: 24 }, (_, i) => (i % 2 ? other : client).resource('pods', 'q-cas').create(pod(`cas-${i}`))));
      assert.equal(results.filter((r) => r.status === 'fulfilled').length, 4);
      assert.ok(results.every((r) => r.status === 'fulfilled' || (r.reason instanceof StatusError && r.reason.code === 403)));
      assert.equal((await client.resource('pods', 'q-cas').list()).items.length, 4);
      assert.equal((await used('q-cas', 'small'))['pods'], '4');
    } finally {
      await other.close();
      await second.stop();
    }
  });

  test('services: node ports and load balancers; updates that change nothing are not charged', async () => {
    await namespace('q-svc');
    await quota('q-svc', 'svc', { hard: { services: '2', 'services.nodeports': '1', 'services.loadbalancers': '0' } });
    const svcs = client.resource('services', 'q-svc');
    await svcs.create({ metadata: { name: 'a' }, spec: { ports: [{ port: 80 }] } });
    const cur = await svcs.get('a');
    await svcs.update({ ...cur, metadata: { ...cur.metadata, labels: { x: 'y' } } } as Service);
    assert.deepEqual(await used('q-svc', 'svc'), { services: '1', 'services.loadbalancers': '0', 'services.nodeports': '0' });
    const lb = await refusal(svcs.create({ metadata: { name: 'lb' }, spec: { type: 'LoadBalancer', ports: [{ port: 80 }] } }));
    assert.equal(lb.message, 'services "lb" is forbidden: exceeded quota: svc, requested: services.loadbalancers=1, used: services.loadbalancers=0, limited: services.loadbalancers=0');
    const np = await svcs.get('a');
    await svcs.update({ ...np, spec: { ...np.spec, type: 'NodePort' } } as Service);
    assert.equal((await used('q-svc', 'svc'))['services.nodeports'], '1');
  });

  test('object counts of any resource, and PVC storage per class', async () => {
    await namespace('q-count');
    await quota('q-count', 'counts', { hard: { 'count/configmaps': '1', 'count/deployments.apps': '0', 'gold.storageclass.storage.k8s.io/requests.storage': '1Gi' } });
    await client.resource('configmaps', 'q-count').create({ metadata: { name: 'one' } });
    const cm2 = await refusal(client.resource('configmaps', 'q-count').create({ metadata: { name: 'two' } }));
    assert.equal(cm2.message, 'configmaps "two" is forbidden: exceeded quota: counts, requested: count/configmaps=1, used: count/configmaps=1, limited: count/configmaps=1');
    const dep = await refusal(client.resource('deployments.apps', 'q-count').create({
      metadata: { name: 'd' },
      spec: { selector: { matchLabels: { a: 'b' } }, template: { metadata: { labels: { a: 'b' } }, spec: { containers: [{ name: 'c', image: 'busybox' }] } } },
    }));
    assert.equal(dep.message, 'deployments.apps "d" is forbidden: exceeded quota: counts, requested: count/deployments.apps=1, used: count/deployments.apps=0, limited: count/deployments.apps=0');
    const pvc = (name: string, storage: string, storageClassName: string) => ({ metadata: { name }, spec: { storageClassName, accessModes: ['ReadWriteOnce'], resources: { requests: { storage } } } });
    await client.resource('persistentvolumeclaims', 'q-count').create(pvc('silver', '5Gi', 'silver'));
    const gold = await refusal(client.resource('persistentvolumeclaims', 'q-count').create(pvc('gold', '2Gi', 'gold')));
    assert.equal(gold.message, 'persistentvolumeclaims "gold" is forbidden: exceeded quota: counts, requested: gold.storageclass.storage.k8s.io/requests.storage=2Gi, used: gold.storageclass.storage.k8s.io/requests.storage=0, limited: gold.storageclass.storage.k8s.io/requests.storage=1Gi');
  });

  test('deleting a counted object of any resource releases its count', async () => {
    await namespace('q-generic');
    await quota('q-generic', 'deploys', { hard: { 'count/deployments.apps': '1' } });
    const deploy = (name: string) => ({
      metadata: { name },
      spec: { selector: { matchLabels: { a: name } }, template: { metadata: { labels: { a: name } }, spec: { containers: [{ name: 'c', image: 'busybox' }] } } },
    });
    const deployments = client.resource('deployments.apps', 'q-generic');
    await deployments.create(deploy('one'));
    const err = await refusal(deployments.create(deploy('two')));
    assert.equal(err.code, 403);
    await deployments.delete('one');
    await waitFor('count released', async () => ((await used('q-generic', 'deploys'))['count/deployments.apps'] === '0' ? true : undefined));
    await deployments.create(deploy('two'));
  });

  test('scoped quotas charge only the pods in scope', async () => {
    await namespace('q-scope');
    await quota('q-scope', 'besteffort', { hard: { pods: '1' }, scopes: ['BestEffort'] });
    await client.resource('pods', 'q-scope').create(pod('be-1'));
    const err = await refusal(client.resource('pods', 'q-scope').create(pod('be-2')));
    assert.match(err.message, /exceeded quota: besteffort, requested: pods=1, used: pods=1, limited: pods=1/);
    await client.resource('pods', 'q-scope').create(pod('burstable', { requests: { cpu: '100m' } }));
    assert.deepEqual(await used('q-scope', 'besteffort'), { pods: '1' });
  });
});
