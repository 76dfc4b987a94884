#!/usr/bin/env node
// The cluster PKI, like `kubeadm init phase certs all` + `kubeadm init phase kubeconfig all`:
//   node dist/client/cert/main.js --dir .tskube --server https://127.0.0.1:6443 --nodes node-1,node-2
//   (--encryption-config <path>: also the apiserver's EncryptionConfiguration, kept if present)
// Prints `created <file>` or `reused <file>` per file. Every flag has an environment twin
// (--nodes ⇔ TSKUBE_NODES); list flags take repeats or commas, so a twin can hold a list.
import { isAbsolute, relative, resolve } from 'node:path';
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { envTwins } from '../component-base/daemon.js';
import { cidrAddress, tryParseCidr } from '../../api/net.js';
import { ensureEncryptionConfig } from './encryption-config.js';
import { DEFAULT_CLUSTER_DOMAIN, kubeconfigComponents } from './layout.js';
import { ensureClusterPki, type ClusterPkiOptions } from './pki.js';

/** One line on stderr, exit 1 (yargs' own messages can span lines). */
function fail(message: string): never {
  process.stderr.write(`error: ${message.replace(/\s*\n\s*/g, ' ')}\n`);
  process.exit(1);
}

/** Repeated flags, comma lists, or an environment twin's single string: one flat list. */
function list(v: unknown): string[] {
  const items = Array.isArray(v) ? v : v === undefined ? [] : [v];
  return items.flatMap((x) => String(x).split(',')).map((x) => x.trim()).filter(Boolean);
}

/** `name=value` pairs of a list flag into a map. */
function pairs(flag: string, v: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of list(v)) {
    const eq = item.indexOf('=');
    if (eq <= 0 || eq === item.length - 1) throw new Error(`--${flag} wants name=value, got ${JSON.stringify(item)}`);
    out[item.slice(0, eq)] = item.slice(eq + 1);
  }
  return out;
}

/** The `kubernetes` Service's ClusterIP: the range's network address + 1, as the apiserver allocates it. */
function firstServiceIP(range: string): string {
  const cidr = tryParseCidr(range);
  if (cidr?.family !== 'IPv4') throw new Error(`invalid IPv4 CIDR: ${JSON.stringify(range)}`);
  if (cidr.prefix > 30) throw new Error(`--service-cluster-ip-range ${range} is too small`);
  return cidrAddress(cidr, 1);
}

const argv = await envTwins(
  yargs(hideBin(process.argv))
    .scriptName('tskube-pki')
    .option('dir', { type: 'string', default: '.tskube', describe: 'State directory: pki/, kubeconfig, kubeconfigs/' })
    .option('server', { type: 'string', default: 'https://127.0.0.1:6443', describe: 'The apiserver URL written into the kubeconfigs' })
    .option('nodes', { type: 'string', array: true, describe: 'Node names (repeatable or comma-separated): kubelet client and serving certificates' })
    .option('apiserver-ip', { type: 'string', array: true, describe: "The host's addresses: IP SANs of the apiserver and kubelet serving certificates" })
    .option('apiserver-dns', { type: 'string', array: true, describe: 'Extra DNS SANs of the apiserver certificate' })
    .option('node-ip', { type: 'string', array: true, describe: 'node=IP: an extra IP SAN of that kubelet serving certificate' })
    .option('service-cluster-ip-range', { type: 'string', default: '10.96.0.0/12', describe: 'Service CIDR; its first address is an apiserver SAN' })
    .option('cluster-domain', { type: 'string', default: DEFAULT_CLUSTER_DOMAIN, describe: 'DNS domain of kubernetes.default.svc.<domain>' })
    .option('server-for', { type: 'string', array: true, describe: 'component=URL: another server for that kubeconfig (admin, kube-proxy, dns, kubelet-<node>…)' })
    .option('service-account-key-algorithm', { choices: ['RS256', 'ES256'], default: 'RS256', describe: 'Algorithm of a new sa.key (an existing one is kept)' })
    .option('encryption-config', { type: 'string', describe: "Also write the apiserver's EncryptionConfiguration here (Secrets with aescbc, a random 32-byte key); an existing file is kept" })
    .strict()
    .help()
    .fail((msg, err) => fail(msg ?? err?.message ?? 'invalid arguments')),
).parseAsync();

let opts: ClusterPkiOptions;
try {
  const serverFor = pairs('server-for', argv['server-for']);
  opts = {
    dir: argv.dir,
    server: argv.server,
    serverFor: (component) => serverFor[component],
    nodes: list(argv.nodes),
    nodeIPs: pairs('node-ip', argv['node-ip']),
    apiserverIPs: list(argv['apiserver-ip']),
    apiserverDNSNames: list(argv['apiserver-dns']),
    serviceIP: firstServiceIP(argv['service-cluster-ip-range']),
    clusterDomain: argv['cluster-domain'],
    serviceAccountKeyAlgorithm: argv['service-account-key-algorithm'] as 'RS256' | 'ES256',
  };
  const known = kubeconfigComponents(opts);
  for (const component of Object.keys(serverFor)) {
    if (!known.includes(component)) throw new Error(`--server-for ${component}: no such kubeconfig (one of ${known.join(', ')})`);
  }
} catch (e) {
  fail((e as Error).message);
}

/** A path as the output names it: relative to --dir when inside it, like the PKI's own files. */
function shown(path: string): string {
  const rel = relative(resolve(opts.dir), resolve(path));
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : path;
}

try {
  const result = await ensureClusterPki(opts);
  const lines = result.files.map((f) => `${f.action} ${f.path}\n`);
  const encryptionConfig = argv['encryption-config'];
  if (encryptionConfig) lines.push(`${ensureEncryptionConfig(encryptionConfig) ? 'created' : 'reused'} ${shown(encryptionConfig)}\n`);
  process.stdout.write(lines.join(''));
} catch (e) {
  fail((e as Error).message);
}
