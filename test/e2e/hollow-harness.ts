// The control plane on hollow nodes, without Docker: a real apiserver (real etcd), the real
// scheduler, the named controllers, and N hollow nodes that run their pods as Running/Ready.
import { pino } from 'pino';
import { RestClient } from '../../client/index.js';
import { startTestApiserver, type TestApiserver } from '../harness/apiserver.js';
import { startControllerManager } from '../../controller-manager/manager.js';
import { startScheduler } from '../../scheduler/scheduler.js';
import { startHollowNodes, type HollowNodesHandle } from '../../kubelet/hollow-node.js';

export interface HollowCluster {
  api: TestApiserver;
  client: RestClient;
  nodes: HollowNodesHandle;
  stop(): Promise<void>;
}

/**
 * Starts everything; `before` runs once the apiserver and nodes exist and before the scheduler
 * and controllers start (e.g. to taint a node first).
 */
export async function startHollowCluster(opts: { nodes: number; namePrefix: string; controllers: string[]; before?: (client: RestClient) => Promise<void> }): Promise<HollowCluster> {
  const logger = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
  const api = await startTestApiserver();
  const client = new RestClient({ ...api.config, qps: 0 });
  const nodes = await startHollowNodes({ client, count: opts.nodes, namePrefix: opts.namePrefix, logger, deleteNodesOnStop: true });
  await opts.before?.(client);
  const scheduler = await startScheduler({ config: api.config, logger });
  const cm = await startControllerManager({ config: api.config, controllers: opts.controllers, logger });
  return {
    api,
    client,
    nodes,
    async stop() {
      await cm.stop();
      await scheduler.stop();
      await nodes.stop();
      await client.close();
      await api.stop();
    },
  };
}
