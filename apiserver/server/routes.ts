// The apiserver's routes, registered after the handler chain: health, version and metrics;
// OpenAPI; discovery; and every resource path (handed to ../handlers/resource.ts with its parsed
// RequestInfo). Errors anywhere become Status replies through the app's error handler.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { StatusError } from '../../api/status.js';
import {
  aggregatedDiscovery,
  aggregatedDiscoveryContentType,
  apiGroup,
  apiGroupList,
  apiResourceList,
  coreAPIVersions,
  versionInfo,
  wantsAggregatedDiscovery,
} from '../discovery/discovery.js';
import type { HandlerContext } from '../handlers/context.js';
import { handleResource } from '../handlers/resource.js';
import type { ApiserverMetrics } from './metrics.js';
import { openapiV2For, openapiV3Document, openapiV3Index } from '../openapi/openapi.js';
import { parseRequestInfo } from '../handlers/request-info.js';
import type { ResourceRegistry } from '../apiextensions/registry.js';
import { sendRaw } from '../handlers/responses.js';

/** The aggregation layer's part in routing and discovery (apiserver/aggregator/). */
export interface AggregatorRoutes {
  /** A proxied request's reply, an aggregated group's APIGroup, or undefined: not aggregated. */
  handle(req: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> | object | undefined;
  discovery: { groupList(base: object): object; aggregated(base: object): object };
  openapi: { v3Index(base: object): object; v3Document(path: string): Promise<Buffer | undefined> };
}

export interface RoutesOptions {
  ctx: HandlerContext;
  /** What is served: the built-ins and the established CRDs' versions. */
  registry: ResourceRegistry;
  aggregator?: AggregatorRoutes;
  /** Groups served by routes of their own (the audit index's), added to /apis before aggregated ones. */
  localDiscovery?: AggregatorRoutes['discovery'];
  metrics: ApiserverMetrics;
  /** /readyz's checks, in order: each passed, or failed with why (logged, not shown: k8s withholds reasons). */
  readyChecks(): Promise<ReadyCheck[]>;
}

export interface ReadyCheck {
  name: string;
  error?: string;
}

/** k8s' healthz output: `[+]name ok` / `[-]name failed: reason withheld`, then the verdict. */
export function readyzText(checks: readonly ReadyCheck[], verbose: boolean): { ok: boolean; text: string } {
  const ok = checks.every((c) => c.error === undefined);
  if (ok && !verbose) return { ok, text: 'ok' };
  const lines = checks.map((c) => (c.error === undefined ? `[+]${c.name} ok` : `[-]${c.name} failed: reason withheld`));
  return { ok, text: `${lines.join('\n')}\nreadyz check ${ok ? 'passed' : 'failed'}` };
}

export const healthRoutes = fp(
  async (app: FastifyInstance, opts: Pick<RoutesOptions, 'metrics' | 'readyChecks'>) => {
    const health = async (_req: FastifyRequest, reply: FastifyReply) => reply.type('text/plain').send('ok');
    app.get('/healthz', health);
    app.get('/livez', health);
    app.get('/readyz', async (req, reply) => {
      const checks = await opts.readyChecks();
      const { ok, text } = readyzText(checks, (req.query as Record<string, unknown>).verbose !== undefined);
      for (const c of checks) if (c.error !== undefined) req.log.debug({ check: c.name, reason: c.error }, 'readyz check failed');
      return reply.code(ok ? 200 : 503).type('text/plain').send(text);
    });
    app.get('/version', async () => versionInfo());
    app.get('/metrics', async (_req, reply) => reply.type(opts.metrics.registry.contentType).send(await opts.metrics.registry.metrics()));
  },
  { name: 'tskube-health-routes' },
);

export const openapiRoutes = fp(
  async (app: FastifyInstance, opts: Pick<RoutesOptions, 'registry' | 'aggregator'>) => {
    app.get('/openapi/v2', async (req, reply) => {
      const spec = openapiV2For(req.headers.accept, opts.registry.resources());
      const etag = `"${spec.etag}"`;
      reply.header('Vary', 'Accept').header('ETag', etag).header('Cache-Control', 'no-cache, private');
      if (req.headers['if-none-match'] === etag) return reply.code(304).send();
      return reply.type(spec.contentType).send(spec.data);
    });
    app.get('/openapi/v3', async () => {
      const index = openapiV3Index(opts.registry.resources());
      return opts.aggregator ? opts.aggregator.openapi.v3Index(index) : index;
    });
    app.get('/openapi/v3/*', async (req, reply) => {
      const gv = (req.params as { '*': string })['*'];
      const doc = openapiV3Document(gv, opts.registry.resources());
      const remote = doc ? undefined : await opts.aggregator?.openapi.v3Document(gv);
      if (remote) return sendRaw(reply, 200, 'application/json', remote.toString('utf8'));
      if (!doc) throw new StatusError(404, 'NotFound', `the server could not find the requested resource (get ${gv})`);
      return doc;
    });
  },
  { name: 'tskube-openapi-routes' },
);

/** `local`'s groups, then `remote`'s (the aggregator's). */
function mergeDiscovery(local?: AggregatorRoutes['discovery'], remote?: AggregatorRoutes['discovery']): AggregatorRoutes['discovery'] | undefined {
  if (!local || !remote) return local ?? remote;
  return { groupList: (b) => remote.groupList(local.groupList(b)), aggregated: (b) => remote.aggregated(local.aggregated(b)) };
}

function discovery(req: FastifyRequest, reply: FastifyReply, registry: ResourceRegistry, merge?: AggregatorRoutes['discovery']): FastifyReply | undefined {
  if (req.method !== 'GET') return undefined;
  const path = req.url.split('?')[0]!.replace(/\/+$/, '');
  const parts = path.split('/').filter(Boolean);
  const aggregated = wantsAggregatedDiscovery(req.headers.accept);
  const resources = registry.resources();
  if (parts.length === 1 && aggregated) {
    let doc = aggregatedDiscovery(parts[0] as 'api' | 'apis', aggregated, resources);
    if (merge && parts[0] === 'apis') doc = merge.aggregated(doc);
    return sendRaw(reply, 200, aggregatedDiscoveryContentType(aggregated), JSON.stringify(doc));
  }
  let body: object | undefined;
  if (path === '/api') body = coreAPIVersions(`${req.hostname}`);
  else if (path === '/apis') body = merge ? merge.groupList(apiGroupList(resources)) : apiGroupList(resources);
  else if (parts[0] === 'api' && parts.length === 2) body = apiResourceList('', parts[1]!);
  else if (parts[0] === 'apis' && parts.length === 2) body = apiGroup(parts[1]!, resources);
  else if (parts[0] === 'apis' && parts.length === 3) body = apiResourceList(parts[1]!, parts[2]!, resources);
  if (!body) return undefined;
  return sendRaw(reply, 200, 'application/json', JSON.stringify(body));
}

export const apiRoutes = fp(
  async (app: FastifyInstance, opts: Pick<RoutesOptions, 'ctx' | 'registry' | 'aggregator' | 'localDiscovery'>) => {
    const lookup = opts.registry.find.bind(opts.registry);
    const merge = mergeDiscovery(opts.localDiscovery, opts.aggregator?.discovery);
    const api = async (req: FastifyRequest, reply: FastifyReply) => {
      const aggregated = opts.aggregator?.handle(req, reply);
      if (aggregated instanceof Promise) return aggregated;
      if (aggregated) return sendRaw(reply, 200, 'application/json', JSON.stringify(aggregated));
      const handled = discovery(req, reply, opts.registry, merge);
      if (handled) return handled;
      const ri = parseRequestInfo(req.url, lookup);
      if (!ri) throw new StatusError(404, 'NotFound', `the server could not find the requested resource`);
      return handleResource(opts.ctx, req, reply, ri);
    };
    for (const prefix of ['/api', '/apis']) {
      app.all(prefix, api);
      app.all(`${prefix}/*`, api);
    }
  },
  { name: 'tskube-api-routes' },
);
