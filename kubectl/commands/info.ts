// Commands about the cluster itself: api-resources, version, cluster-info.
import type { Service } from 'kubernetes-types/core/v1';
import { bool, str, type KcCommand } from '../command.js';
import { CliError } from '../errors.js';
import { discoverResources } from '../../client/discovery.js';
import { write } from '../io.js';
import { goJsonIndent } from '../../api/go-format.js';
import { toYaml } from '../printers/output.js';
import { tabulate } from '../printers/tabwriter.js';

export const CLIENT_VERSION = { major: '1', minor: '32', gitVersion: 'v1.32.0-tskube.0.1.0', platform: `${process.platform}/${process.arch}` };

export const apiResourcesCommand: KcCommand = {
  command: 'api-resources',
  describe: 'Print the supported API resources on the server',
  builder: (y) =>
    y
      .option('output', { alias: 'o', type: 'string', describe: 'wide|name' })
      .option('namespaced', { type: 'string', describe: 'true|false: only (non-)namespaced resources' })
      .option('api-group', { type: 'string', describe: 'Only this API group' })
      .option('no-headers', { type: 'boolean' })
      .option('sort-by', { type: 'string', describe: 'name|kind' })
      .option('verbs', { type: 'string', array: true, describe: 'Only resources supporting these verbs' }),
  run: async (f, argv) => {
    const out = str(argv.output);
    if (out && !['wide', 'name'].includes(out)) throw new CliError(`--output ${out} is not available`);
    let list = await discoverResources(f.client);
    const ns = str(argv.namespaced);
    if (ns !== undefined) list = list.filter((r) => r.namespaced === (ns === 'true'));
    const group = str(argv.apiGroup);
    if (group !== undefined) list = list.filter((r) => r.group === group);
    const verbs = (argv.verbs as string[] | undefined)?.flatMap((v) => v.split(',')) ?? [];
    if (verbs.length) list = list.filter((r) => verbs.every((v) => r.verbs.includes(v)));
    const sortBy = str(argv.sortBy);
    // kubectl sorts by group (core first), then by name; or by name or kind alone.
    const key = (r: (typeof list)[number]): string[] => (sortBy === 'name' ? [r.name] : sortBy === 'kind' ? [r.kind] : [r.group, r.name]);
    list = [...list].sort((a, b) => {
      const ka = key(a);
      const kb = key(b);
      for (let i = 0; i < ka.length; i++) if (ka[i] !== kb[i]) return ka[i]! < kb[i]! ? -1 : 1;
      return 0;
    });
    if (out === 'name') {
      await write(f.io.stdout, list.map((r) => (r.group ? `${r.name}.${r.group}\n` : `${r.name}\n`)).join(''));
      return;
    }
    const wide = out === 'wide';
    let text = bool(argv.noHeaders) ? '' : `NAME\tSHORTNAMES\tAPIVERSION\tNAMESPACED\tKIND${wide ? '\tVERBS\tCATEGORIES' : ''}\n`;
    for (const r of list) {
      const gv = r.group ? `${r.group}/${r.version}` : r.version;
      text += `${r.name}\t${r.shortNames.join(',')}\t${gv}\t${r.namespaced}\t${r.kind}`;
      if (wide) text += `\t${r.verbs.join(',')}\t${r.categories.join(',')}`;
      text += '\n';
    }
    await write(f.io.stdout, tabulate(text));
  },
};

export const versionCommand: KcCommand = {
  command: 'version',
  describe: 'Print the client and server version information',
  builder: (y) => y.option('client', { type: 'boolean', describe: 'Client version only' }).option('output', { alias: 'o', type: 'string', describe: 'json|yaml' }),
  run: async (f, argv) => {
    const clientOnly = bool(argv.client);
    let server: Record<string, unknown> | undefined;
    let err: unknown;
    if (!clientOnly) {
      try {
        server = await f.client.getPath<Record<string, unknown>>('/version');
      } catch (e) {
        err = e;
      }
    }
    const out = str(argv.output);
    const doc = { clientVersion: CLIENT_VERSION, ...(server ? { serverVersion: server } : {}) };
    if (out === 'json') await write(f.io.stdout, goJsonIndent(doc) + '\n');
    else if (out === 'yaml') await write(f.io.stdout, toYaml(doc));
    else if (out) throw new CliError(`--output must be 'yaml' or 'json'`);
    else {
      let text = `Client Version: ${CLIENT_VERSION.gitVersion}\n`;
      if (server) text += `Server Version: ${String(server.gitVersion ?? '')}\n`;
      await write(f.io.stdout, text);
    }
    if (err) throw err;
  },
};

export const clusterInfoCommand: KcCommand = {
  command: 'cluster-info',
  describe: 'Display addresses of the control plane and services with label kubernetes.io/cluster-service=true',
  run: async (f) => {
    const server = f.server.replace(/\/+$/, '');
    await f.client.getPath('/version');
    let text = `Kubernetes control plane is running at ${server}\n`;
    const list = await f.client.resource('services', 'kube-system').list({ labelSelector: 'kubernetes.io/cluster-service=true' });
    for (const svc of list.items as Service[]) {
      const name = svc.metadata?.labels?.['kubernetes.io/name'] ?? svc.metadata?.name ?? '';
      const port = svc.spec?.ports?.[0];
      const portPart = port ? `:${port.name ?? port.port}` : '';
      text += `${name} is running at ${server}/api/v1/namespaces/kube-system/services/${svc.metadata?.name}${portPart}/proxy\n`;
    }
    text += `\nTo further debug and diagnose cluster problems, use 'kc describe' and 'kc get events -A'.\n`;
    await write(f.io.stdout, text);
  },
};
