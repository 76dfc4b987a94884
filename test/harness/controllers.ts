// What controller integration tests share: a real apiserver (and etcd), an admin client, and a
// controller-manager running only the named controllers with its own credentials.
import { pino } from 'pino';
import { RestClient } from '../../client/index.js';
import { startControllerManager, type ControllerManagerHandle } from '../../controller-manager/manager.js';
import { startTestApiserver, type TestApiserver } from './apiserver.js';

export interface ControllerEnv {
  api: TestApiserver;
  /** Admin client, unthrottled. */
  client: RestClient;
  cm: ControllerManagerHandle;
  stop(): Promise<void>;
}

export async function startControllerEnv(controllers: string[], options?: Record<string, string>): Promise<ControllerEnv> {
  const api = await startTestApiserver();
  const client = new RestClient({ ...api.config, qps: 0 });
  const cm = await startControllerManager({
    config: await api.configFor('system:kube-controller-manager'),
    controllers,
    ...(options ? { options } : {}),
    logger: pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }),
  });
  return {
    api,
    client,
    cm,
    async stop() {
      await cm.stop();
      await client.close();
      await api.stop();
    },
  };
}
