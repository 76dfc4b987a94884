// kc's command line: global flags as kubectl names them, every command registered with yargs,
// and one place that turns errors into kubectl's one-line messages and exit codes.
import yargs, { type Argv } from 'yargs';
import { bool, str, strs, type Args, type KcCommand } from './command.js';
import { commands } from './commands/index.js';
import { CliError, exitCodeOf, formatError } from './errors.js';
import { Factory, type GlobalFlags } from './factory.js';
import { COMMANDS_USING_DISCOVERY, learnServedResources } from './served-resources.js';
import { write, type IOStreams } from './io.js';

function globalFlags(argv: Args): GlobalFlags {
  return {
    kubeconfig: str(argv.kubeconfig),
    context: str(argv.context),
    cluster: str(argv.cluster),
    user: str(argv.user),
    namespace: str(argv.namespace),
    server: str(argv.server),
    token: str(argv.token),
    username: str(argv.username),
    password: str(argv.password),
    certificateAuthority: str(argv.certificateAuthority),
    clientCertificate: str(argv.clientCertificate),
    clientKey: str(argv.clientKey),
    insecureSkipTlsVerify: argv.insecureSkipTlsVerify === undefined ? undefined : bool(argv.insecureSkipTlsVerify),
    tlsServerName: str(argv.tlsServerName),
    as: str(argv.as),
    asGroups: strs(argv.asGroup),
    asUid: str(argv.asUid),
    requestTimeout: str(argv.requestTimeout),
  };
}

class UsageError extends Error {}

/** Runs kc with `args` (without `node kc`); resolves to the exit code. */
export async function runKc(rawArgs: string[], io: IOStreams): Promise<number> {
  // yargs does not take a lone `-` as an option's value; `-f -` means stdin.
  const args = rawArgs.flatMap((a, i) => (a === '-' && (rawArgs[i - 1] === '-f' || rawArgs[i - 1] === '--filename') ? [] : (a === '-f' || a === '--filename') && rawArgs[i + 1] === '-' ? ['--filename=-'] : [a]));
  // kubectl with no arguments prints its help.
  if (args.length === 0) args.push('--help');
  let exitCode = 0;
  const handlerFor =
    (cmd: KcCommand) =>
    async (argv: Args): Promise<void> => {
      const f = new Factory(io, globalFlags(argv));
      try {
        if (!offline.has(cmd)) await f.prepare();
        // Custom resources are known only to the server: learn them before resolving names.
        // A failure here (no server, a bad kubeconfig) is left for the command itself to report.
        if (!offline.has(cmd) && COMMANDS_USING_DISCOVERY.has(cmd.command.split(' ')[0]!)) await learnServedResources(f).catch(() => undefined);
        const code = await cmd.run!(f, argv);
        if (typeof code === 'number') exitCode = code;
      } catch (e) {
        let server: string | undefined;
        try {
          server = f.server;
        } catch {
          server = undefined;
        }
        if (!(e instanceof CliError && e.silent)) await write(io.stderr, `${formatError(e, server)}\n`);
        exitCode = exitCodeOf(e);
        if (process.env.KC_DEBUG && e instanceof Error) await write(io.stderr, `${e.stack}\n`);
      } finally {
        await f.close().catch(() => undefined);
      }
    };
  // Commands that never reach the server (config, completion) never ask for credentials.
  const offline = new Set<KcCommand>();
  const register = (y: Argv, list: KcCommand[], parentOffline = false): Argv => {
    for (const cmd of list) {
      if (parentOffline || cmd.offline) offline.add(cmd);
      y = y.command({
        command: cmd.command,
        describe: cmd.describe || false,
        aliases: cmd.aliases,
        builder: (sub: Argv) => {
          let b = cmd.builder ? cmd.builder(sub) : sub;
          // strictOptions() would reject positionals that are not declared as such.
          for (const m of cmd.command.matchAll(/[[<]([\w-]+)(\.\.)?[\]>]/g)) {
            b = b.positional(m[1]!, { type: 'string', array: !!m[2] });
          }
          if (cmd.subcommands) b = register(b, cmd.subcommands, offline.has(cmd)).demandCommand(1, `${cmd.command.split(' ')[0]}: a subcommand is required`);
          return b;
        },
        handler: cmd.run ? (handlerFor(cmd) as (a: unknown) => Promise<void>) : () => undefined,
      });
    }
    return y;
  };

  let out = '';
  const parser = register(
    yargs(args)
      .scriptName('kc')
      .parserConfiguration({
        'populate--': true,
        'dot-notation': false,
        'boolean-negation': false,
        'parse-positional-numbers': false,
        'greedy-arrays': false,
        'strip-aliased': false,
      })
      .usage('kc controls a tskube cluster (kubectl-style).\n\nUsage: kc <command> [flags]')
      .option('kubeconfig', { type: 'string', describe: 'Path to the kubeconfig file', global: true })
      .option('context', { type: 'string', describe: 'The kubeconfig context to use', global: true })
      .option('cluster', { type: 'string', describe: 'The kubeconfig cluster to use', global: true })
      .option('user', { type: 'string', describe: 'The kubeconfig user to use', global: true })
      .option('namespace', { alias: 'n', type: 'string', describe: 'The namespace for this request', global: true })
      .option('server', { alias: 's', type: 'string', describe: 'The address of the API server', global: true })
      .option('token', { type: 'string', describe: 'Bearer token for authentication to the API server', global: true })
      .option('username', { type: 'string', describe: 'Username for basic authentication to the API server', global: true })
      .option('password', { type: 'string', describe: 'Password for basic authentication to the API server', global: true })
      .option('client-certificate', { type: 'string', describe: 'Path to a client certificate file for TLS', global: true })
      .option('client-key', { type: 'string', describe: 'Path to a client key file for TLS', global: true })
      .option('certificate-authority', { type: 'string', describe: 'Path to a cert file for the certificate authority', global: true })
      .option('insecure-skip-tls-verify', { type: 'boolean', describe: 'Do not verify the server certificate', global: true })
      .option('tls-server-name', { type: 'string', describe: 'Server name to use for server certificate validation', global: true })
      .option('as', { type: 'string', describe: 'Username to impersonate for the operation', global: true })
      .option('as-group', { type: 'string', array: true, describe: 'Group to impersonate for the operation (repeatable)', global: true })
      .option('as-uid', { type: 'string', describe: 'UID to impersonate for the operation', global: true })
      .option('request-timeout', { type: 'string', describe: 'Timeout of a single request (e.g. 30s); 0 = none', global: true }),
    commands,
  )
    .demandCommand(1, 'a command is required')
    .strictCommands()
    .strictOptions()
    .recommendCommands()
    .help()
    .alias('help', 'h')
    .version(false)
    .wrap(Math.min(120, process.stdout.columns ?? 100))
    .exitProcess(false)
    .fail((msg, err) => {
      if (err) throw err;
      throw new UsageError(msg);
    });
  try {
    await parser.parseAsync(args, {}, (_err, _argv, output) => {
      if (output) out += output;
    });
  } catch (e) {
    const msg = e instanceof UsageError ? e.message : (e as Error).message;
    await write(io.stderr, `error: ${msg}\nSee 'kc --help' for usage.\n`);
    return 1;
  }
  if (out) await write(io.stdout, out.endsWith('\n') ? out : `${out}\n`);
  return exitCode;
}
