// Pure decisions behind drain, wait, rollout status, label and completion.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Pod } from 'kubernetes-types/core/v1';
import type { Deployment } from 'kubernetes-types/apps/v1';
import { planDrain } from './drain.js';
import { conditionMet, parseWaitFor } from './wait-condition.js';
import { deploymentStatus } from './rollout-status.js';
import { applyChanges, splitChanges } from './commands/label.js';
import { completionCandidates } from './completion.js';
import { exitCodeFromStatus } from './channel.js';
import { parsePortSpec } from './commands/port-forward.js';
import type { KObject } from '../api/types.js';

const pod = (name: string, extra: Partial<Pod> & { owner?: string } = {}): Pod => ({
  metadata: { name, namespace: 'default', ...(extra.owner ? { ownerReferences: [{ apiVersion: 'apps/v1', kind: extra.owner, name: 'o', uid: 'u', controller: true }] } : {}), ...extra.metadata },
  spec: { containers: [{ name: 'c' }], ...extra.spec },
  status: extra.status ?? { phase: 'Running' },
});

test('drain: DaemonSet pods, bare pods and emptyDir pods need their flags', () => {
  const pods = [pod('rs', { owner: 'ReplicaSet' }), pod('ds', { owner: 'DaemonSet' }), pod('bare'), pod('vol', { owner: 'ReplicaSet', spec: { containers: [{ name: 'c' }], volumes: [{ name: 'v', emptyDir: {} }] } }), pod('done', { status: { phase: 'Succeeded' } })];
  const strict = planDrain(pods, { ignoreDaemonsets: false, deleteEmptyDirData: false, force: false });
  assert.deepEqual(strict.evict, []);
  assert.deepEqual(strict.errors.sort(), [
    'cannot delete DaemonSet-managed Pods (use --ignore-daemonsets to ignore): default/ds',
    'cannot delete Pods that declare no controller (use --force to override): default/bare',
    'cannot delete Pods with local storage (use --delete-emptydir-data to override): default/vol',
  ]);
  const all = planDrain(pods, { ignoreDaemonsets: true, deleteEmptyDirData: true, force: true });
  assert.deepEqual(all.evict.map((p) => p.metadata?.name), ['rs', 'bare', 'vol', 'done']);
  assert.equal(all.errors.length, 0);
  assert.ok(all.warnings.includes('ignoring DaemonSet-managed Pods: default/ds'));
  const mirror = pod('m', { metadata: { name: 'm', annotations: { 'kubernetes.io/config.mirror': 'x' } } });
  assert.deepEqual(planDrain([mirror], { ignoreDaemonsets: false, deleteEmptyDirData: false, force: false }), { evict: [], warnings: [], errors: [] });
});

test('wait: conditions (case-insensitive, observedGeneration), delete, jsonpath', () => {
  const obj: KObject = { metadata: { name: 'p', generation: 2 }, status: { observedGeneration: 2, phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] } };
  assert.equal(conditionMet(parseWaitFor('condition=ready'), obj), true);
  assert.equal(conditionMet(parseWaitFor('condition=Ready=False'), obj), false);
  assert.equal(conditionMet(parseWaitFor('condition=Ready'), { ...obj, metadata: { generation: 3 } }), false);
  assert.equal(conditionMet(parseWaitFor('delete'), undefined), true);
  assert.equal(conditionMet(parseWaitFor('delete'), obj), false);
  assert.equal(conditionMet(parseWaitFor('jsonpath={.status.phase}=Running'), obj), true);
  assert.equal(conditionMet(parseWaitFor("jsonpath='{.status.phase}'=Pending"), obj), false);
  assert.equal(conditionMet(parseWaitFor('jsonpath={.status.phase}'), obj), true);
  assert.throws(() => parseWaitFor('soon'), /unrecognized condition/);
});

test('rollout status messages as kubectl prints them', () => {
  const d = (status: Deployment['status'], generation = 1): Deployment => ({ metadata: { name: 'web', generation }, spec: { replicas: 3, selector: {}, template: {} }, status });
  assert.equal(deploymentStatus(d({ observedGeneration: 0 })).message, 'Waiting for deployment spec update to be observed...\n');
  assert.equal(deploymentStatus(d({ observedGeneration: 1, updatedReplicas: 1 })).message, 'Waiting for deployment "web" rollout to finish: 1 out of 3 new replicas have been updated...\n');
  assert.equal(deploymentStatus(d({ observedGeneration: 1, updatedReplicas: 3, replicas: 4 })).message, 'Waiting for deployment "web" rollout to finish: 1 old replicas are pending termination...\n');
  assert.equal(deploymentStatus(d({ observedGeneration: 1, updatedReplicas: 3, replicas: 3, availableReplicas: 1 })).message, 'Waiting for deployment "web" rollout to finish: 1 of 3 updated replicas are available...\n');
  assert.deepEqual(deploymentStatus(d({ observedGeneration: 1, updatedReplicas: 3, replicas: 3, availableReplicas: 3 })), { message: 'deployment "web" successfully rolled out\n', done: true });
  assert.throws(() => deploymentStatus(d({ observedGeneration: 1, conditions: [{ type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded' }] })), /exceeded its progress deadline/);
});

test('label arguments and --overwrite', () => {
  const { resources, changes } = splitChanges(['pods', 'p', 'a=b', 'c-'], 'labels');
  assert.deepEqual(resources, ['pods', 'p']);
  assert.deepEqual(changes, { set: { a: 'b' }, remove: ['c'] });
  assert.throws(() => splitChanges(['pods', 'p', 'a=b@d'], 'labels'), /invalid label spec/);
  assert.throws(() => applyChanges({ a: 'x' }, { set: { a: 'y' }, remove: [] }, false), /'a' already has a value \(x\), and --overwrite is false/);
  assert.deepEqual(applyChanges({ a: 'x', c: '1' }, { set: { a: 'y' }, remove: ['c', 'd'] }, true), { next: { a: 'y' }, missing: ['d'] });
});

test('completion candidates', async () => {
  const src = { commands: ['get', 'config'], subcommands: { config: ['view', 'use-context'] }, names: async (t: string) => [`${t}-1`], contexts: () => ['ctx'] };
  assert.deepEqual(await completionCandidates([''], src), ['get', 'config']);
  assert.ok((await completionCandidates(['get', ''], src)).includes('deploy'));
  assert.deepEqual(await completionCandidates(['get', 'pods', ''], src), ['pods-1']);
  assert.deepEqual(await completionCandidates(['config', 'use-context', ''], src), ['ctx']);
});

test('exec exit codes from the status channel; port specs', () => {
  assert.deepEqual(exitCodeFromStatus({ status: 'Success' }), { code: 0 });
  assert.equal(exitCodeFromStatus({ status: 'Failure', reason: 'NonZeroExitCode', details: { causes: [{ reason: 'ExitCode', message: '3' }] } }).code, 3);
  assert.equal(exitCodeFromStatus({ status: 'Failure', reason: 'InternalError', message: 'boom' }).error?.message, 'boom');
  assert.deepEqual(parsePortSpec('8080:80'), { local: 8080, remote: 80 });
  assert.deepEqual(parsePortSpec(':80'), { local: 0, remote: 80 });
  assert.deepEqual(parsePortSpec('5000'), { local: 5000, remote: 5000 });
});
