// The host's own address: what a kubelet reports as its InternalIP and the apiserver advertises
// for the `kubernetes` Service (Kubernetes picks the default route's interface; here the first
// IPv4 address of a physical-looking interface, which pods reach through their bridge gateway).
import { networkInterfaces } from 'node:os';

/** Interfaces that are not the host's own address (Docker bridges, veths, the service bridge). */
const VIRTUAL = /^(lo|docker\d*|br-|veth|kube-|cni|flannel|virbr)/;

export function hostIPv4(): string {
  for (const [name, addrs] of Object.entries(networkInterfaces())) {
    if (VIRTUAL.test(name)) continue;
    const v4 = addrs?.find((a) => a.family === 'IPv4' && !a.internal);
    if (v4) return v4.address;
  }
  return '127.0.0.1';
}
