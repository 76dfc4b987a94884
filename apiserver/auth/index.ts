// Builds the apiserver's security from its options, over its own stores and watch caches: the
// authenticator union (client certificates, bearer tokens, service-account JWTs, basic auth,
// anonymous), the authorizer union in --authorization-mode order (Node, RBAC, AlwaysAllow),
// the security admission plugins (NodeRestriction, ServiceAccount, RBAC escalation), token
// issuing for TokenRequests, audit, and the apiserver's client identity towards kubelets.
// Without options the apiserver is in its unsafe plain-HTTP mode: everyone may do everything.
import type { Logger } from 'pino';
import { SYSTEM_MASTERS, type UserInfo } from '../../api/user.js';
import { StatusError } from '../../api/status.js';
import type { KObject } from '../../api/types.js';
import { loadSigningKey, signBoundToken } from '../../client/auth/serviceaccount-jwt.js';
import { admitNodeTokenRequest, NodeRestriction, type NodeTokenRequest } from '../admission/node-restriction.js';
import { ServiceAccountAdmission } from '../admission/serviceaccount.js';
import { LogBackend } from '../audit/backend.js';
import type { AuditOptions } from '../audit/plugin.js';
import { loadPolicyFile } from '../audit/policy.js';
import { alwaysAllow, unionAuthorizer } from '../filters/authorization.js';
import type { ResourceStore } from '../registry/store.js';
import type { AdmissionPlugin } from '../admission/interfaces.js';
import type { KubeletClientTLS } from '../streaming/kubelet.js';
import { buildAuthenticator, type ServiceAccountKeySource, type ServiceAccountTokenGetter } from './authn/index.js';
import type { RequestHeaderConfig } from './authn/request-header.js';
import { NodeAuthorizer } from './node/authorizer.js';
import { NodeGraph } from './node/graph.js';
import { GraphPopulator } from './node/populate.js';
import { RBACEscalation } from './rbac/admission.js';
import { RBACAuthorizer } from './rbac/authorizer.js';
import { NODE_RULES } from './rbac/bootstrap-policy.js';
import { CacheRbacSource } from './rbac/cache-source.js';
import { reconcileBootstrapPolicy } from './rbac/reconcile.js';
import { ruleAllows } from './rbac/rules.js';
import { storeReconcileApi } from './rbac/store-api.js';
import type { ReviewDeps } from './reviews.js';
import type { TokenRequestDeps } from './token-request.js';
import type { Authenticator, Authorizer, RuleResolver, RulesResult, TokenAuthenticator } from './types.js';

export type AuthorizationMode = 'AlwaysAllow' | 'AlwaysDeny' | 'Node' | 'RBAC';

export interface SecurityOptions {
  /** PEM texts: the serving certificate and key; the CA bundle client certificates must chain to. */
  tls: { cert: string; key: string; clientCA?: string };
  anonymousAuth: boolean;
  /** --requestheader-*: requests from the front proxy (its client certificate) name their user in headers. */
  requestHeader?: RequestHeaderConfig;
  tokenAuthFile?: string;
  basicAuthFile?: string;
  serviceAccount: {
    /** The keys tokens are verified with (`--service-account-key-file`), with where each came from. */
    publicKeys: ServiceAccountKeySource[];
    /** PEM of the key TokenRequests are signed with (`--service-account-signing-key-file`). */
    signingKey?: string;
    /** `--service-account-issuer`: the first signs, all are accepted. */
    issuers: string[];
    /** `--api-audiences` (default: the first issuer). */
    apiAudiences?: string[];
    /** `--service-account-max-token-expiration` in seconds (0: no cap). */
    maxTokenExpirationSeconds?: number;
  };
  authorizationModes: AuthorizationMode[];
  /** The apiserver's client certificate towards kubelets, and their CA. */
  kubeletClient?: KubeletClientTLS;
  /** `--audit-policy-file` and `--audit-log-path`. */
  audit?: { policyFile: string; logPath: string };
}

export interface Security {
  authenticator: Authenticator;
  /** Lower-case headers that name the user per request (requestheader authentication). */
  identityHeaders?: string[];
  authorizer: Authorizer;
  /** Named admission plugins, in order (`--disable-admission-plugins` removes by name). */
  admission: { name: string; plugin: AdmissionPlugin }[];
  reviews?: ReviewDeps;
  tokenRequests?: TokenRequestDeps;
  audit?: AuditOptions;
  kubeletClient?: KubeletClientTLS;
  /** Once the watch caches are ready: the bootstrap RBAC policy, the node graph. */
  start(): Promise<void>;
  stop(): Promise<void>;
}

type StoreOf = (group: string, resource: string) => ResourceStore;

/** An object from the watch cache, else from etcd (the cache may lag a write just made). */
async function lookup(store: ResourceStore, namespace: string, name: string): Promise<KObject | undefined> {
  const hit = store.cache.get(store.info.namespaced ? `${namespace}/${name}` : name);
  if (hit) return hit.obj;
  try {
    return await store.get(store.info.namespaced ? namespace : undefined, name);
  } catch (e) {
    if (e instanceof StatusError && e.code === 404) return undefined;
    throw e;
  }
}

const alwaysDeny: Authorizer = { authorize: () => ({ decision: 'deny', reason: 'AlwaysDeny' }) };

export async function buildSecurity(options: SecurityOptions | undefined, store: StoreOf, log: Logger): Promise<Security> {
  if (!options) {
    // Plain HTTP: the authentication stage makes every request `system:unsecured`.
    return { authenticator: { authenticate: () => undefined }, authorizer: alwaysAllow, admission: [], start: async () => undefined, stop: async () => undefined };
  }
  const get = objectGetter(store);
  const sa = options.serviceAccount;
  const built = buildAuthenticator({
    clientCA: !!options.tls.clientCA,
    ...(options.tls.clientCA ? { clientCAPem: options.tls.clientCA } : {}),
    ...(options.requestHeader ? { requestHeader: options.requestHeader } : {}),
    ...(options.tokenAuthFile ? { tokenAuthFile: options.tokenAuthFile } : {}),
    ...(options.basicAuthFile ? { basicAuthFile: options.basicAuthFile } : {}),
    serviceAccountKeys: sa.publicKeys.length === 0 && sa.signingKey ? [{ source: 'the signing key', pem: sa.signingKey }] : sa.publicKeys,
    serviceAccountIssuers: sa.issuers,
    apiAudiences: sa.apiAudiences ?? [],
    anonymous: options.anonymousAuth,
    getter: serviceAccountTokenGetter(get),
  });
  const authz = buildAuthorization(options.authorizationModes, store);
  const { authorizer, rbac, graph } = authz;
  const getPod = (ns: string, name: string) => store('', 'pods').cache.get(`${ns}/${name}`)?.obj;
  const tokenRequests = sa.signingKey ? tokenRequestDeps(sa.signingKey, sa, built.apiAudiences, get, graph ? getPod : undefined) : undefined;
  const audit = options.audit ? await auditOptions(options.audit, log) : undefined;
  let populator: GraphPopulator | undefined;
  return {
    authenticator: built.authenticator,
    identityHeaders: built.identityHeaders,
    authorizer,
    admission: securityAdmission(authz, get, getPod),
    reviews: { tokenAuthenticator: built.tokenAuthenticator as TokenAuthenticator, authorizer, ruleResolver: modeRuleResolver(options.authorizationModes, rbac) },
    ...(tokenRequests ? { tokenRequests } : {}),
    ...(audit ? { audit } : {}),
    ...(options.kubeletClient ? { kubeletClient: options.kubeletClient } : {}),
    async start() {
      if (rbac) await reconcileBootstrapPolicy(storeReconcileApi(store), log.child({ component: 'rbac-bootstrap' }));
      if (graph) {
        const caches = (resource: string) => store('', resource).cache;
        populator = new GraphPopulator(graph, { pods: caches('pods'), persistentVolumeClaims: caches('persistentvolumeclaims'), persistentVolumes: caches('persistentvolumes') }, log.child({ component: 'node-graph' }));
        await populator.synced;
      }
    },
    async stop() {
      populator?.stop();
    },
  };
}

type ObjectKind = 'ServiceAccount' | 'Pod' | 'Secret' | 'Node';
type GetObject = (kind: ObjectKind, namespace: string, name: string) => Promise<KObject | undefined>;

/** The objects authentication, admission and TokenRequests look up, from the cache first. */
function objectGetter(store: StoreOf): GetObject {
  const kinds: Record<ObjectKind, [string, string]> = {
    ServiceAccount: ['', 'serviceaccounts'],
    Pod: ['', 'pods'],
    Secret: ['', 'secrets'],
    Node: ['', 'nodes'],
  };
  return (kind, namespace, name) => lookup(store(...kinds[kind]), namespace, name);
}

function serviceAccountTokenGetter(get: GetObject): ServiceAccountTokenGetter {
  type Get<K extends keyof ServiceAccountTokenGetter> = Awaited<ReturnType<ServiceAccountTokenGetter[K]>>;
  return {
    getServiceAccount: async (ns, name) => (await get('ServiceAccount', ns, name)) as Get<'getServiceAccount'>,
    getPod: async (ns, name) => (await get('Pod', ns, name)) as Get<'getPod'>,
    getSecret: async (ns, name) => (await get('Secret', ns, name)) as Get<'getSecret'>,
    getNode: async (name) => (await get('Node', '', name)) as Get<'getNode'>,
  };
}

interface Authorization {
  authorizer: Authorizer;
  rbacSource: CacheRbacSource;
  rbac?: RBACAuthorizer;
  graph?: NodeGraph;
}

/** The authorizer union in --authorization-mode order, after the privileged-group authorizer. */
function buildAuthorization(modes: AuthorizationMode[], store: StoreOf): Authorization {
  const caches = (resource: string) => store('rbac.authorization.k8s.io', resource).cache;
  const rbacSource = new CacheRbacSource({
    roles: caches('roles'),
    clusterRoles: caches('clusterroles'),
    roleBindings: caches('rolebindings'),
    clusterRoleBindings: caches('clusterrolebindings'),
  });
  const rbac = modes.includes('RBAC') ? new RBACAuthorizer(rbacSource) : undefined;
  const graph = modes.includes('Node') ? new NodeGraph() : undefined;
  const nodeRulesAllow = (a: Parameters<typeof ruleAllows>[0]) => NODE_RULES.some((r) => ruleAllows(a, r));
  const authorizers: Authorizer[] = modes.map((m) => {
    switch (m) {
      case 'AlwaysAllow':
        return alwaysAllow;
      case 'AlwaysDeny':
        return alwaysDeny;
      case 'Node':
        return new NodeAuthorizer(graph!, nodeRulesAllow);
      case 'RBAC':
        return rbac!;
    }
  });
  // system:masters is allowed everything whatever RBAC says (Kubernetes' privileged-group
  // authorizer, always first): the admin cannot lock itself out by deleting a binding.
  const privileged: Authorizer = { authorize: (a) => ({ decision: a.user.groups.includes(SYSTEM_MASTERS) ? 'allow' : 'no-opinion', reason: '' }) };
  return { authorizer: unionAuthorizer([privileged, ...authorizers]), rbacSource, ...(rbac ? { rbac } : {}), ...(graph ? { graph } : {}) };
}

/** What SelfSubjectRulesReview answers: the rules of each mode, in mode order. */
function modeRuleResolver(modes: AuthorizationMode[], rbac: RBACAuthorizer | undefined): RuleResolver {
  return {
    async rulesFor(user: UserInfo, namespace: string): Promise<RulesResult> {
      const out: RulesResult = { resourceRules: [], nonResourceRules: [], incomplete: false };
      for (const m of modes) {
        if (m === 'AlwaysAllow') {
          out.resourceRules.push({ verbs: ['*'], apiGroups: ['*'], resources: ['*'] });
          out.nonResourceRules.push({ verbs: ['*'], nonResourceURLs: ['*'] });
        } else if (m === 'RBAC') {
          const r = rbac!.rulesFor(user, namespace);
          out.resourceRules.push(...r.resourceRules);
          out.nonResourceRules.push(...r.nonResourceRules);
          out.incomplete ||= r.incomplete;
          if (r.evaluationError) out.evaluationError = r.evaluationError;
        } else if (m === 'Node') {
          // A kubelet's rules are the node rules (Kubernetes' node authorizer RulesFor), narrowed by the graph at request time.
          if (user.username.startsWith('system:node:') && user.groups.includes('system:nodes')) {
            for (const r of NODE_RULES) {
              if (r.nonResourceURLs) out.nonResourceRules.push({ verbs: [...r.verbs], nonResourceURLs: [...r.nonResourceURLs] });
              else out.resourceRules.push({ verbs: [...r.verbs], apiGroups: [...(r.apiGroups ?? [])], resources: [...(r.resources ?? [])], ...(r.resourceNames ? { resourceNames: [...r.resourceNames] } : {}) });
            }
          }
        }
      }
      return out;
    },
  };
}

/** The security admission plugins, in Kubernetes' order. */
function securityAdmission({ authorizer, rbac, rbacSource, graph }: Authorization, get: GetObject, getPod: (ns: string, name: string) => KObject | undefined): Security['admission'] {
  const admission: Security['admission'] = [];
  if (graph) admission.push({ name: 'NodeRestriction', plugin: new NodeRestriction(getPod) });
  admission.push({ name: 'ServiceAccount', plugin: new ServiceAccountAdmission((ns, name) => get('ServiceAccount', ns, name)) });
  if (rbac) admission.push({ name: 'RBACEscalation', plugin: new RBACEscalation((a) => authorizer.authorize(a), (u, ns) => rbac.rulesFor(u, ns), rbacSource) });
  return admission;
}

/**
 * TokenRequests signed with --service-account-signing-key-file. `nodeGetPod`: with the Node
 * authorizer, a kubelet's requests pass NodeRestriction's token checks.
 */
function tokenRequestDeps(
  signingKey: string,
  sa: SecurityOptions['serviceAccount'],
  apiAudiences: string[],
  get: GetObject,
  nodeGetPod: ((ns: string, name: string) => KObject | undefined) | undefined,
): TokenRequestDeps {
  const key = loadSigningKey(signingKey);
  const issuer = sa.issuers[0] ?? 'https://kubernetes.default.svc.cluster.local';
  return {
    apiAudiences,
    maxExpirationSeconds: sa.maxTokenExpirationSeconds ?? 0,
    get: (kind, ns, name) => get(kind, ns, name),
    issuer: {
      async issue(r) {
        const { token, claims } = await signBoundToken(key, {
          issuer,
          audiences: r.audiences,
          expirationSeconds: r.expirationSeconds,
          serviceAccount: { namespace: r.namespace, name: r.serviceAccount.name, uid: r.serviceAccount.uid },
          ...(r.pod ? { pod: r.pod } : {}),
          ...(r.secret ? { secret: r.secret } : {}),
          ...(r.node ? { node: r.node } : {}),
        });
        return { token, expiration: new Date(claims.exp * 1000) };
      },
    },
    admit: async (user, tr, pod) => {
      if (!user || !nodeGetPod) return;
      const named = { ...tr, metadata: { ...tr.metadata, namespace: pod?.metadata?.namespace ?? tr.metadata?.namespace ?? '', name: tr.metadata?.name ?? '' } } as NodeTokenRequest;
      await admitNodeTokenRequest(user, named, nodeGetPod);
    },
  };
}

async function auditOptions(o: NonNullable<SecurityOptions['audit']>, log: Logger): Promise<AuditOptions> {
  const policy = loadPolicyFile(o.policyFile);
  return { policy, backend: await LogBackend.open(o.logPath, { logger: log.child({ component: 'audit' }) }) };
}
