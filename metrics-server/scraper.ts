// One scrape (metrics-server's scraper.Scrape): every node's kubelet summary, fetched in
// parallel, each with its own deadline; a node that fails is logged and left out of the batch
// (its stored points age out), the others still count.
import type { Node } from 'kubernetes-types/core/v1';
import type { Logger } from 'pino';
import { kubeletAddress } from './address.js';
import { decodeSummary, mergeBatches } from './decode.js';
import type { KubeletClient } from './kubelet-client.js';
import type { ServerMetrics } from './metrics.js';
import type { MetricsBatch } from './types.js';

export interface ScraperOptions {
  client: KubeletClient;
  /** The nodes to scrape (the informer's store). */
  nodes: () => Node[];
  addressTypes: readonly string[];
  kubeletPort: number;
  useNodeStatusPort: boolean;
  timeoutMs: number;
  metrics?: ServerMetrics;
  log: Logger;
}

function isReady(n: Node): boolean {
  return n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}

export class Scraper {
  constructor(private readonly o: ScraperOptions) {}

  async scrape(): Promise<MetricsBatch> {
    const nodes = this.o.nodes();
    const batches = await Promise.all(nodes.map((n) => this.collectNode(n)));
    const { batch, duplicates } = mergeBatches(batches.filter((b): b is MetricsBatch => b !== undefined));
    for (const d of duplicates) this.o.log.warn({ what: d }, 'duplicate metrics point dropped');
    return batch;
  }

  private async collectNode(node: Node): Promise<MetricsBatch | undefined> {
    const name = node.metadata?.name ?? '';
    const address = kubeletAddress(node, this.o.addressTypes, this.o.kubeletPort, this.o.useNodeStatusPort);
    if (typeof address === 'string') {
      this.o.log.warn({ node: name }, address);
      return undefined;
    }
    const started = performance.now();
    try {
      const summary = await this.o.client.summary(address, this.o.timeoutMs);
      this.o.metrics?.requestTotal.inc({ success: 'true' });
      return decodeSummary(name, summary);
    } catch (e) {
      this.o.metrics?.requestTotal.inc({ success: 'false' });
      // A node that is not Ready is expected to fail; say so quietly, as upstream does.
      const level = isReady(node) ? 'warn' : 'debug';
      const timedOut = (e as Error).name === 'TimeoutError';
      this.o.log[level]({ err: e, node: name, address: `${address.host}:${address.port}` }, timedOut ? 'failed to scrape node, timeout to access kubelet' : 'failed to scrape node');
      return undefined;
    } finally {
      this.o.metrics?.requestDuration.observe({ node: name }, (performance.now() - started) / 1000);
      this.o.metrics?.lastRequestTime.set({ node: name }, Date.now() / 1000);
    }
  }
}
