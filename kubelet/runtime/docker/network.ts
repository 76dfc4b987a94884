// The pod network: a user-defined Docker bridge that every kubelet on this host shares, so
// pods on different "nodes" reach each other directly, as a flat Kubernetes pod network
// requires. Created on first use; several kubelets may race to create it.
import type { DockerClient } from './client.js';
import { isNotFound, type PodNetwork } from '../runtime.js';

export const POD_NETWORK_LABEL = 'io.tskube.network';

export class PodNetworks {
  /** One creation at a time per network name; forgotten when Docker says it is gone. */
  private readonly ensured = new Map<string, Promise<void>>();

  constructor(private readonly client: DockerClient) {}

  ensure(network: PodNetwork): Promise<void> {
    let pending = this.ensured.get(network.name);
    if (!pending) {
      pending = this.createIfMissing(network);
      this.ensured.set(network.name, pending);
      pending.catch(() => this.ensured.delete(network.name));
    }
    return pending;
  }

  forget(name: string): void {
    this.ensured.delete(name);
  }

  private async exists(name: string): Promise<boolean> {
    try {
      await this.client.request('GET', `/networks/${encodeURIComponent(name)}`);
      return true;
    } catch (err) {
      if (isNotFound(err)) return false;
      throw err;
    }
  }

  private async createIfMissing(network: PodNetwork): Promise<void> {
    if (await this.exists(network.name)) return;
    try {
      await this.client.request('POST', '/networks/create', {
        body: {
          Name: network.name,
          Driver: 'bridge',
          CheckDuplicate: true,
          IPAM: { Driver: 'default', Config: network.subnet ? [{ Subnet: network.subnet }] : [] },
          Labels: { [POD_NETWORK_LABEL]: 'pods' },
        },
      });
    } catch (err) {
      // Another kubelet on this host won the race (name taken, or its subnet now overlaps ours).
      if (await this.exists(network.name)) return;
      throw err;
    }
  }
}
