// kc auth can-i (SelfSubjectAccessReview, or SelfSubjectRulesReview with --list) and kc auth
// whoami (SelfSubjectReview), with kubectl's arguments, warnings, tables and exit codes.
import { RESOURCES, resolveResourceName } from '../../api/resources.js';
import type { KObject } from '../../api/types.js';
import { StatusError } from '../../api/status.js';
import { bool, str, strs, type Args, type KcCommand } from '../command.js';
import { CliError } from '../errors.js';
import type { Factory } from '../factory.js';
import { write } from '../io.js';
import { accessTable, type SubjectRulesReviewStatus } from '../rbac-rules.js';
import { tabulate } from '../printers/tabwriter.js';
import { checkTypedOutput, printTyped, typedObjectMeta } from '../printers/typed.js';

const RESOURCE_VERBS = new Set(['get', 'list', 'watch', 'create', 'update', 'patch', 'delete', 'deletecollection', 'use', 'bind', 'impersonate', '*', 'approve', 'sign', 'escalate', 'attest']);
const NON_RESOURCE_URL_VERBS = new Set(['get', 'put', 'post', 'head', 'options', 'delete', 'patch', '*']);
/** Resources the server knows for impersonation that discovery never lists. */
const NON_STANDARD_RESOURCES = new Set(['users', 'groups']);

/** kubectl's WarningPrinter (its messages often end in a newline of their own). */
const warn = (f: Factory, message: string): Promise<void> => write(f.io.stderr, `Warning: ${message}\n`);

interface Target {
  group: string;
  resource: string;
  namespaced?: boolean;
}

/** The RESTMapper's answer for TYPE, or TYPE as typed (with kubectl's warning) when unknown. */
async function resourceFor(f: Factory, arg: string): Promise<Target> {
  if (arg === '*') return { group: '', resource: '*', namespaced: true };
  const lower = arg.toLowerCase();
  const parts = lower.split('.');
  // resource.version.group names one version exactly.
  let info =
    parts.length >= 3 ? RESOURCES.find((r) => r.version === parts[1] && r.group === parts.slice(2).join('.') && (r.resource === parts[0] || r.singular === parts[0])) : undefined;
  info ??= resolveResourceName(lower);
  if (info) return { group: info.group, resource: info.resource, namespaced: info.namespaced };
  const dot = lower.indexOf('.');
  const resource = dot < 0 ? lower : lower.slice(0, dot);
  const group = dot < 0 ? '' : lower.slice(dot + 1);
  if (!NON_STANDARD_RESOURCES.has(group ? `${resource}.${group}` : resource)) {
    await warn(f, group ? `the server doesn't have a resource type '${resource}' in group '${group}'\n` : `the server doesn't have a resource type '${resource}'\n`);
  }
  return { group: '', resource: arg };
}

interface AccessReviewStatus {
  allowed?: boolean;
  reason?: string;
  evaluationError?: string;
}

async function runCanI(f: Factory, argv: Args): Promise<number> {
  const list = bool(argv.list);
  const quiet = bool(argv.quiet);
  const allNamespaces = bool(argv.allNamespaces);
  const subresource = str(argv.subresource) ?? '';
  const noHeaders = bool(argv.noHeaders);
  const args = strs(argv.args);
  // kubectl's order: arguments, the client (and its RESTMapper), the namespace, then validation.
  let verb = '';
  let url = '';
  let name = '';
  let target: Target | undefined;
  if (list) {
    if (args.length !== 0) throw new CliError('list option must be specified with no arguments');
  } else {
    if (args.length !== 2) {
      throw new CliError("you must specify two arguments: verb resource or verb resource/resourceName.\nSee 'kc auth can-i -h' for help and examples.");
    }
    verb = args[0]!;
    const what = args[1]!;
    if (what.startsWith('/')) url = what;
    else {
      void f.client;
      const slash = what.indexOf('/');
      target = await resourceFor(f, slash < 0 ? what : what.slice(0, slash));
      if (slash >= 0) name = what.slice(slash + 1);
    }
  }
  const client = f.client;
  const namespace = allNamespaces ? '' : f.namespace;

  if (list) {
    if (quiet || allNamespaces || subresource) throw new CliError("list option can't be specified with neither quiet, all-namespaces nor subresource options");
    const review = await client.json<{ status?: SubjectRulesReviewStatus }>({
      method: 'POST',
      path: '/apis/authorization.k8s.io/v1/selfsubjectrulesreviews',
      body: { kind: 'SelfSubjectRulesReview', apiVersion: 'authorization.k8s.io/v1', spec: { namespace } },
    });
    const status = review.status ?? {};
    if (status.incomplete) await warn(f, `the list may be incomplete: ${status.evaluationError ?? ''}`);
    await write(f.io.stdout, accessTable(status, noHeaders));
    return 0;
  }
  if (url) {
    if (subresource) throw new CliError('--subresource can not be used with NonResourceURL');
    if (!NON_RESOURCE_URL_VERBS.has(verb)) await warn(f, `verb '${verb}' is not a known verb\n`);
  } else if (target && !allNamespaces) {
    if (target.namespaced === false) {
      await warn(f, target.group ? `resource '${target.resource}' is not namespace scoped in group '${target.group}'\n` : `resource '${target.resource}' is not namespace scoped\n`);
    }
    if (!RESOURCE_VERBS.has(verb)) await warn(f, `verb '${verb}' is not a known verb\n`);
  }
  if (noHeaders) throw new CliError('--no-headers cannot be set without --list specified');

  // Empty fields are left out, as Go's omitempty leaves them out.
  const compact = (o: Record<string, string>): Record<string, string> => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== ''));
  const spec = url
    ? { nonResourceAttributes: { verb, path: url } }
    : { resourceAttributes: compact({ namespace, verb, group: target!.group, resource: target!.resource, subresource, name }) };
  const review = await client.json<{ status?: AccessReviewStatus }>({
    method: 'POST',
    path: '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews',
    body: { kind: 'SelfSubjectAccessReview', apiVersion: 'authorization.k8s.io/v1', spec },
  });
  const status = review.status ?? {};
  const out = status.allowed ? 'yes\n' : `no${status.reason ? ` - ${status.reason}` : ''}${status.evaluationError ? ` - ${status.evaluationError}` : ''}\n`;
  if (!quiet) await write(f.io.stdout, out);
  return status.allowed ? 0 : 1;
}

const canICommand: KcCommand = {
  command: 'can-i [args..]',
  describe: 'Check whether an action is allowed: can-i VERB [TYPE | TYPE/NAME | NONRESOURCEURL]',
  builder: (y) =>
    y
      .option('all-namespaces', { alias: 'A', type: 'boolean', describe: 'Check the action in all namespaces' })
      .option('quiet', { alias: 'q', type: 'boolean', describe: 'Print nothing, only the exit code tells' })
      .option('subresource', { type: 'string', describe: 'Subresource such as pod/log or deployment/scale' })
      .option('list', { type: 'boolean', describe: 'Print all allowed actions' })
      .option('no-headers', { type: 'boolean', describe: 'With --list: no table header' }),
  run: runCanI,
};

interface UserInfo {
  username?: string;
  uid?: string;
  groups?: string[];
  extra?: Record<string, string[]>;
}

/** authentication/v1 SelfSubjectReview as the Go struct prints. */
function typedSelfSubjectReview(r: KObject & { status?: { userInfo?: UserInfo } }): KObject {
  const u = r.status?.userInfo ?? {};
  const extra = u.extra && Object.keys(u.extra).length ? Object.fromEntries(Object.keys(u.extra).sort().map((k) => [k, u.extra![k]])) : undefined;
  const userInfo = {
    ...(u.username ? { username: u.username } : {}),
    ...(u.uid ? { uid: u.uid } : {}),
    ...(u.groups?.length ? { groups: u.groups } : {}),
    ...(extra ? { extra } : {}),
  };
  return { kind: r.kind, apiVersion: r.apiVersion, metadata: typedObjectMeta(r.metadata as Record<string, unknown>), status: { userInfo } } as KObject;
}

async function selfSubjectReview(f: Factory): Promise<KObject> {
  // Older servers serve the review in beta or alpha only.
  for (const version of ['v1', 'v1beta1', 'v1alpha1']) {
    try {
      return await f.client.json<KObject>({
        method: 'POST',
        path: `/apis/authentication.k8s.io/${version}/selfsubjectreviews`,
        body: { kind: 'SelfSubjectReview', apiVersion: `authentication.k8s.io/${version}`, metadata: { creationTimestamp: null } },
      });
    } catch (e) {
      if (e instanceof StatusError && e.code === 403) throw new CliError('the selfsubjectreviews API is not enabled in the cluster or you do not have permission to call it');
      if (!(e instanceof StatusError && e.code === 404)) throw e;
    }
  }
  throw new CliError(
    'the selfsubjectreviews API is not enabled in the cluster\nenable APISelfSubjectReview feature gate and authentication.k8s.io/v1alpha1 or authentication.k8s.io/v1beta1 API',
  );
}

const whoamiCommand: KcCommand = {
  command: 'whoami',
  describe: 'Check self subject attributes (SelfSubjectReview)',
  builder: (y) => y.option('output', { alias: 'o', type: 'string', describe: 'json|yaml|name|jsonpath=…' }),
  run: async (f, argv) => {
    const output = str(argv.output);
    if (output) checkTypedOutput(output);
    const review = typedSelfSubjectReview(await selfSubjectReview(f));
    if (output) {
      await write(f.io.stdout, printTyped(review, output, 'authentication.k8s.io'));
      return;
    }
    const u = (review.status as { userInfo: UserInfo }).userInfo;
    let text = 'ATTRIBUTE\tVALUE\n';
    if (u.username) text += `Username\t${u.username}\n`;
    if (u.uid) text += `UID\t${u.uid}\n`;
    if (u.groups?.length) text += `Groups\t[${u.groups.join(' ')}]\n`;
    for (const [k, v] of Object.entries(u.extra ?? {})) text += `Extra: ${k}\t[${v.join(' ')}]\n`;
    await write(f.io.stdout, tabulate(text));
  },
};

export const authCommand: KcCommand = {
  command: 'auth',
  describe: 'Inspect authorization (can-i) and authentication (whoami)',
  subcommands: [canICommand, whoamiCommand],
};
