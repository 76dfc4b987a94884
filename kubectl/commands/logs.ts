// kc logs POD|TYPE/NAME [-c C] [-f] [--tail N] [--previous] [--timestamps] [-l sel] [--prefix].
import type { Pod } from 'kubernetes-types/core/v1';
import type { Readable } from 'node:stream';
import { bool, str, strs, type KcCommand } from '../command.js';
import { CliError } from '../errors.js';
import { parseDuration, type Factory } from '../factory.js';
import { listAll } from '../fetch.js';
import { write } from '../io.js';
import { pickContainer, resolvePod } from '../pod-select.js';
import { resolveType } from '../resource-args.js';

interface Stream {
  pod: Pod;
  container: string;
}

async function copy(f: Factory, body: Readable, prefix: string): Promise<void> {
  if (!prefix) {
    for await (const chunk of body) await write(f.io.stdout, (chunk as Buffer).toString());
    return;
  }
  let rest = '';
  for await (const chunk of body) {
    const lines = (rest + (chunk as Buffer).toString()).split('\n');
    rest = lines.pop() ?? '';
    await write(f.io.stdout, lines.map((l) => `${prefix} ${l}\n`).join(''));
  }
  if (rest) await write(f.io.stdout, `${prefix} ${rest}\n`);
}

export const logsCommand: KcCommand = {
  command: 'logs [args..]',
  describe: 'Print the logs for a container in a pod',
  builder: (y) =>
    y
      .option('container', { alias: 'c', type: 'string' })
      .option('follow', { alias: 'f', type: 'boolean' })
      .option('tail', { type: 'number', default: -1 })
      .option('previous', { alias: 'p', type: 'boolean' })
      .option('timestamps', { type: 'boolean' })
      .option('since', { type: 'string', describe: 'Only newer logs, e.g. 5s, 2m' })
      .option('selector', { alias: 'l', type: 'string' })
      .option('all-containers', { type: 'boolean' })
      .option('prefix', { type: 'boolean', describe: 'Prefix lines with [pod/NAME/CONTAINER]' })
      .option('max-log-requests', { type: 'number', default: 5 }),
  run: async (f, argv) => {
    const args = strs(argv.args);
    const selector = str(argv.selector);
    let pods: Pod[];
    if (selector) {
      if (args.length > 0) throw new CliError('only one of -l or POD may be given');
      pods = (await listAll(f.client, resolveType('pods'), f.namespace, { labelSelector: selector })).items as unknown as Pod[];
      if (pods.length === 0) {
        await write(f.io.stderr, `No resources found in ${f.namespace} namespace.\n`);
        return;
      }
    } else {
      if (args.length === 0) throw new CliError('expected POD or TYPE/NAME is a required argument for the logs command');
      if (args.length > 2) throw new CliError('expected POD [CONTAINER]');
      pods = [await resolvePod(f, args[0]!)];
      if (args[1] && !argv.container) argv.container = args[1];
    }
    const streams: Stream[] = [];
    for (const pod of pods) {
      if (bool(argv.allContainers)) for (const c of pod.spec?.containers ?? []) streams.push({ pod, container: c.name });
      else streams.push({ pod, container: selector && !argv.container ? (pod.spec?.containers?.[0]?.name ?? '') : await pickContainer(f, pod, str(argv.container)) });
    }
    const follow = bool(argv.follow);
    const max = Number(argv.maxLogRequests ?? 5);
    if (follow && streams.length > max) {
      throw new CliError(`you are attempting to follow ${streams.length} log streams, but maximum allowed concurrency is ${max}, use --max-log-requests to increase the limit`);
    }
    const sinceMs = parseDuration(str(argv.since));
    const tail = Number(argv.tail ?? -1);
    const prefixed = bool(argv.prefix);
    const open = (s: Stream): Promise<Readable> =>
      f.resource(resolveType('pods'), s.pod.metadata?.namespace).log(s.pod.metadata?.name ?? '', {
        container: s.container,
        follow,
        previous: bool(argv.previous) || undefined,
        timestamps: bool(argv.timestamps) || undefined,
        tailLines: tail >= 0 ? tail : selector ? 10 : undefined,
        sinceSeconds: sinceMs ? Math.ceil(sinceMs / 1000) : undefined,
      });
    const prefix = (s: Stream): string => (prefixed ? `[pod/${s.pod.metadata?.name}/${s.container}]` : '');
    if (follow) await Promise.all(streams.map(async (s) => copy(f, await open(s), prefix(s))));
    else for (const s of streams) await copy(f, await open(s), prefix(s));
  },
};
