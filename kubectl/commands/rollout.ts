// kc rollout status | history | undo | restart | pause | resume.
import type { ControllerRevision, Deployment, ReplicaSet } from 'kubernetes-types/apps/v1';
import type { LabelSelector as LabelSelectorSpec } from 'kubernetes-types/meta/v1';
import type { ResourceInfo } from '../../api/resources.js';
import type { KObject } from '../../api/types.js';
import { metaTime } from '../../api/time.js';
import { labelSelectorFromObject } from '../../api/labels.js';
import { str, strs, type Args, type KcCommand } from '../command.js';
import { AggregateCliError, CliError } from '../errors.js';
import { parseDuration, type Factory } from '../factory.js';
import { listAll } from '../fetch.js';
import { write } from '../io.js';
import { displayName } from '../objects.js';
import { daemonSetStatus, deploymentStatus, statefulSetStatus, type RolloutStatus } from '../rollout-status.js';
import { qualifiedResource, resolveType } from '../resource-args.js';
import { resolveTargets, type Target } from '../targets.js';
import { watchUntil } from '../watch-until.js';
import { DescribeWriter } from '../describe/writer.js';
import { writePodTemplate } from '../describe/containers.js';
import { goJson } from '../../api/go-format.js';
import { controlledRevisions, revisionEntries, undoDecision, type RevisionEntry } from '../rollout-history.js';

const REVISION = 'deployment.kubernetes.io/revision';
const CHANGE_CAUSE = 'kubernetes.io/change-cause';
const ROLLABLE = new Set(['apps/deployments', 'apps/daemonsets', 'apps/statefulsets']);

async function targets(f: Factory, argv: Args, command: string): Promise<Target[]> {
  const list = await resolveTargets(f, argv, { command: `rollout ${command}`, args: strs(argv.args), allowSelector: true });
  for (const t of list) {
    if (!ROLLABLE.has(`${t.info.group}/${t.info.resource}`)) throw new CliError(`no ${command === 'status' ? 'status viewer' : command === 'history' ? 'history viewer' : 'rollbacker'} has been implemented for ${t.info.kind}`);
  }
  if (list.length === 0) throw new CliError('required resource not specified');
  return list;
}

function statusOf(info: ResourceInfo, obj: KObject): RolloutStatus {
  if (info.resource === 'deployments') return deploymentStatus(obj as unknown as Deployment);
  if (info.resource === 'daemonsets') return daemonSetStatus(obj as never);
  return statefulSetStatus(obj as never);
}

/** The Deployment's ReplicaSets by revision (its controllerRef ones). */
async function revisions(f: Factory, d: Deployment): Promise<Map<number, ReplicaSet>> {
  const { items } = await listAll(f.client, resolveType('replicasets.apps'), d.metadata?.namespace, {
    labelSelector: labelSelectorFromObject(d.spec?.selector).toString(),
  });
  const out = new Map<number, ReplicaSet>();
  for (const rs of items as unknown as ReplicaSet[]) {
    if (!rs.metadata?.ownerReferences?.some((r) => r.controller && r.uid === d.metadata?.uid)) continue;
    const rev = Number(rs.metadata?.annotations?.[REVISION] ?? NaN);
    if (Number.isInteger(rev)) out.set(rev, rs);
  }
  return out;
}

function withoutHash<T>(template: T): T {
  const copy = structuredClone(template) as { metadata?: { labels?: Record<string, string> } };
  if (copy?.metadata?.labels) delete copy.metadata.labels['pod-template-hash'];
  return copy as T;
}

const status: KcCommand = {
  command: 'status [args..]',
  describe: 'Show the status of the rollout',
  builder: (y) =>
    y
      .option('watch', { alias: 'w', type: 'boolean', default: true, describe: 'Watch until the rollout finishes' })
      .option('timeout', { type: 'string', describe: 'Give up after this long (0: never)' })
      .option('selector', { alias: 'l', type: 'string' })
      .option('filename', { alias: 'f', type: 'string', array: true }),
  run: async (f, argv) => {
    const timeoutMs = parseDuration(str(argv.timeout)) ?? 0;
    for (const t of await targets(f, argv, 'status')) {
      const rc = f.resource(t.info, t.namespace);
      await rc.get(t.name); // NotFound as kubectl reports it
      let gone = false;
      const done = await watchUntil(
        f,
        t.info,
        t.namespace,
        t.name,
        async (obj) => {
          if (!obj) {
            gone = true;
            return true;
          }
          const s = statusOf(t.info, obj);
          await write(f.io.stdout, s.message);
          return s.done || argv.watch === false;
        },
        timeoutMs,
      );
      if (gone) throw new CliError('object has been deleted');
      if (!done) throw new CliError('timed out waiting for the condition');
    }
  },
};

/** A Deployment's history: its ReplicaSets' templates (as kubectl shows them, with the pod-template-hash label). */
async function deploymentHistory(f: Factory, d: Deployment): Promise<Map<number, RevisionEntry>> {
  const out = new Map<number, RevisionEntry>();
  for (const [n, rs] of await revisions(f, d)) out.set(n, { template: rs.spec?.template, changeCause: rs.metadata?.annotations?.[CHANGE_CAUSE] });
  return out;
}

/** The ControllerRevisions a DaemonSet or StatefulSet controls (listed by its selector, filtered by controllerRef). */
async function controllerRevisions(f: Factory, obj: KObject & { spec?: { selector?: LabelSelectorSpec } }): Promise<Map<number, ControllerRevision>> {
  const { items } = await listAll(f.client, resolveType('controllerrevisions.apps'), obj.metadata?.namespace, {
    labelSelector: labelSelectorFromObject(obj.spec?.selector).toString(),
  });
  return controlledRevisions(obj, items as unknown as ControllerRevision[]);
}

const history: KcCommand = {
  command: 'history [args..]',
  describe: 'View rollout history',
  builder: (y) => y.option('revision', { type: 'number', default: 0 }).option('selector', { alias: 'l', type: 'string' }),
  run: async (f, argv) => {
    for (const t of await targets(f, argv, 'history')) {
      const obj = await f.resource(t.info, t.namespace).get(t.name);
      const revs = t.info.resource === 'deployments' ? await deploymentHistory(f, obj as unknown as Deployment) : revisionEntries(await controllerRevisions(f, obj));
      const wanted = Number(argv.revision ?? 0);
      if (revs.size === 0 && t.info.resource !== 'deployments') {
        await write(f.io.stdout, `${displayName(t.info, t.name)} \nNo rollout history found.\n`);
        continue;
      }
      if (wanted > 0) {
        const entry = revs.get(wanted);
        if (!entry) throw new CliError(`unable to find the specified revision`);
        const w = new DescribeWriter();
        writePodTemplate(w, entry.template);
        await write(f.io.stdout, `${displayName(t.info, t.name)} with revision #${wanted}\n${w.raw()}\n`);
        continue;
      }
      let table = 'REVISION\tCHANGE-CAUSE\n';
      for (const r of [...revs.keys()].sort((a, b) => a - b)) table += `${r}\t${revs.get(r)!.changeCause || '<none>'}\n`;
      const w = new DescribeWriter();
      w.write(0, table);
      await write(f.io.stdout, `${displayName(t.info, t.name)} \n${w.toString()}\n`);
    }
  },
};

/** DaemonSetRollbacker / StatefulSetRollbacker: the revision's data as a strategic merge patch. */
async function undoFromControllerRevisions(f: Factory, t: Target, toRevision: number): Promise<void> {
  const rc = f.resource(t.info, t.namespace);
  const obj = await rc.get(t.name);
  const decision = undoDecision(obj, await controllerRevisions(f, obj), toRevision);
  if (decision.kind === 'error') throw new CliError(decision.message);
  if (decision.kind === 'skip') {
    await write(f.io.stdout, `${displayName(t.info, t.name)} skipped rollback (current template already matches revision ${decision.revision})\n`);
    return;
  }
  try {
    await rc.patch(t.name, 'strategic', decision.patch);
  } catch (e) {
    throw new CliError(`failed restoring revision ${decision.revision}: ${e instanceof Error ? e.message : String(e)}`);
  }
  await write(f.io.stdout, `${displayName(t.info, t.name)} rolled back\n`);
}

const undo: KcCommand = {
  command: 'undo [args..]',
  describe: 'Undo a previous rollout',
  builder: (y) => y.option('to-revision', { type: 'number', default: 0 }).option('selector', { alias: 'l', type: 'string' }),
  run: async (f, argv) => {
    for (const t of await targets(f, argv, 'undo')) {
      if (t.info.resource !== 'deployments') {
        await undoFromControllerRevisions(f, t, Number(argv.toRevision ?? 0));
        continue;
      }
      const rc = f.resource(t.info, t.namespace);
      const d = (await rc.get(t.name)) as unknown as Deployment;
      if (d.spec?.paused) throw new CliError(`you cannot rollback a paused deployment; resume it first with 'kc rollout resume ${displayName(t.info, t.name)}' and try again`);
      const revs = await revisions(f, d);
      const sorted = [...revs.keys()].sort((a, b) => a - b);
      let to = Number(argv.toRevision ?? 0);
      if (to === 0) {
        if (sorted.length < 2) throw new CliError(`no rollout history found for deployment ${JSON.stringify(t.name)}`);
        to = sorted[sorted.length - 2]!;
      }
      const rs = revs.get(to);
      if (!rs) throw new CliError(`unable to find specified revision ${to} in history`);
      const template = withoutHash(rs.spec?.template);
      if (goJson(template) === goJson(d.spec?.template)) {
        await write(f.io.stdout, `${displayName(t.info, t.name)} skipped rollback (current template already matches revision ${to})\n`);
        continue;
      }
      await rc.patch(t.name, 'json', [{ op: 'replace', path: '/spec/template', value: template }]);
      await write(f.io.stdout, `${displayName(t.info, t.name)} rolled back\n`);
    }
  },
};

const restart: KcCommand = {
  command: 'restart [args..]',
  describe: 'Restart a resource (new pods via a template annotation)',
  builder: (y) => y.option('selector', { alias: 'l', type: 'string' }),
  run: async (f, argv) => {
    const errors: unknown[] = [];
    for (const t of await targets(f, argv, 'restart')) {
      const rc = f.resource(t.info, t.namespace);
      const obj = (await rc.get(t.name)) as KObject & { spec?: { paused?: boolean } };
      if (obj.spec?.paused) {
        errors.push(new CliError(`${qualifiedResource(t.info)} ${JSON.stringify(t.name)} can't restart paused deployment (run rollout resume first)`));
        continue;
      }
      const at = metaTime();
      await rc.patch(t.name, 'strategic', { spec: { template: { metadata: { annotations: { 'kubectl.kubernetes.io/restartedAt': at } } } } });
      await write(f.io.stdout, `${displayName(t.info, t.name)} restarted\n`);
    }
    if (errors.length) throw new AggregateCliError(errors);
  },
};

function pauser(pause: boolean): KcCommand {
  const verb = pause ? 'pause' : 'resume';
  return {
    command: `${verb} [args..]`,
    describe: pause ? 'Mark the provided resource as paused' : 'Resume a paused resource',
    builder: (y) => y.option('selector', { alias: 'l', type: 'string' }),
    run: async (f, argv) => {
      const errors: unknown[] = [];
      for (const t of await targets(f, argv, verb)) {
        if (t.info.resource !== 'deployments') {
          errors.push(new CliError(`${qualifiedResource(t.info)} ${JSON.stringify(t.name)} ${pause ? 'pausing' : 'resuming'} is not supported`));
          continue;
        }
        const rc = f.resource(t.info, t.namespace);
        const d = (await rc.get(t.name)) as unknown as Deployment;
        if (!!d.spec?.paused === pause) {
          errors.push(new CliError(`${qualifiedResource(t.info)} ${JSON.stringify(t.name)} is ${pause ? 'already paused' : 'not paused'}`));
          continue;
        }
        await rc.patch(t.name, 'strategic', { spec: { paused: pause ? true : null } });
        await write(f.io.stdout, `${displayName(t.info, t.name)} ${pause ? 'paused' : 'resumed'}\n`);
      }
      if (errors.length) throw new AggregateCliError(errors);
    },
  };
}

export const rolloutCommand: KcCommand = {
  command: 'rollout',
  describe: 'Manage the rollout of a resource',
  subcommands: [status, history, undo, restart, pauser(true), pauser(false)],
};
