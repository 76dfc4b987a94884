// A NodePort listener on 127.0.0.1 (random port) over loopback endpoints, for the userspace
// proxy's tests.
import type { UserspaceListener } from './rules.js';

export const LOOPBACK_LISTENER_KEY = 'default/web:http/TCP/nodePort/127.0.0.1';

export function loopbackListener(endpointPorts: number[]): UserspaceListener {
  return {
    key: LOOPBACK_LISTENER_KEY,
    servicePort: 'default/web:http',
    kind: 'nodePort',
    address: '127.0.0.1',
    port: 0,
    clusterIP: '10.96.0.20',
    servicePortNumber: 80,
    endpoints: endpointPorts.map((port) => ({ ip: '127.0.0.1', port })),
    affinitySeconds: 0,
  };
}
