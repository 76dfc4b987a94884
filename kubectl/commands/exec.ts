// kc exec POD [-c C] [-i] [-t] -- COMMAND…: a v5.channel.k8s.io WebSocket to pods/exec;
// kc exits with the remote command's exit code.
import type { Status } from 'kubernetes-types/meta/v1';
import { bool, str, strs, type KcCommand } from '../command.js';
import { CliError } from '../errors.js';
import { write } from '../io.js';
import { CLOSE, ERROR, RESIZE, STDERR, STDIN, STDOUT, exitCodeFromStatus, openChannel } from '../channel.js';
import { pickContainer, resolvePod } from '../pod-select.js';
import { objectPath } from '../fetch.js';
import { resolveType } from '../resource-args.js';

export const execCommand: KcCommand = {
  command: 'exec [args..]',
  describe: 'Execute a command in a container',
  builder: (y) =>
    y
      .option('container', { alias: 'c', type: 'string' })
      .option('stdin', { alias: 'i', type: 'boolean', describe: 'Pass stdin to the container' })
      .option('tty', { alias: 't', type: 'boolean', describe: 'Stdin is a TTY' })
      .option('quiet', { alias: 'q', type: 'boolean' }),
  run: async (f, argv) => {
    const args = strs(argv.args);
    const command = (argv['--'] ?? []).map(String);
    if (args.length === 0) throw new CliError('pod, type/name or --filename must be specified');
    if (command.length === 0) {
      if (args.length > 1) command.push(...args.slice(1));
      else throw new CliError('you must specify at least one command for the container');
    }
    const pod = await resolvePod(f, args[0]!);
    if (pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed') {
      throw new CliError(`cannot exec into a container in a completed pod; current phase is ${pod.status.phase}`);
    }
    const container = await pickContainer(f, pod, str(argv.container));
    const stdin = bool(argv.stdin);
    let tty = bool(argv.tty);
    if (tty && !(stdin && f.io.stdinIsTTY)) {
      if (!bool(argv.quiet)) await write(f.io.stderr, 'Unable to use a TTY - input is not a terminal or the right kind of file\n');
      tty = false;
    }
    const params: [string, string][] = [...command.map((c): [string, string] => ['command', c]), ['container', container], ['stdout', 'true'], ['stderr', String(!tty)]];
    if (stdin) params.push(['stdin', 'true']);
    if (tty) params.push(['tty', 'true']);
    const path = objectPath(resolveType('pods'), pod.metadata?.namespace, pod.metadata?.name ?? '', 'exec');
    const ws = await openChannel(f, path, params, ['v5.channel.k8s.io', 'v4.channel.k8s.io']);
    const v5 = ws.protocol === 'v5.channel.k8s.io';
    const send = (channel: number, data: Buffer): void => {
      if (ws.readyState === ws.OPEN) ws.send(Buffer.concat([Buffer.from([channel]), data]));
    };
    const input = f.io.stdin as NodeJS.ReadStream;
    let restoreTTY = (): void => undefined;
    if (tty && typeof input.setRawMode === 'function') {
      input.setRawMode(true);
      restoreTTY = () => input.setRawMode(false);
      const out = f.io.stdout as NodeJS.WriteStream;
      const resize = (): void => send(RESIZE, Buffer.from(JSON.stringify({ Width: out.columns ?? 80, Height: out.rows ?? 24 })));
      resize();
      out.on?.('resize', resize);
    }
    if (stdin) {
      input.on('data', (d: Buffer) => send(STDIN, d));
      input.on('end', () => {
        if (v5) send(CLOSE, Buffer.from([STDIN]));
      });
    }
    let result: { code: number; error?: Error } = { code: 0 };
    const pending: Promise<void>[] = [];
    await new Promise<void>((resolve, reject) => {
      ws.on('message', (data: Buffer) => {
        if (data.length === 0) return;
        const ch = data[0];
        const payload = data.subarray(1);
        if (ch === STDOUT) pending.push(write(f.io.stdout, payload.toString()));
        else if (ch === STDERR) pending.push(write(f.io.stderr, payload.toString()));
        else if (ch === ERROR && payload.length > 0) {
          try {
            result = exitCodeFromStatus(JSON.parse(payload.toString()) as Status);
          } catch {
            result = { code: 1, error: new CliError(payload.toString()) };
          }
        }
      });
      ws.on('close', () => resolve());
      ws.on('error', reject);
    }).finally(() => {
      restoreTTY();
      if (stdin) input.pause();
    });
    await Promise.all(pending);
    if (result.error) throw result.error;
    if (result.code !== 0) {
      await write(f.io.stderr, `command terminated with exit code ${result.code}\n`);
      throw new CliError('', result.code, true);
    }
  },
};
