// A component's own HTTPS port (k8s' SecureServingOptions + the delegated auth filters): TLS
// with the component's certificate (a throw-away self-signed one when none is given, as
// Kubernetes components make), client certificates verified against the cluster CA, and a
// guard that lets /healthz, /livez and /readyz through for anyone and asks the apiserver about
// everything else (`get` on the path for non-resource paths; the kubelet maps its paths to
// nodes/proxy, nodes/stats… itself).
import type { IncomingMessage } from 'node:http';
import { hostname } from 'node:os';
import type { UserInfo } from '../../api/user.js';
import { issueCert, newCA } from '../cert/x509.js';
import type { AccessAttributes, DelegatingAuth } from './delegating-auth.js';

export interface ServingTLS {
  cert: string;
  key: string;
  /** Client certificates must chain to this bundle to identify their holder. */
  clientCA?: string;
}

export interface SecureServing {
  tls: ServingTLS;
  auth: DelegatingAuth;
  /** What a request needs to be allowed; default: `get` (or the method's verb) on its path. 'allow' lets it through after authentication. */
  attributes?: (req: IncomingMessage, path: string) => AccessAttributes | 'allow';
}

/** Paths anyone may read (Kubernetes' --authorization-always-allow-paths default). */
export const ALWAYS_ALLOW_PATHS = new Set(['/healthz', '/livez', '/readyz']);

export type GuardResult = { ok: true; user?: UserInfo } | { ok: false; code: 401 | 403; body: Record<string, unknown> };

function status(code: 401 | 403, reason: string, message: string): Record<string, unknown> {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code };
}

const VERBS: Record<string, string> = { GET: 'get', HEAD: 'get', POST: 'create', PUT: 'update', PATCH: 'patch', DELETE: 'delete' };

/** The verb of a request on a component's port (the kubelet's authorizer uses the same map). */
export function verbOfMethod(method: string | undefined): string {
  return VERBS[method ?? 'GET'] ?? String(method ?? '').toLowerCase();
}

/** Authenticates and authorizes one request (plain or upgrade). */
export async function guard(s: SecureServing, req: IncomingMessage): Promise<GuardResult> {
  const path = new URL(req.url ?? '/', 'https://component').pathname;
  if (ALWAYS_ALLOW_PATHS.has(path)) return { ok: true };
  const user = await s.auth.authenticate(req);
  if (!user) return { ok: false, code: 401, body: status(401, 'Unauthorized', 'Unauthorized') };
  const attrs = s.attributes ? s.attributes(req, path) : { verb: verbOfMethod(req.method), path };
  if (attrs === 'allow') return { ok: true, user };
  if (await s.auth.authorize(user, attrs)) return { ok: true, user };
  const what = 'path' in attrs ? `path=${attrs.path}` : `resource=${attrs.resource}, subresource(s)=[${attrs.subresource ?? ''}]`;
  return { ok: false, code: 403, body: status(403, 'Forbidden', `Forbidden (user=${user.username}, verb=${attrs.verb}, ${what})`) };
}

/** A throw-away serving certificate for this process (when no --tls-cert-file is given). */
export async function selfSignedServing(names: string[] = []): Promise<ServingTLS> {
  const ca = await newCA(`${hostname()}-ca@${Math.floor(Date.now() / 1000)}`, { validityDays: 365 });
  const ips = ['127.0.0.1', ...names.filter((n) => /^[\d.]+$/.test(n) || n.includes(':'))];
  const dns = ['localhost', hostname(), ...names.filter((n) => !/^[\d.]+$/.test(n) && !n.includes(':'))];
  const leaf = await issueCert(ca, { commonName: `${hostname()}@${Math.floor(Date.now() / 1000)}`, dnsNames: dns, ipAddresses: ips, usages: ['server'] });
  return { cert: leaf.cert + ca.cert, key: leaf.key };
}
