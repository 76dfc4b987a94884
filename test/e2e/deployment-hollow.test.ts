// A Deployment through the real scheduler onto hollow nodes (no fake binder): the pods spread
// over the nodes, scale, and roll — the control plane end to end without Docker.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { RestClient } from '../../client/index.js';
import { waitFor } from '../harness/ports.js';
import { startHollowCluster, type HollowCluster } from './hollow-harness.js';

const NS = 'default';

describe('Deployment on hollow nodes with the real scheduler', () => {
  let cluster: HollowCluster;
  let client: RestClient;

  before(async () => {
    cluster = await startHollowCluster({ nodes: 2, namePrefix: 'hollow-', controllers: ['replicaset', 'deployment'] });
    client = cluster.client;
  });

  after(async () => {
    await cluster?.stop();
  });

  const podsOf = async (app: string) =>
    (await client.resource('pods', NS).list({ labelSelector: `app=${app}` })).items.filter((p) => !p.metadata?.deletionTimestamp);

  async function complete(name: string, replicas: number): Promise<void> {
    await waitFor(`${name} complete at ${replicas}`, async () => {
      const d = await client.resource('deployments.apps', NS).get(name);
      const st = d.status;
      return (
        (st?.observedGeneration ?? 0) >= (d.metadata?.generation ?? 0) &&
        st?.updatedReplicas === replicas &&
        st.replicas === replicas &&
        st.availableReplicas === replicas &&
        (await podsOf(name)).length === replicas
      );
    }, 30_000);
  }

  test('6 replicas spread 3/3, scale to 10, roll a new template, scale to 2', async () => {
    const deployments = client.resource('deployments.apps', NS);
    await deployments.create({
      metadata: { name: 'spread' },
      spec: {
        replicas: 6,
        selector: { matchLabels: { app: 'spread' } },
        template: { metadata: { labels: { app: 'spread' } }, spec: { containers: [{ name: 'c', image: 'busybox:1.35' }] } },
      },
    });
    await complete('spread', 6);
    const perNode = (pods: Awaited<ReturnType<typeof podsOf>>) =>
      Object.fromEntries(cluster.nodes.nodeNames.map((n) => [n, pods.filter((p) => p.spec?.nodeName === n).length]));
    assert.deepEqual(perNode(await podsOf('spread')), { 'hollow-0': 3, 'hollow-1': 3 });

    await deployments.patch('spread', 'merge', { spec: { replicas: 10 } });
    await complete('spread', 10);

    await deployments.patch('spread', 'strategic', { spec: { template: { spec: { containers: [{ name: 'c', image: 'busybox:1.36' }] } } } });
    await complete('spread', 10);
    const pods = await podsOf('spread');
    assert.ok(pods.every((p) => p.spec?.containers?.[0]?.image === 'busybox:1.36'));
    assert.ok(Object.values(perNode(pods)).every((n) => n > 0), 'both nodes used');

    await deployments.patch('spread', 'merge', { spec: { replicas: 2 } });
    await complete('spread', 2);
  });
});
