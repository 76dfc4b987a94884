// The cluster DNS daemon: informers on Services, EndpointSlices and Namespaces (and Pods in
// `verified` mode) feed the pure resolver; UDP and TCP listeners carry the bytes; names
// outside the zone go to an optional upstream. See bootstrap.ts for how pods reach it.
import { componentRestConfig, type ClientConnection } from '../client/component-base/rest-config.js';
import { DelegatingAuth } from '../client/component-base/delegating-auth.js';
import type { ServingTLS } from '../client/component-base/secure-serving.js';
import { networkInterfaces } from 'node:os';
import { randomInt } from 'node:crypto';
import dnsPacket, { type DecodedPacket } from 'dns-packet';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { RestClient, SharedInformerFactory, sleep, type RestConfig } from '../client/index.js';
import { newLogger, newRegistry, startHealthServer } from '../client/component-base/daemon.js';
import { DEFAULT_DNS_SERVICE_IP, registerKubeDns, setKubeDnsEndpoint, type KubeDnsRegistration } from './bootstrap.js';
import { ListerClusterState, endpointSliceIndexers, podIndexers, serviceIndexers } from './cluster-state.js';
import { forwardTcp, forwardUdp, parseUpstream, type Upstream } from './forward.js';
import { decodeQuery, encodeWithin, formatError, handleQuery, rcodeOf, responseFor, udpPayloadLimit, type Handling } from './message.js';
import { newDnsMetrics } from './metrics.js';
import type { PodMode } from './records.js';
import { startTransports, type Transport } from './server.js';

export interface DnsOptions extends ClientConnection {
  /** HTTPS for the health/metrics server, with authentication and authorization delegated to the apiserver; plain HTTP when unset. */
  servingTLS?: ServingTLS;
  /** A ready client; otherwise one is built from `master`/`kubeconfig`. */
  client?: RestClient;
  kubeconfig?: string;
  /** A plain apiserver URL, as `--master`. */
  master?: string;
  /** `--cluster-domain` (default cluster.local). */
  clusterDomain?: string;
  /** Where DNS listens, UDP and TCP (default 0.0.0.0 / 53; port 0 = random). */
  bindAddress?: string;
  port?: number;
  /** `--ttl` of answers and of negative answers, seconds (default 5). */
  ttl?: number;
  /** `--pods` (default insecure, as kubeadm's Corefile). */
  podMode?: PodMode;
  /** `--upstream host:port` resolvers for names outside the zone, tried in order. */
  upstreams?: string[];
  upstreamTimeoutMs?: number;
  /** /healthz and /metrics (default 127.0.0.1:9153; port 0 = random, -1 = off). */
  metricsBindAddress?: string;
  metricsPort?: number;
  /** `--register-service`: ensure the kube-dns Service and publish our endpoint (bootstrap.ts). */
  registerService?: boolean;
  /** The ClusterIP requested for kube-dns (default 10.96.0.10). */
  dnsServiceIP?: string;
  /** The address published as our endpoint; default the bind address, or this host's first non-loopback IPv4. */
  advertiseAddress?: string;
  nodeName?: string;
  /** How long start waits for the informers before serving anyway (zone names get SERVFAIL until synced). */
  syncTimeoutMs?: number;
  logger?: Logger;
  registry?: Registry;
}

export interface DnsHandle {
  /** The UDP and TCP port DNS listens on. */
  port: number;
  /** The /healthz + /metrics port (undefined when off). */
  metricsPort?: number;
  synced(): boolean;
  stop(): Promise<void>;
}

export async function startDns(opts: DnsOptions = {}): Promise<DnsHandle> {
  const log = opts.logger ?? newLogger('dns');
  const registry = opts.registry ?? newRegistry();
  const client = opts.client ?? new RestClient(clientConfig(opts));
  const cfg = { zone: opts.clusterDomain ?? 'cluster.local', ttl: opts.ttl ?? 5, podMode: opts.podMode ?? 'insecure' } as const;
  const upstreams: Upstream[] = (opts.upstreams ?? []).map(parseUpstream);
  const upstreamTimeoutMs = opts.upstreamTimeoutMs ?? 2000;
  const metrics = newDnsMetrics(registry);

  // The SOA serial follows changes (CoreDNS uses the time of the last one), so secondaries and
  // caches can tell the zone moved.
  let serial = Math.floor(Date.now() / 1000);
  const bump = () => {
    serial = Math.max(serial + 1, Math.floor(Date.now() / 1000));
  };
  const onChange = { onAdd: bump, onUpdate: bump, onDelete: bump };

  const factory = new SharedInformerFactory(client, { logger: log });
  const services = factory.informerFor('services', { indexers: serviceIndexers });
  const slices = factory.informerFor('endpointslices.discovery.k8s.io', { indexers: endpointSliceIndexers });
  const namespaces = factory.informerFor('namespaces');
  const pods = cfg.podMode === 'verified' ? factory.informerFor('pods', { indexers: podIndexers }) : undefined;
  for (const inf of [services, slices, namespaces, pods]) inf?.addEventHandler(onChange);
  const state = new ListerClusterState({
    services: services.lister,
    endpointSlices: slices.lister,
    namespaces: namespaces.lister,
    ...(pods ? { pods: pods.lister } : {}),
    serial: () => serial,
  });
  let synced = false;

  async function handle(buf: Buffer, transport: Transport): Promise<Buffer | undefined> {
    const started = process.hrtime.bigint();
    const done = (qtype: string, out: Buffer | undefined) => {
      if (out) metrics.observe(transport, qtype, rcodeOf(out), Number(process.hrtime.bigint() - started) / 1e9);
      return out;
    };
    const query = decodeQuery(buf);
    if (!query) return done('NONE', formatError(buf));
    const limit = transport === 'udp' ? udpPayloadLimit(query) : 65535;
    let h = handleQuery(query, state, cfg);
    // Before the caches fill, "no such service" would be a lie that clients cache: say SERVFAIL.
    if (!synced && (h.kind === 'reply' || h.kind === 'chase') && h.rcode !== 'NOTIMP' && h.rcode !== 'FORMERR') {
      h = { kind: 'reply', response: responseFor(query, 'SERVFAIL'), qtype: h.qtype, rcode: 'SERVFAIL' };
    }
    log.debug({ transport, name: query.questions?.[0]?.name, qtype: h.kind === 'drop' ? undefined : h.qtype, kind: h.kind }, 'query');
    return done(h.kind === 'drop' ? 'NONE' : h.qtype, await act(h, query, buf, transport, limit));
  }

  async function act(h: Handling, query: DecodedPacket, buf: Buffer, transport: Transport, limit: number): Promise<Buffer | undefined> {
    switch (h.kind) {
      case 'drop':
        return undefined;
      case 'reply':
        return encodeWithin(h.response, limit);
      case 'forward': {
        if (upstreams.length === 0) {
          // An unknown PTR is only known to be unknown once the caches are in.
          if (!synced && h.rcode !== 'REFUSED') return encodeWithin(responseFor(query, 'SERVFAIL'), limit);
          return encodeWithin(h.fallback, limit);
        }
        const answer = await ask(buf, transport);
        return answer ?? encodeWithin(responseFor(query, 'SERVFAIL'), limit);
      }
      case 'chase': {
        if (upstreams.length === 0) return encodeWithin(h.response, limit);
        const sub = dnsPacket.encode({
          type: 'query',
          id: randomInt(0, 65536),
          flags: dnsPacket.RECURSION_DESIRED,
          questions: [{ name: h.target, type: h.qtype as 'A', class: 'IN' }],
        });
        const raw = await ask(sub, transport);
        const extra = raw ? decodeQuery(raw) : undefined;
        if (extra) {
          h.response.answers = [...(h.response.answers ?? []), ...(extra.answers ?? [])];
          h.response.flags = ((h.response.flags ?? 0) & ~0xf) | ((extra.flags ?? 0) & 0xf);
        }
        return encodeWithin(h.response, limit);
      }
    }
  }

  /** The first upstream's answer, or undefined when none answered in time. */
  async function ask(buf: Buffer, transport: Transport): Promise<Buffer | undefined> {
    for (const up of upstreams) {
      try {
        const out = await (transport === 'udp' ? forwardUdp(up, buf, upstreamTimeoutMs) : forwardTcp(up, buf, upstreamTimeoutMs));
        metrics.forwarded('success');
        return out;
      } catch (err) {
        metrics.forwarded('error');
        log.warn({ upstream: `${up.host}:${up.port}`, err }, 'upstream failed');
      }
    }
    return undefined;
  }

  const bindAddress = opts.bindAddress ?? '0.0.0.0';
  const transports = await startTransports({ bindAddress, port: opts.port ?? 53, handle, log });
  const health =
    opts.metricsPort === -1
      ? undefined
      : await startHealthServer({
          bindAddress: opts.metricsBindAddress ?? '127.0.0.1',
          port: opts.metricsPort ?? 9153,
          registry,
          check: () => (synced ? undefined : 'informer caches not synced'),
          ...(opts.servingTLS ? { secure: { tls: opts.servingTLS, auth: new DelegatingAuth({ client }) } } : {}),
        });

  const registration: KubeDnsRegistration | undefined = opts.registerService
    ? {
        clusterIP: opts.dnsServiceIP ?? DEFAULT_DNS_SERVICE_IP,
        address: opts.advertiseAddress ?? advertiseDefault(bindAddress),
        port: transports.port,
        ...(opts.nodeName ? { nodeName: opts.nodeName } : {}),
      }
    : undefined;
  const abort = new AbortController();
  factory.start();
  const syncing = factory.waitForCacheSync(abort.signal).then(async () => {
    synced = true;
    log.info({ zone: cfg.zone, services: services.lister.size(), endpointSlices: slices.lister.size() }, 'caches synced');
    if (registration) await registerWithRetry(client, registration, log, abort.signal);
  });
  syncing.catch((err: unknown) => {
    if (!abort.signal.aborted) log.error({ err }, 'start failed');
  });
  const syncTimeout = opts.syncTimeoutMs ?? 5000;
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([syncing.catch(() => undefined), new Promise<void>((r) => (timer = setTimeout(r, syncTimeout)))]);
  clearTimeout(timer);
  if (!synced) log.warn({ afterMs: syncTimeout }, 'serving before the caches synced: zone names get SERVFAIL until they do');
  log.info({ bindAddress, port: transports.port, zone: cfg.zone, upstreams: opts.upstreams ?? [], metricsPort: health?.port }, 'dns serving');

  return {
    port: transports.port,
    ...(health ? { metricsPort: health.port } : {}),
    synced: () => synced,
    async stop() {
      abort.abort();
      // Drop out of kube-proxy's rotation first, so pods stop being sent here.
      if (registration && synced) {
        await setKubeDnsEndpoint(client, { ...registration }, false).catch((err: unknown) => log.warn({ err }, 'could not mark the kube-dns endpoint not ready'));
      }
      await transports.close();
      await health?.close();
      await factory.shutdown();
    },
  };
}

async function registerWithRetry(client: RestClient, reg: KubeDnsRegistration, log: Logger, signal: AbortSignal): Promise<void> {
  for (let delay = 500; !signal.aborted; delay = Math.min(delay * 2, 30_000)) {
    try {
      await registerKubeDns(client, reg, log);
      return;
    } catch (err) {
      log.warn({ err, retryInMs: delay }, 'registering kube-dns failed');
      await sleep(delay, signal).catch(() => undefined);
    }
  }
}

/** The address pods can reach us at: the bind address if it is a specific one, else this host's first non-loopback IPv4. */
export function advertiseDefault(bindAddress: string): string {
  if (bindAddress !== '0.0.0.0' && bindAddress !== '::') return bindAddress;
  for (const addrs of Object.values(networkInterfaces())) {
    for (const a of addrs ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  }
  return '127.0.0.1';
}

function clientConfig(opts: DnsOptions): RestConfig {
  return componentRestConfig(opts, 'tskube-dns/v0.1.0');
}
