#!/usr/bin/env node
// kube-apiserver: `node dist/apiserver/main.js --etcd-servers http://127.0.0.1:2379 --tls-cert-file …`.
// Serves HTTPS on --secure-port with authentication (client certificates, bearer tokens,
// service-account JWTs) and authorization (Node,RBAC) — secure by default: without a serving
// certificate it makes a throw-away self-signed one. An unsafe plain-HTTP port exists only when
// asked for (--insecure-port, loopback only). Every flag has an environment twin:
// --etcd-servers ⇔ TSKUBE_ETCD_SERVERS.
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { pino } from 'pino';
import { createApiserver, DEFAULT_OPTIONS, ENDPOINT_RECONCILER_TYPES, type EndpointReconcilerType } from './server/apiserver.js';
import { envTwins, onShutdown } from '../client/component-base/daemon.js';
import { selfSignedServing } from '../client/component-base/secure-serving.js';
import { listFlag, readFlagFile, requestHeaderFlags, requestHeaderFrom } from '../client/component-base/flags.js';
import { hostIPv4 } from '../client/host-ip.js';
import { parseDurationMs } from '../client/duration.js';
import type { AuthorizationMode } from './auth/index.js';
import { DEFAULT_AUDIT_INDEX_MAX_EVENTS } from './audit/index-store.js';

const MODES: AuthorizationMode[] = ['AlwaysAllow', 'AlwaysDeny', 'Node', 'RBAC'];

const argv = await envTwins(requestHeaderFlags(yargs(hideBin(process.argv)))
  .scriptName('apiserver')
  .option('etcd-servers', { type: 'string', default: 'http://127.0.0.1:2379', describe: 'Comma-separated etcd endpoints' })
  .option('etcd-prefix', { type: 'string', default: DEFAULT_OPTIONS.etcdPrefix, describe: 'Key prefix of every object in etcd' })
  .option('bind-address', { type: 'string', default: '0.0.0.0', describe: 'Address to serve HTTPS on' })
  .option('secure-port', { type: 'number', default: 6443, describe: 'Port to serve HTTPS on' })
  .option('endpoint-reconciler-type', { type: 'string', default: 'lease', choices: ENDPOINT_RECONCILER_TYPES as string[], describe: 'How the kubernetes Service\'s endpoints are kept: lease (every live apiserver, by leases in etcd) or none' })
  .option('etcd-readycheck-timeout', { type: 'string', default: '2s', describe: 'Deadline of /readyz\'s etcd quorum check' })
  .option('advertise-address', { type: 'string', describe: 'Address published as the kubernetes Service endpoint (default: the host\'s first IPv4)' })
  .option('tls-cert-file', { type: 'string', describe: 'Serving certificate (PEM, may include intermediates); default: a self-signed one made at start' })
  .option('tls-private-key-file', { type: 'string', describe: 'Key of --tls-cert-file' })
  .option('client-ca-file', { type: 'string', describe: 'CA bundle client certificates must chain to (CN = user, O = groups)' })
  .option('insecure-port', { type: 'number', default: 0, describe: 'UNSAFE: also serve plain HTTP here with no authentication or authorization (0 = off; tests and benchmarks only)' })
  .option('insecure-bind-address', { type: 'string', default: '127.0.0.1', describe: 'Loopback address of --insecure-port' })
  .option('anonymous-auth', { type: 'boolean', default: true, describe: 'Requests without credentials are system:anonymous (RBAC lets them see only health and version)' })
  .option('token-auth-file', { type: 'string', describe: 'Static bearer tokens, CSV: token,user,uid,"group1,group2"' })
  .option('basic-auth-file', { type: 'string', describe: 'DEPRECATED (removed in Kubernetes 1.19): passwords, CSV: password,user,uid,"group1,group2"' })
  .option('service-account-key-file', { type: 'string', array: true, default: [] as string[], describe: 'PEM keys that verify service-account tokens (repeatable)' })
  .option('service-account-signing-key-file', { type: 'string', describe: 'PEM private key TokenRequests are signed with' })
  .option('service-account-issuer', { type: 'string', array: true, default: ['https://kubernetes.default.svc.cluster.local'] as string[], describe: 'Issuer of service-account tokens; the first signs, all are accepted (repeatable)' })
  .option('api-audiences', { type: 'string', array: true, default: [] as string[], describe: 'Audiences of API tokens (default: the first issuer)' })
  .option('service-account-max-token-expiration', { type: 'string', default: '0s', describe: 'Longest lifetime a TokenRequest may ask for (0s: no cap)' })
  .option('authorization-mode', { type: 'string', default: 'Node,RBAC', describe: `Ordered authorizers: ${MODES.join(', ')}` })
  .option('disable-admission-plugins', { type: 'string', default: '', describe: 'Admission plugins to turn off: NamespaceLifecycle, LimitRanger, NodeRestriction, ServiceAccount, Priority, DefaultStorageClass, StorageObjectInUseProtection, PersistentVolumeClaimResize, ResourceQuota' })
  .option('kubelet-client-certificate', { type: 'string', describe: 'Client certificate the apiserver presents to kubelets' })
  .option('kubelet-client-key', { type: 'string', describe: 'Key of --kubelet-client-certificate' })
  .option('kubelet-certificate-authority', { type: 'string', describe: 'CA kubelet serving certificates must chain to (unset: not verified)' })
  .option('proxy-client-cert-file', { type: 'string', describe: 'Client certificate the apiserver presents to aggregated API servers (the front proxy)' })
  .option('proxy-client-key-file', { type: 'string', describe: 'Key of --proxy-client-cert-file' })
  .option('enable-aggregator-routing', { type: 'boolean', default: false, describe: 'Proxy aggregated APIs to Service endpoint addresses instead of ClusterIPs' })
  .option('encryption-provider-config', { type: 'string', describe: 'EncryptionConfiguration file: which resources are encrypted in etcd, and how' })
  .option('audit-policy-file', { type: 'string', describe: 'audit.k8s.io/v1 Policy: what is audited, at which level' })
  .option('audit-log-path', { type: 'string', describe: 'Where audit events are written as JSON lines (- = stdout)' })
  .option('audit-index-max-events', { type: 'number', default: DEFAULT_AUDIT_INDEX_MAX_EVENTS, describe: 'Audit events of writes kept in memory by object uid, served at /apis/audit.tskube.io (0 = off)' })
  .option('service-cluster-ip-range', { type: 'string', default: '10.96.0.0/12', describe: 'CIDR of Service ClusterIPs' })
  .option('service-node-port-range', { type: 'string', default: '30000-32767', describe: 'Port range of NodePorts' })
  .option('max-requests-inflight', { type: 'number', default: DEFAULT_OPTIONS.maxRequestsInflight, describe: 'Requests served at once before 429' })
  .option('max-mutating-requests-inflight', { type: 'number', default: DEFAULT_OPTIONS.maxMutatingRequestsInflight, describe: 'With API Priority and Fairness: added to --max-requests-inflight as the total concurrency' })
  .option('enable-priority-and-fairness', { type: 'boolean', default: DEFAULT_OPTIONS.enablePriorityAndFairness, describe: 'API Priority and Fairness (false: the plain max-in-flight limit)' })
  .option('watch-cache-size', { type: 'number', default: DEFAULT_OPTIONS.watchCacheSize, describe: 'Events kept per resource for watchers' })
  .option('etcd-compaction-interval', { type: 'number', default: DEFAULT_OPTIONS.compactionIntervalSeconds, describe: 'Seconds between etcd compactions (0 = off)' })
  .option('min-request-timeout', { type: 'number', default: DEFAULT_OPTIONS.minRequestTimeoutSeconds, describe: 'Minimum watch timeout in seconds' })
  .option('log-level', { type: 'string', default: 'info', describe: 'pino log level' })
  .check((a) => {
    for (const m of listFlag(a['authorization-mode'])) if (!MODES.includes(m as AuthorizationMode)) throw new Error(`--authorization-mode: unknown mode "${m}" (known: ${MODES.join(', ')})`);
    if (!Number.isInteger(a['audit-index-max-events']) || a['audit-index-max-events'] < 0) throw new Error('--audit-index-max-events must be a whole number >= 0');
    if (!!a['tls-cert-file'] !== !!a['tls-private-key-file']) throw new Error('--tls-cert-file and --tls-private-key-file go together');
    if (!!a['kubelet-client-certificate'] !== !!a['kubelet-client-key']) throw new Error('--kubelet-client-certificate and --kubelet-client-key go together');
    if (!!a['proxy-client-cert-file'] !== !!a['proxy-client-key-file']) throw new Error('--proxy-client-cert-file and --proxy-client-key-file go together');
    if (!parseDurationMs(a['etcd-readycheck-timeout'])) throw new Error(`--etcd-readycheck-timeout: invalid duration ${a['etcd-readycheck-timeout']}`);
    if (parseDurationMs(a['service-account-max-token-expiration']) === undefined) throw new Error(`--service-account-max-token-expiration: invalid duration ${a['service-account-max-token-expiration']}`);
    return true;
  })
  .strict()
  .help()
  ).parseAsync();

const logger = pino({ level: argv['log-level'], base: { component: 'apiserver' } });


async function main(): Promise<void> {
  const tls = argv['tls-cert-file']
    ? { cert: readFlagFile('tls-cert-file', argv['tls-cert-file'])!, key: readFlagFile('tls-private-key-file', argv['tls-private-key-file'])! }
    : (logger.warn('no --tls-cert-file: serving with a self-signed certificate'), await selfSignedServing([hostIPv4()]));
  const signingKey = readFlagFile('service-account-signing-key-file', argv['service-account-signing-key-file']);
  const publicKeys = listFlag(argv['service-account-key-file']).map((p) => ({ source: p, pem: readFlagFile('service-account-key-file', p)! }));
  const clientCA = readFlagFile('client-ca-file', argv['client-ca-file']);
  const kubeletCert = readFlagFile('kubelet-client-certificate', argv['kubelet-client-certificate']);
  const kubeletCA = readFlagFile('kubelet-certificate-authority', argv['kubelet-certificate-authority']);
  const advertiseAddress = argv['advertise-address'] ?? hostIPv4();
  const requestHeader = requestHeaderFrom(argv);
  const proxyClientCert = readFlagFile('proxy-client-cert-file', argv['proxy-client-cert-file']);
  const server = await createApiserver({
    ...DEFAULT_OPTIONS,
    etcdServers: listFlag(argv['etcd-servers']),
    etcdPrefix: argv['etcd-prefix'],
    logger,
    maxRequestsInflight: argv['max-requests-inflight'],
    maxMutatingRequestsInflight: argv['max-mutating-requests-inflight'],
    enablePriorityAndFairness: argv['enable-priority-and-fairness'],
    watchCacheSize: argv['watch-cache-size'],
    compactionIntervalSeconds: argv['etcd-compaction-interval'],
    minRequestTimeoutSeconds: argv['min-request-timeout'],
    serviceClusterIPRange: argv['service-cluster-ip-range'],
    serviceNodePortRange: argv['service-node-port-range'],
    encryptionProviderConfig: argv['encryption-provider-config'],
    disableAdmissionPlugins: listFlag(argv['disable-admission-plugins']),
    auditIndexMaxEvents: argv['audit-index-max-events'],
    security: {
      tls: { ...tls, ...(clientCA ? { clientCA } : {}) },
      anonymousAuth: argv['anonymous-auth'],
      ...(requestHeader ? { requestHeader } : {}),
      ...(argv['token-auth-file'] ? { tokenAuthFile: argv['token-auth-file'] } : {}),
      ...(argv['basic-auth-file'] ? { basicAuthFile: argv['basic-auth-file'] } : {}),
      serviceAccount: {
        publicKeys,
        ...(signingKey ? { signingKey } : {}),
        issuers: listFlag(argv['service-account-issuer']),
        apiAudiences: listFlag(argv['api-audiences']),
        maxTokenExpirationSeconds: Math.floor(parseDurationMs(argv['service-account-max-token-expiration'])! / 1000),
      },
      authorizationModes: listFlag(argv['authorization-mode']) as AuthorizationMode[],
      ...(kubeletCert ? { kubeletClient: { cert: kubeletCert, key: readFlagFile('kubelet-client-key', argv['kubelet-client-key'])!, ...(kubeletCA ? { ca: kubeletCA } : {}) } } : {}),
      ...(argv['audit-policy-file'] && argv['audit-log-path'] ? { audit: { policyFile: argv['audit-policy-file'], logPath: argv['audit-log-path'] } } : {}),
    },
    // No endpoints to publish for a random port (0): nothing would reach it by that number.
    ...(argv['secure-port'] > 0 ? { advertise: { address: advertiseAddress, port: argv['secure-port'] } } : {}),
    endpointReconcilerType: argv['endpoint-reconciler-type'] as EndpointReconcilerType,
    etcdReadycheckTimeoutMs: parseDurationMs(argv['etcd-readycheck-timeout'])!,
    aggregator: {
      ...(proxyClientCert ? { proxyClient: { cert: proxyClientCert, key: readFlagFile('proxy-client-key-file', argv['proxy-client-key-file'])! } } : {}),
      enableAggregatorRouting: argv['enable-aggregator-routing'],
    },
  });
  await server.app.listen({ host: argv['bind-address'], port: argv['secure-port'] });
  logger.info({ address: `https://${argv['bind-address']}:${argv['secure-port']}`, advertiseAddress }, 'apiserver listening');
  if (argv['insecure-port'] > 0) {
    const port = await server.listenInsecure(argv['insecure-bind-address'], argv['insecure-port']);
    logger.warn({ address: `http://${argv['insecure-bind-address']}:${port}` }, 'UNSAFE: serving plain HTTP with no authentication or authorization');
  }
  onShutdown(logger, () => server.close(), { step: () => server.closing });
}

await main().catch((e: unknown) => {
  // A bad flag value or file is one line, not a stack.
  process.stderr.write(`apiserver: ${(e as Error).message}\n`);
  process.exit(1);
});
