// Test support: a ServiceAccountTokenGetter over in-memory maps (what the apiserver's caches
// hold), for tests here and for the lead's handler-chain tests.
import type { core } from '../../../api/types.js';
import type { ServiceAccountTokenGetter } from './serviceaccount-claims.js';

export class MemoryTokenGetter implements ServiceAccountTokenGetter {
  readonly serviceAccounts = new Map<string, core.ServiceAccount>();
  readonly pods = new Map<string, core.Pod>();
  readonly secrets = new Map<string, core.Secret>();
  readonly nodes = new Map<string, core.Node>();
  /** When set, every lookup throws it (a cache that is not synced, a bug). */
  failWith?: Error;

  private check(): void {
    if (this.failWith) throw this.failWith;
  }
  // Some lookups are async and some not: the authenticator must take both.
  async getServiceAccount(namespace: string, name: string): Promise<core.ServiceAccount | undefined> {
    this.check();
    return this.serviceAccounts.get(`${namespace}/${name}`);
  }
  async getPod(namespace: string, name: string): Promise<core.Pod | undefined> {
    this.check();
    return this.pods.get(`${namespace}/${name}`);
  }
  getSecret(namespace: string, name: string): core.Secret | undefined {
    this.check();
    return this.secrets.get(`${namespace}/${name}`);
  }
  getNode(name: string): core.Node | undefined {
    this.check();
    return this.nodes.get(name);
  }
}
