#!/usr/bin/env node
// The tskube dashboard: `node dist/dashboard/main.js --listen 127.0.0.1:9090 --kubeconfig <file>
//   --login-once-file .tskube/dashboard-login.json`. The kubeconfig gives the apiserver's
// address and CA only: the dashboard has no credentials of its own and acts for each logged-in
// user with that user's token (as the Kubernetes Dashboard does). Flags have TSKUBE_* twins.
import { fileURLToPath } from 'node:url';
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { envTwins, newLogger, onShutdown } from '../client/component-base/daemon.js';
import { clientConnectionFlags, loggingFlags, readFlagFile } from '../client/component-base/flags.js';
import { parseDurationMs } from '../client/duration.js';
import { apiserverTarget, parseListen } from './server/config.js';
import { startDashboard } from './server/dashboard.js';
import { ExecBridge } from './server/exec.js';

const argv = await envTwins(
  loggingFlags(clientConnectionFlags(yargs(hideBin(process.argv)).scriptName('dashboard')))
    .option('listen', { type: 'string', default: '127.0.0.1:9090', describe: 'host:port to serve the dashboard on (plain HTTP: keep it on loopback)' })
    .option('static-dir', { type: 'string', default: fileURLToPath(new URL('./public', import.meta.url)), describe: 'The built web app (index.html, assets/)' })
    .option('login-once-file', { type: 'string', describe: 'JSON {nonce, token} for the one-time login link /login?once=<nonce> (written by scripts/up)' })
    .option('certificate-authority', { type: 'string', describe: 'CA of the apiserver (with --master; default: the kubeconfig\'s)' })
    .option('session-idle-timeout', { type: 'string', default: '12h', describe: 'A session unused this long is logged out' })
    .check((a) => {
      parseListen(a.listen);
      const ms = parseDurationMs(a['session-idle-timeout']);
      if (ms === undefined || ms <= 0) throw new Error(`--session-idle-timeout: invalid duration ${a['session-idle-timeout']}`);
      return true;
    })
    .strict()
    .help(),
).parseAsync();

const log = newLogger('dashboard', argv['log-level']);
const { host, port } = parseListen(argv.listen);
const target = apiserverTarget(
  {
    ...(argv.kubeconfig ? { kubeconfig: argv.kubeconfig } : {}),
    ...(argv.master ? { master: argv.master } : {}),
    ...(argv['certificate-authority'] ? { ca: readFlagFile('certificate-authority', argv['certificate-authority']) } : {}),
  },
  log,
);
const dashboard = await startDashboard({
  apiserver: target,
  host,
  port,
  staticDir: argv['static-dir'],
  ...(argv['login-once-file'] ? { loginOnceFile: argv['login-once-file'] } : {}),
  sessionIdleMs: parseDurationMs(argv['session-idle-timeout'])!,
  log,
  upgrades: new ExecBridge(),
});
onShutdown(log, () => dashboard.stop());
