// Custom resources as garbage-collector monitors: Kubernetes' collector resyncs its monitors
// from discovery (every 30 s), so objects of CRDs are owners and dependents like any built-in.
// Every served version's kind is known (ownerReferences may name any), and the preferred
// version of each listable, watchable, deletable custom resource is watched once.
import type { ResourceInfo } from '../../api/resources.js';
import { findResource } from '../../api/resources.js';
import { discoverResources, resourceInfoOf } from '../../client/discovery.js';
import type { ObjectLike, ResourceEventHandler, RestClient, SharedInformerFactory } from '../../client/index.js';

export const MONITOR_RESYNC_MS = 30_000;

export class CustomResourceMonitors {
  private byKind = new Map<string, ResourceInfo>();
  private readonly monitored = new Set<string>();

  constructor(
    private readonly client: RestClient,
    private readonly factory: SharedInformerFactory,
    private readonly handler: ResourceEventHandler<ObjectLike>,
  ) {}

  /** A custom kind by apiVersion and kind, in any served version. */
  find(apiVersion: string, kind: string): ResourceInfo | undefined {
    return this.byKind.get(`${apiVersion}/${kind}`);
  }

  /** Learns the served custom resources and watches the new ones. */
  async resync(): Promise<void> {
    const found = (await discoverResources(this.client, true)).filter((r) => !r.name.includes('/') && !findResource(r.group, r.name));
    this.byKind = new Map(found.map((r) => [`${r.group}/${r.version}/${r.kind}`, resourceInfoOf(r)]));
    for (const r of found) {
      const gr = `${r.name}.${r.group}`;
      if (this.monitored.has(gr) || !['list', 'watch', 'delete'].every((v) => r.verbs.includes(v))) continue;
      this.monitored.add(gr);
      // Informers asked for after the factory started start at once.
      this.factory.informerFor<ObjectLike>(resourceInfoOf(r)).addEventHandler(this.handler);
    }
  }
}
