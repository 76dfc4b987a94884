// kc wait --for=condition=Ready|delete|jsonpath=…=value [--timeout=30s] TYPE/NAME | -l sel.
import { str, strs, type KcCommand } from '../command.js';
import { AggregateCliError, CliError } from '../errors.js';
import { parseDuration } from '../factory.js';
import { write } from '../io.js';
import { displayName } from '../objects.js';
import { qualifiedResource } from '../resource-args.js';
import { resolveTargets } from '../targets.js';
import { conditionMet, parseWaitFor } from '../wait-condition.js';
import { watchUntil } from '../watch-until.js';

export const waitCommand: KcCommand = {
  command: 'wait [args..]',
  describe: 'Experimental: Wait for a specific condition on one or many resources',
  builder: (y) =>
    y
      .option('for', { type: 'string', describe: 'condition=Ready[=True] | delete | create | jsonpath={.status.phase}=Running' })
      .option('timeout', { type: 'string', default: '30s', describe: 'How long to wait (0: check once)' })
      .option('selector', { alias: 'l', type: 'string' })
      .option('all', { type: 'boolean' })
      .option('all-namespaces', { alias: 'A', type: 'boolean' })
      .option('filename', { alias: 'f', type: 'string', array: true }),
  run: async (f, argv) => {
    const w = parseWaitFor(str(argv.for));
    const timeoutMs = parseDuration(str(argv.timeout)) ?? 30_000;
    const targets = await resolveTargets(f, argv, { command: 'wait', args: strs(argv.args), allowSelector: true });
    if (targets.length === 0) {
      if (w.kind === 'delete') return;
      throw new CliError('no matching resources found');
    }
    const errors: unknown[] = [];
    await Promise.all(
      targets.map(async (t) => {
        try {
          // A named object that does not exist is an error (NotFound), as in kubectl.
          if (w.kind === 'condition' || w.kind === 'jsonpath') await f.resource(t.info, t.namespace).get(t.name);
          // timeout 0 means: check once.
          const ok = await watchUntil(f, t.info, t.namespace, t.name, (obj) => conditionMet(w, obj), timeoutMs <= 0 ? 1 : timeoutMs);
          if (!ok) throw new CliError(`timed out waiting for the condition on ${qualifiedResource(t.info)}/${t.name}`);
          await write(f.io.stdout, `${displayName(t.info, t.name)} ${w.kind === 'delete' ? 'deleted' : 'condition met'}\n`);
        } catch (e) {
          errors.push(e);
        }
      }),
    );
    if (errors.length > 0) throw new AggregateCliError(errors);
  },
};
