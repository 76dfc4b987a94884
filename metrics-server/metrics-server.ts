// metrics-server (sigs.k8s.io/metrics-server's server.go): list-watches Nodes and Pods, scrapes
// every kubelet each --metric-resolution into the storage, and serves metrics.k8s.io/v1beta1
// on its HTTPS port to the apiserver's aggregator (and to direct clients with a certificate
// from the cluster CA or a token).
import type { Node, Pod } from 'kubernetes-types/core/v1';
import type { Logger } from 'pino';
import { newRegistry } from '../client/component-base/daemon.js';
import { DelegatingAuth } from '../client/component-base/delegating-auth.js';
import { componentRestConfig, type ClientConnection } from '../client/component-base/rest-config.js';
import { RestClient, type RestConfig } from '../client/rest.js';
import { SharedInformerFactory } from '../client/informer-factory.js';
import { NAMESPACE_INDEX } from '../client/store.js';
import { Authenticator, type RequestHeaderOptions } from './authn.js';
import { KubeletClient, type KubeletClientOptions } from './kubelet-client.js';
import { newServerMetrics } from './metrics.js';
import { Scraper } from './scraper.js';
import { startMetricsApiServer } from './server.js';
import { MetricsStorage } from './storage.js';

export interface MetricsServerOptions extends ClientConnection {
  metricResolutionMs: number;
  /** Per-kubelet request deadline (--kubelet-request-timeout, default 10 s as upstream). */
  kubeletRequestTimeoutMs?: number;
  kubelet: KubeletClientOptions & { addressTypes: readonly string[]; port: number; useNodeStatusPort: boolean };
  bindAddress: string;
  securePort: number;
  tls: { cert: string; key: string };
  /** Direct client certificates (--client-ca-file). */
  clientCA?: string;
  requestHeader?: RequestHeaderOptions;
  /** Only scrape nodes with these labels (--node-selector). */
  nodeSelector?: string;
  log: Logger;
}

export interface MetricsServer {
  port: number;
  storage: MetricsStorage;
  /** Runs one scrape now (tests, benchmarks); resolves with its duration in ms. */
  tick(): Promise<number>;
  stop(): Promise<void>;
}

const pick = <K extends string>(v: string | undefined, k: K): { [P in K]?: string } => (v ? ({ [k]: v } as { [P in K]?: string }) : {});

/** As upstream, kubelets are called with the apiserver credentials and CA unless told otherwise. */
function kubeletClientOptions(k: KubeletClientOptions, rest: RestConfig): KubeletClientOptions {
  return {
    insecure: k.insecure ?? false,
    ...pick(k.ca ?? rest.ca, 'ca'),
    ...(k.cert && k.key ? { cert: k.cert, key: k.key } : rest.cert && rest.key ? { cert: rest.cert, key: rest.key } : {}),
    ...pick(k.token ?? (k.cert ? undefined : rest.token), 'token'),
  };
}

/** One scrape at a time, each `periodMs` after the last one ended (upstream's manager tick). */
function runEvery(tick: () => Promise<unknown>, periodMs: number, log: Logger): { stop(): Promise<void> } {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> = Promise.resolve();
  const loop = (): void => {
    if (stopped) return;
    running = tick()
      .catch((e: unknown) => log.warn({ err: e }, 'scrape failed'))
      .finally(() => {
        if (!stopped) timer = setTimeout(loop, periodMs);
      });
  };
  loop();
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}

export async function startMetricsServer(o: MetricsServerOptions): Promise<MetricsServer> {
  const log = o.log;
  const restConfig = componentRestConfig(o, 'metrics-server');
  const client = new RestClient(restConfig);
  const factory = new SharedInformerFactory(client, { logger: log });
  // As upstream, --node-selector narrows both what is scraped and what is served.
  const nodeInformer = factory.informerFor('nodes', o.nodeSelector ? { labelSelector: o.nodeSelector } : {});
  const podInformer = factory.informerFor('pods');
  factory.start();
  await factory.waitForCacheSync();

  const registry = newRegistry();
  const metrics = newServerMetrics(registry);
  const storage = new MetricsStorage(o.metricResolutionMs);
  const kubeletClient = new KubeletClient(kubeletClientOptions(o.kubelet, restConfig));
  const timeoutMs = o.kubeletRequestTimeoutMs ?? 10_000;
  const scraper = new Scraper({
    client: kubeletClient,
    nodes: () => nodeInformer.lister.list() as Node[],
    addressTypes: o.kubelet.addressTypes,
    kubeletPort: o.kubelet.port,
    useNodeStatusPort: o.kubelet.useNodeStatusPort,
    timeoutMs,
    metrics,
    log,
  });

  let lastTick = 0;
  const tick = async (): Promise<number> => {
    const started = performance.now();
    const batch = await scraper.scrape();
    storage.store(batch);
    const counts = storage.pointCounts();
    metrics.storagePoints.set({ type: 'node' }, counts.node);
    metrics.storagePoints.set({ type: 'container' }, counts.container);
    const ms = performance.now() - started;
    metrics.tickDuration.observe(ms / 1000);
    lastTick = Date.now();
    log.debug({ ms: Math.round(ms), nodes: batch.nodes.size, pods: batch.pods.size }, 'scrape finished');
    return ms;
  };

  const auth = new DelegatingAuth({ client });
  const authenticator = new Authenticator({ ...(o.requestHeader ? { requestHeader: o.requestHeader } : {}), ...(o.clientCA ? { clientCA: o.clientCA } : {}), tokens: auth });
  const api = await startMetricsApiServer({
    bindAddress: o.bindAddress,
    port: o.securePort,
    cert: o.tls.cert,
    key: o.tls.key,
    clientCAs: [o.clientCA, o.requestHeader?.clientCA].filter((x): x is string => !!x),
    authenticator,
    authorizer: auth,
    source: {
      storage,
      nodes: () => nodeInformer.lister.list() as Node[],
      node: (name) => nodeInformer.lister.getByName('', name) as Node | undefined,
      pods: (ns) => (ns === undefined ? podInformer.lister.list() : podInformer.lister.byIndex(NAMESPACE_INDEX, ns)) as Pod[],
      pod: (ns, name) => podInformer.lister.getByName(ns, name) as Pod | undefined,
    },
    registry,
    ready: () => (storage.pointCounts().node > 0 || storage.pointCounts().container > 0 ? undefined : 'metric-storage-ready: no metrics to serve'),
    live: () => (lastTick === 0 || Date.now() - lastTick < o.metricResolutionMs * 1.5 + timeoutMs ? undefined : 'metric-collection-timely: the last scrape is late'),
    log,
  });

  const loop = runEvery(tick, o.metricResolutionMs, log);
  log.info({ port: api.port, resolutionMs: o.metricResolutionMs }, 'metrics-server serving metrics.k8s.io/v1beta1');

  return {
    port: api.port,
    storage,
    tick,
    async stop() {
      await loop.stop();
      await api.close();
      await factory.shutdown();
      await kubeletClient.close();
      await client.close();
    },
  };
}
