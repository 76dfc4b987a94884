// A real etcd + a real apiserver (in-process, random port) for integration tests.
import { pino } from 'pino';
import { createApiserver, DEFAULT_OPTIONS, type Apiserver, type ApiserverOptions } from '../../apiserver/server.js';
import { startEtcd, type EtcdHandle } from './etcd.js';

export interface TestApiserver {
  url: string;
  etcd: EtcdHandle;
  server: Apiserver;
  stop(): Promise<void>;
}

export async function startTestApiserver(overrides: Partial<ApiserverOptions> = {}): Promise<TestApiserver> {
  const etcd = await startEtcd();
  const server = await createApiserver({
    ...DEFAULT_OPTIONS,
    compactionIntervalSeconds: 0,
    etcdServers: [etcd.endpoint],
    logger: pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }),
    ...overrides,
  });
  await server.app.listen({ host: '127.0.0.1', port: 0 });
  await server.ready();
  const addr = server.app.server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    etcd,
    server,
    async stop() {
      await server.close();
      await etcd.stop();
    },
  };
}
