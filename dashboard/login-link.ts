#!/usr/bin/env node
// The admin's one-time dashboard login link, for scripts/up and compose: makes sure the
// ServiceAccount kube-system/tskube-dashboard-admin exists and is bound to cluster-admin, asks
// for a token for it (TokenRequest, 24 h by default, as `kubectl create token`), writes
// {nonce, token} to --login-once-file (0600) and the link to --url-file, and prints the link.
// Runs with the admin's kubeconfig; the dashboard itself never holds these credentials.
import { randomBytes } from 'node:crypto';
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { envTwins } from '../client/component-base/daemon.js';
import { clientConnectionFlags, clientConnectionFrom } from '../client/component-base/flags.js';
import { componentRestConfig } from '../client/component-base/rest-config.js';
import { parseDurationMs } from '../client/duration.js';
import { RestClient, isAlreadyExists } from '../client/index.js';

const ADMIN_ACCOUNT = { namespace: 'kube-system', name: 'tskube-dashboard-admin' };

const argv = await envTwins(
  clientConnectionFlags(yargs(hideBin(process.argv)).scriptName('dashboard-login-link'))
    .option('dashboard-url', { type: 'string', default: 'http://127.0.0.1:9090', describe: 'Where the browser reaches the dashboard' })
    .option('login-once-file', { type: 'string', demandOption: true, describe: 'The dashboard\'s --login-once-file' })
    .option('url-file', { type: 'string', describe: 'Also write the link here (.tskube/dashboard-url)' })
    .option('token-duration', { type: 'string', default: '24h', describe: 'Lifetime of the admin\'s token' })
    .check((a) => {
      const ms = parseDurationMs(a['token-duration']);
      if (ms === undefined || ms < 600_000) throw new Error('--token-duration: at least 10m');
      new URL(a['dashboard-url']);
      return true;
    })
    .strict()
    .help(),
).parseAsync();

/** Written whole with `mode`, then renamed: a reader never sees half a file. */
function writeAtomic(file: string, text: string, mode: number): void {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  writeFileSync(`${file}.tmp`, text, { mode });
  renameSync(`${file}.tmp`, file);
}

async function ensure(client: RestClient, path: string, body: object): Promise<void> {
  try {
    await client.json({ method: 'POST', path, body });
  } catch (e) {
    if (!isAlreadyExists(e)) throw e;
  }
}

const client = new RestClient(componentRestConfig(clientConnectionFrom(argv), 'tskube-dashboard-login-link'));
const { namespace, name } = ADMIN_ACCOUNT;
try {
  await ensure(client, `/api/v1/namespaces/${namespace}/serviceaccounts`, { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name, namespace } });
  await ensure(client, '/apis/rbac.authorization.k8s.io/v1/clusterrolebindings', {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRoleBinding',
    metadata: { name },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cluster-admin' },
    subjects: [{ kind: 'ServiceAccount', name, namespace }],
  });
  const r = await client.json<{ status?: { token?: string } }>({
    method: 'POST',
    path: `/api/v1/namespaces/${namespace}/serviceaccounts/${name}/token`,
    body: { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: { expirationSeconds: Math.floor(parseDurationMs(argv['token-duration'])! / 1000) } },
  });
  const token = r.status?.token;
  if (!token) throw new Error('the TokenRequest gave no token');
  const nonce = randomBytes(24).toString('base64url');
  writeAtomic(argv['login-once-file'], JSON.stringify({ nonce, token }), 0o600);
  const link = new URL(`/login?once=${nonce}`, argv['dashboard-url']).toString();
  if (argv['url-file']) writeAtomic(argv['url-file'], `${link}\n`, 0o600);
  process.stdout.write(`${link}\n`);
} catch (e) {
  process.stderr.write(`error: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exitCode = 1;
} finally {
  await client.close();
}
