import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod, Service } from 'kubernetes-types/core/v1';
import { envVariableName, serviceEnvVars, servicesForPod } from './service-env.js';
import { makeEnvironment } from './env.js';

const svc = (namespace: string, name: string, clusterIP: string, ports: NonNullable<Service['spec']>['ports'] = [{ port: 80 }]): Service => ({
  metadata: { namespace, name },
  spec: { clusterIP, ports },
});
const pod = (namespace: string, enableServiceLinks?: boolean): Pod => ({
  metadata: { namespace, name: 'p' },
  spec: { containers: [{ name: 'c' }], ...(enableServiceLinks === undefined ? {} : { enableServiceLinks }) },
});

const all = [
  svc('default', 'kubernetes', '10.96.0.1', [{ name: 'https', port: 443 }]),
  svc('default', 'web', '10.96.0.20'),
  svc('team', 'my-db', '10.96.0.30', [{ name: 'sql', port: 5432 }, { name: 'metrics', port: 9187 }]),
  svc('team', 'peers', 'None'),
  svc('team', 'kubernetes', '10.96.0.99'),
];

describe('service environment variables (kubelet envvars)', () => {
  test('names: upper case, dashes become underscores', () => {
    assert.equal(envVariableName('my-db-2'), 'MY_DB_2');
  });

  test('a pod sees its namespace\'s services with a cluster IP, and the master kubernetes Service', () => {
    assert.deepEqual(servicesForPod(pod('team'), all).map((s) => `${s.metadata?.namespace}/${s.metadata?.name}`), ['team/kubernetes', 'team/my-db']);
    assert.deepEqual(servicesForPod(pod('default'), all).map((s) => s.metadata?.name), ['kubernetes', 'web']);
    assert.deepEqual(servicesForPod(pod('other'), all).map((s) => `${s.metadata?.namespace}/${s.metadata?.name}`), ['default/kubernetes']);
  });

  test('enableServiceLinks: false keeps only the master Service', () => {
    assert.deepEqual(servicesForPod(pod('team', false), all).map((s) => `${s.metadata?.namespace}/${s.metadata?.name}`), ['default/kubernetes']);
  });

  test('the Docker-links variables of each port', () => {
    const vars = Object.fromEntries(serviceEnvVars([all[2]!, svc('x', 'dns', '10.96.0.10', [{ name: 'dns', port: 53, protocol: 'UDP' }])]).map((e) => [e.key, e.value]));
    assert.deepEqual(vars, {
      MY_DB_SERVICE_HOST: '10.96.0.30',
      MY_DB_SERVICE_PORT: '5432',
      MY_DB_SERVICE_PORT_SQL: '5432',
      MY_DB_SERVICE_PORT_METRICS: '9187',
      MY_DB_PORT: 'tcp://10.96.0.30:5432',
      MY_DB_PORT_5432_TCP: 'tcp://10.96.0.30:5432',
      MY_DB_PORT_5432_TCP_PROTO: 'tcp',
      MY_DB_PORT_5432_TCP_PORT: '5432',
      MY_DB_PORT_5432_TCP_ADDR: '10.96.0.30',
      MY_DB_PORT_9187_TCP: 'tcp://10.96.0.30:9187',
      MY_DB_PORT_9187_TCP_PROTO: 'tcp',
      MY_DB_PORT_9187_TCP_PORT: '9187',
      MY_DB_PORT_9187_TCP_ADDR: '10.96.0.30',
      DNS_SERVICE_HOST: '10.96.0.10',
      DNS_SERVICE_PORT: '53',
      DNS_SERVICE_PORT_DNS: '53',
      DNS_PORT: 'udp://10.96.0.10:53',
      DNS_PORT_53_UDP: 'udp://10.96.0.10:53',
      DNS_PORT_53_UDP_PROTO: 'udp',
      DNS_PORT_53_UDP_PORT: '53',
      DNS_PORT_53_UDP_ADDR: '10.96.0.10',
    });
  });

  test('in the container environment: usable in $(VAR), last, and a pod\'s own value wins', () => {
    const p: Pod = {
      metadata: { namespace: 'team', name: 'p' },
      spec: { containers: [{ name: 'c', env: [{ name: 'URL', value: 'pg://$(MY_DB_SERVICE_HOST)' }, { name: 'MY_DB_SERVICE_PORT', value: '1' }] }] },
    };
    const env = makeEnvironment(p, p.spec!.containers[0]!, {
      configMap: () => undefined,
      secret: () => undefined,
      podIP: '10.244.0.5',
      hostIP: '10.0.0.1',
      nodeName: 'n',
      nodeAllocatable: { cpuMilli: 1000, memoryBytes: 1 << 30, ephemeralStorageBytes: 1 << 30 },
      serviceEnv: (x) => serviceEnvVars(servicesForPod(x, all)),
    });
    assert.deepEqual(env.slice(0, 2), [{ key: 'URL', value: 'pg://10.96.0.30' }, { key: 'MY_DB_SERVICE_PORT', value: '1' }]);
    assert.equal(env.filter((e) => e.key === 'MY_DB_SERVICE_PORT').length, 1);
    assert.ok(env.some((e) => e.key === 'KUBERNETES_SERVICE_HOST' && e.value === '10.96.0.99'), 'the namespace\'s own "kubernetes" service shadows the master one, as in k8s');
  });
});
