// A Deployment through the real scheduler onto hollow nodes (no fake binder): the pods spread
// over the nodes, scale, and roll — the control plane end to end without Docker.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { pino } from 'pino';
import { RestClient } from '../../client/index.js';
import { startTestApiserver, type TestApiserver } from '../harness/apiserver.js';
import { waitFor } from '../harness/ports.js';
import { startControllerManager, type ControllerManagerHandle } from '../../controller-manager/manager.js';
import { startScheduler, type SchedulerHandle } from '../../scheduler/scheduler.js';
import { startHollowNodes, type HollowNodesHandle } from '../../kubelet/hollow-node.js';

const NS = 'default';

describe('Deployment on hollow nodes with the real scheduler', () => {
  let api: TestApiserver;
  let client: RestClient;
  let nodes: HollowNodesHandle;
  let scheduler: SchedulerHandle;
  let cm: ControllerManagerHandle;
  const logger = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });

  before(async () => {
    api = await startTestApiserver();
    client = new RestClient({ server: api.url, qps: 0 });
    nodes = await startHollowNodes({ client, count: 2, namePrefix: 'hollow-', logger, deleteNodesOnStop: true });
    scheduler = await startScheduler({ master: api.url, logger });
    cm = await startControllerManager({ master: api.url, controllers: ['replicaset', 'deployment'], logger });
  });

  after(async () => {
    await cm?.stop();
    await scheduler?.stop();
    await nodes?.stop();
    await client?.close();
    await api?.stop();
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
      Object.fromEntries(nodes.nodeNames.map((n) => [n, pods.filter((p) => p.spec?.nodeName === n).length]));
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
