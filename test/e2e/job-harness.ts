// The Job e2e environment: real etcd + apiserver, one Docker kubelet serving logs, the
// scheduler, and a controller manager running the given controllers with a short pod failure
// backoff; kubectl 1.32 pointed at it.
import { pino } from 'pino';
import { startControllerManager, type ControllerManagerHandle, type ControllerManagerOptions } from '../../controller-manager/manager.js';
import { startScheduler, type SchedulerHandle } from '../../scheduler/scheduler.js';
import type { KubeletServer } from '../../kubelet/server/server.js';
import { kubectlFor } from '../harness/kubectl.js';
import { freePort } from '../harness/ports.js';
import { startKubeletEnv, type KubeletEnv } from './kubelet-harness.js';

export interface JobEnv {
  env: KubeletEnv;
  k: ReturnType<typeof kubectlFor>;
  stop(): Promise<void>;
}

export async function startJobEnv(nodeName: string, cmOptions: Pick<ControllerManagerOptions, 'controllers' | 'extraControllers'>): Promise<JobEnv> {
  const silent = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
  const env = await startKubeletEnv();
  let cm: ControllerManagerHandle | undefined;
  let sched: SchedulerHandle | undefined;
  let server: KubeletServer | undefined;
  const stop = async (): Promise<void> => {
    await sched?.stop();
    await cm?.stop();
    await server?.stop();
    await env.stop();
  };
  try {
    // The kubelet's server (for kubectl logs), registered with the Node so the apiserver dials it.
    const port = await freePort();
    const kubelet = await env.startKubelet(nodeName, { port, nodeIP: '127.0.0.1' });
    server = await env.serve(kubelet, port);
    cm = await startControllerManager({ client: env.client, logger: silent, ...cmOptions, options: { 'job-pod-failure-backoff': '200ms' } });
    sched = await startScheduler({ client: env.client, logger: silent });
  } catch (e) {
    await stop();
    throw e;
  }
  return { env, k: kubectlFor(env.api.config), stop };
}
