// ControllerRevisions for DaemonSets and StatefulSets on hollow nodes with the real scheduler:
// one revision per template, `<owner>-<hash>` names, pods labelled with the revision's hash,
// the history limit, kubectl 1.32's (and kc's, byte for byte) `rollout history` and
// `rollout undo` for both kinds, a DaemonSet maxSurge rollout that never drops availability,
// and a partitioned StatefulSet rollout.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ControllerRevision, DaemonSet, StatefulSet } from 'kubernetes-types/apps/v1';
import type { Pod } from 'kubernetes-types/core/v1';
import type { RestClient } from '../../client/index.js';
import { KUBECTL_1_20, kubectlFor } from '../harness/kubectl.js';
import { waitFor } from '../harness/ports.js';
import { computeHash } from '../../controller-manager/controller/controller-utils.js';
import { hashControllerRevision, templatePatch } from '../../controller-manager/history/revision.js';
import { kcPair, type KcPair } from './kc-harness.js';
import { startHollowCluster, type HollowCluster } from './hollow-harness.js';

const NS = 'default';
const HASH = 'controller-revision-hash';
let cluster: HollowCluster;
let client: RestClient;
let k: KcPair;

before(async () => {
  cluster = await startHollowCluster({ nodes: 2, namePrefix: 'crn-', controllers: ['daemonset', 'statefulset'] });
  client = cluster.client;
  k = kcPair(cluster.api.config);
});

after(async () => {
  await cluster?.stop();
});

const podsOf = async (app: string): Promise<Pod[]> => (await client.resource('pods', NS).list({ labelSelector: `app=${app}` })).items;
const live = (ps: Pod[]) => ps.filter((p) => !p.metadata?.deletionTimestamp);
const isReady = (p: Pod) => p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
const imageOf = (p: Pod) => p.spec?.containers?.[0]?.image;
const revisionsOf = async (app: string): Promise<ControllerRevision[]> =>
  (await client.resource('controllerrevisions.apps', NS).list({ labelSelector: `app=${app}` })).items.sort((a, b) => a.revision - b.revision);
const template = (app: string, image: string) => ({ metadata: { labels: { app } }, spec: { containers: [{ name: 'c', image }] } });

async function rolloutStatus(kind: string, name: string): Promise<string> {
  const r = await k.kubectl.run(['rollout', 'status', `${kind}/${name}`, '--timeout=60s'], undefined, 70_000);
  assert.equal(r.code, 0, r.stderr);
  return r.stdout;
}

describe('DaemonSet revisions', () => {
  const sets = () => client.resource<DaemonSet>('daemonsets.apps', NS);

  test('one revision per template; a maxSurge rollout starts new pods before old ones go and never drops availability', async () => {
    await sets().create({
      metadata: { name: 'agent' },
      spec: {
        selector: { matchLabels: { app: 'agent' } },
        revisionHistoryLimit: 2,
        updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
        template: template('agent', 'busybox:1.35'),
      },
    });
    await rolloutStatus('daemonset', 'agent');
    const [first] = await waitFor('a revision', async () => ((await revisionsOf('agent')).length === 1 ? revisionsOf('agent') : undefined));
    const hash = first!.metadata?.labels?.[HASH];
    assert.equal(first!.metadata?.name, `agent-${hash}`);
    assert.equal(first!.revision, 1);
    assert.equal(first!.metadata?.ownerReferences?.[0]?.kind, 'DaemonSet');
    assert.deepEqual((first!.data as { spec: { template: Record<string, unknown> } }).spec.template['$patch'], 'replace');
    assert.ok((await podsOf('agent')).every((p) => p.metadata?.labels?.[HASH] === hash));

    // Follow every pod change while the new template rolls (a watch from the list's resourceVersion sees each state).
    const listed = await client.resource('pods', NS).list({ labelSelector: 'app=agent' });
    const state = new Map(listed.items.map((p) => [p.metadata?.name ?? '', p]));
    let fewest = Infinity;
    let surged = false;
    const observe = () => {
      const ps = live([...state.values()]);
      fewest = Math.min(fewest, new Set(ps.filter(isReady).map((p) => p.spec?.nodeName)).size);
      const perNode = new Map<string, number>();
      for (const p of ps) perNode.set(p.spec?.nodeName ?? '', (perNode.get(p.spec?.nodeName ?? '') ?? 0) + 1);
      if ([...perNode.entries()].some(([node, count]) => node !== '' && count === 2)) surged = true;
    };
    observe();
    const w = await client.resource('pods', NS).watch({ labelSelector: 'app=agent', resourceVersion: listed.metadata?.resourceVersion });
    const watching = (async () => {
      for await (const ev of w) {
        if (ev.type !== 'ADDED' && ev.type !== 'MODIFIED' && ev.type !== 'DELETED') continue;
        const pod = ev.object as Pod;
        if (ev.type === 'DELETED') state.delete(pod.metadata?.name ?? '');
        else state.set(pod.metadata?.name ?? '', pod);
        observe();
      }
    })().catch(() => undefined);
    await sets().patch('agent', 'strategic', { spec: { template: { spec: { containers: [{ name: 'c', image: 'busybox:1.36' }] } } } });
    assert.match(await rolloutStatus('daemonset', 'agent'), /daemon set "agent" successfully rolled out/);
    await waitFor('old pods gone', async () => {
      const ps = await podsOf('agent');
      return ps.length === 2 && ps.every((p) => imageOf(p) === 'busybox:1.36');
    });
    w.close();
    await watching;
    assert.equal(fewest, 2, 'both nodes kept an available daemon pod throughout');
    assert.ok(surged, 'a new pod ran beside an old one');
    const revs = await revisionsOf('agent');
    assert.deepEqual(revs.map((r) => r.revision), [1, 2]);
    assert.ok((await podsOf('agent')).every((p) => p.metadata?.labels?.[HASH] === revs[1]!.metadata?.labels?.[HASH]));
    const st = (await sets().get('agent')).status;
    assert.deepEqual([st?.updatedNumberScheduled, st?.numberAvailable, st?.observedGeneration], [2, 2, 2]);
  });

  test('kubectl 1.32 and kc rollout history agree; undo rolls the template and pods back', async () => {
    const list = await k.both(['rollout', 'history', 'daemonset/agent']);
    assert.equal(list.kubectl.code, 0, list.kubectl.stderr);
    assert.equal(list.kc.stdout, list.kubectl.stdout);
    assert.match(list.kubectl.stdout, /^daemonset\.apps\/agent \nREVISION\s+CHANGE-CAUSE\n1\s+<none>\n2\s+<none>\n/);
    const one = await k.both(['rollout', 'history', 'daemonset/agent', '--revision=1']);
    assert.equal(one.kc.stdout, one.kubectl.stdout);
    assert.match(one.kubectl.stdout, /with revision #1[\s\S]*Image:\s+busybox:1\.35/);
    // kubectl 1.20 reads the same history.
    const old = await kubectlFor(cluster.api.config, KUBECTL_1_20).run(['rollout', 'history', 'daemonset/agent']);
    assert.equal(old.stdout, list.kubectl.stdout, old.stderr);

    const undo = await k.kubectl.run(['rollout', 'undo', 'daemonset/agent']);
    assert.equal(undo.code, 0, undo.stderr);
    assert.equal(undo.stdout, 'daemonset.apps/agent rolled back\n');
    await rolloutStatus('daemonset', 'agent');
    await waitFor('pods back on 1.35', async () => {
      const ps = await podsOf('agent');
      return ps.length === 2 && ps.every((p) => imageOf(p) === 'busybox:1.35');
    }, 30_000);
    // The old revision is re-used with the next number, not copied.
    const revs = await waitFor('revision 1 renumbered to 3', async () => {
      const rs = await revisionsOf('agent');
      return rs.map((r) => r.revision).join() === '2,3' ? rs : undefined;
    });
    const skipped = await k.kubectl.run(['rollout', 'undo', 'daemonset/agent', '--to-revision=3']);
    assert.equal(skipped.stdout, 'daemonset.apps/agent skipped rollback (current template already matches revision 3)\n');
    const kcSkipped = await k.kc(['rollout', 'undo', 'daemonset/agent', '--to-revision=3']);
    assert.equal(kcSkipped.stdout, skipped.stdout);
    const missing = await k.both(['rollout', 'undo', 'daemonset/agent', '--to-revision=9']);
    assert.notEqual(missing.kubectl.code, 0);
    assert.match(missing.kc.stderr, /unable to find specified revision 9 in history/);
    assert.ok(revs.every((r) => r.metadata?.name === `agent-${r.metadata?.labels?.[HASH]}`));

    // kc undo --to-revision rolls forward to 2 again.
    const kcUndo = await k.kc(['rollout', 'undo', 'daemonset/agent', '--to-revision=2']);
    assert.equal(kcUndo.stdout, 'daemonset.apps/agent rolled back\n', kcUndo.stderr);
    await rolloutStatus('daemonset', 'agent');
    await waitFor('pods on 1.36', async () => (await podsOf('agent')).every((p) => imageOf(p) === 'busybox:1.36'), 30_000);
  });

  test('revisionHistoryLimit keeps the newest old revisions', async () => {
    for (const tag of ['1.30', '1.31', '1.32']) {
      await sets().patch('agent', 'strategic', { spec: { template: { spec: { containers: [{ name: 'c', image: `busybox:${tag}` }] } } } });
      await rolloutStatus('daemonset', 'agent');
    }
    const revs = await waitFor('history trimmed to 2 old + current', async () => {
      const rs = await revisionsOf('agent');
      return rs.length === 3 ? rs : undefined;
    }, 30_000);
    assert.deepEqual(revs.map((r) => r.revision), [5, 6, 7]);
  });
});

describe('StatefulSet revisions', () => {
  const sets = () => client.resource<StatefulSet>('statefulsets.apps', NS);
  const status = async () => (await sets().get('web')).status;

  test('revisions name the pods and the status; a rollout, kubectl history and undo', async () => {
    await sets().create({
      metadata: { name: 'web' },
      spec: { replicas: 2, serviceName: 'web', selector: { matchLabels: { app: 'web' } }, template: template('web', 'nginx:1.25') },
    });
    assert.match(await rolloutStatus('statefulset', 'web'), /partitioned roll out complete: 2 new pods have been updated/);
    const [first] = await revisionsOf('web');
    assert.ok(first);
    assert.equal(first.metadata?.name, `web-${first.metadata?.labels?.[HASH]}`);
    const st = await waitFor('status revisions', async () => ((await status())?.currentRevision ? status() : undefined));
    assert.deepEqual([st?.currentRevision, st?.updateRevision, st?.currentReplicas, st?.updatedReplicas], [first.metadata?.name, first.metadata?.name, 2, 2]);
    assert.ok((await podsOf('web')).every((p) => p.metadata?.labels?.[HASH] === first.metadata?.name));

    await sets().patch('web', 'strategic', { spec: { template: { spec: { containers: [{ name: 'c', image: 'nginx:1.26' }] } } } });
    await rolloutStatus('statefulset', 'web');
    const second = await waitFor('rolled to revision 2', async () => {
      const [, r2] = await revisionsOf('web');
      const s = await status();
      return r2 && s?.currentRevision === r2.metadata?.name && s?.updatedReplicas === 2 ? r2 : undefined;
    }, 30_000);
    assert.ok((await podsOf('web')).every((p) => p.metadata?.labels?.[HASH] === second.metadata?.name && imageOf(p) === 'nginx:1.26'));

    const list = await k.both(['rollout', 'history', 'statefulset/web']);
    assert.equal(list.kc.stdout, list.kubectl.stdout);
    assert.match(list.kubectl.stdout, /^statefulset\.apps\/web \nREVISION\s+CHANGE-CAUSE\n1\s+<none>\n2\s+<none>\n/);
    const one = await k.both(['rollout', 'history', 'statefulset/web', '--revision=1']);
    assert.equal(one.kc.stdout, one.kubectl.stdout);
    assert.match(one.kubectl.stdout, /Image:\s+nginx:1\.25/);

    const undo = await k.kubectl.run(['rollout', 'undo', 'statefulset/web']);
    assert.equal(undo.stdout, 'statefulset.apps/web rolled back\n', undo.stderr);
    await waitFor('back on 1.25 at the first revision, renumbered', async () => {
      const s = await status();
      const ps = live(await podsOf('web'));
      const rs = await revisionsOf('web');
      return (
        s?.currentRevision === first.metadata?.name &&
        s?.updateRevision === first.metadata?.name &&
        ps.length === 2 &&
        ps.every((p) => imageOf(p) === 'nginx:1.25' && isReady(p)) &&
        rs.map((r) => `${r.metadata?.name}:${r.revision}`).join() === `${second.metadata?.name}:2,${first.metadata?.name}:3`
      );
    }, 30_000);
    const skipped = await k.kc(['rollout', 'undo', 'statefulset/web', '--to-revision=3']);
    assert.equal(skipped.stdout, 'statefulset.apps/web skipped rollback (current template already matches revision 3)\n');
  });

  test('a partition keeps lower ordinals at the current revision, even when recreated', async () => {
    await sets().patch('web', 'strategic', {
      spec: { updateStrategy: { rollingUpdate: { partition: 1 } }, template: { spec: { containers: [{ name: 'c', image: 'nginx:1.27' }] } } },
    });
    assert.match(await rolloutStatus('statefulset', 'web'), /partitioned roll out complete: 1 new pods have been updated/);
    const st = await waitFor('web-1 updated', async () => {
      const s = await status();
      return s?.updatedReplicas === 1 && s?.currentReplicas === 1 ? s : undefined;
    }, 30_000);
    assert.notEqual(st.currentRevision, st.updateRevision);
    const byName = async () => Object.fromEntries(live(await podsOf('web')).map((p) => [p.metadata?.name, [imageOf(p), p.metadata?.labels?.[HASH]]]));
    assert.deepEqual(await byName(), { 'web-0': ['nginx:1.25', st.currentRevision], 'web-1': ['nginx:1.27', st.updateRevision] });

    const old = (await client.resource('pods', NS).get('web-0')).metadata?.uid;
    await client.resource('pods', NS).delete('web-0');
    let seen = '';
    await waitFor('web-0 recreated at the current revision', async () => {
      const p = (await podsOf('web')).find((x) => x.metadata?.name === 'web-0');
      seen = JSON.stringify([p?.metadata?.uid !== old, p?.metadata?.deletionTimestamp, imageOf(p ?? {}), p?.metadata?.labels?.[HASH], await status()]);
      return p && !p.metadata?.deletionTimestamp && p.metadata?.uid !== old && imageOf(p) === 'nginx:1.25' && p.metadata?.labels?.[HASH] === st.currentRevision;
    }, 30_000).catch((e: Error) => assert.fail(`${e.message}: ${seen}`));
  });
});

describe('StatefulSet OnDelete', () => {
  test('a new template waits for pods to be deleted by hand, which come back at the update revision', async () => {
    const sets = client.resource<StatefulSet>('statefulsets.apps', NS);
    await sets.create({
      metadata: { name: 'manual' },
      spec: { replicas: 2, serviceName: 'manual', selector: { matchLabels: { app: 'manual' } }, updateStrategy: { type: 'OnDelete' }, template: template('manual', 'nginx:1.25') },
    });
    const first = await waitFor('2 ready', async () => {
      const s = (await sets.get('manual')).status;
      return s?.readyReplicas === 2 ? s : undefined;
    }, 30_000);
    const uids = async () => Object.fromEntries(live(await podsOf('manual')).map((p) => [p.metadata?.name, p.metadata?.uid]));
    const before = await uids();
    const updated = await sets.patch('manual', 'strategic', { spec: { template: { spec: { containers: [{ name: 'c', image: 'nginx:1.26' }] } } } });
    const st = await waitFor('the update revision observed', async () => {
      const s = (await sets.get('manual')).status;
      return s?.observedGeneration === updated.metadata?.generation && s?.updateRevision !== first.updateRevision ? s : undefined;
    });
    // The sync that wrote this status would have deleted pods before writing it.
    assert.deepEqual(await uids(), before);
    assert.deepEqual([st.currentRevision, st.updatedReplicas, st.currentReplicas], [first.currentRevision, 0, 2]);
    const r = await k.kubectl.run(['rollout', 'status', 'statefulset/manual']);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /rollout status is only available for RollingUpdate strategy type/);

    await client.resource('pods', NS).delete('manual-1');
    await waitFor('manual-1 back at the update revision', async () => {
      const p = live(await podsOf('manual')).find((x) => x.metadata?.name === 'manual-1');
      return p && p.metadata?.uid !== before['manual-1'] && imageOf(p) === 'nginx:1.26' && p.metadata?.labels?.[HASH] === st.updateRevision;
    }, 30_000);
    const after = (await podsOf('manual')).find((x) => x.metadata?.name === 'manual-0');
    assert.equal(imageOf(after!), 'nginx:1.25', 'the other pod is left alone');
  });
});

describe('revision name collisions', () => {
  /** A revision squatting on a name, with other data and labels no selector here matches, owned by nobody. */
  const squat = (name: string) =>
    client.resource('controllerrevisions.apps', NS).create({ metadata: { name, labels: { squatter: 'yes' } }, data: { other: 'data' }, revision: 1 });

  test('a DaemonSet whose revision name is taken raises status.collisionCount and names its revision anew', async () => {
    const ds: DaemonSet = { metadata: { name: 'clash' }, spec: { selector: { matchLabels: { app: 'clash' } }, template: template('clash', 'busybox:1.35') } };
    const defaulted = await client.resource<DaemonSet>('daemonsets.apps', NS).create(ds, { dryRun: true });
    await squat(`clash-${computeHash(defaulted.spec?.template)}`);
    await client.resource<DaemonSet>('daemonsets.apps', NS).create(ds);
    const [rev] = await waitFor('a revision of its own', async () => {
      const rs = await revisionsOf('clash');
      return rs.length === 1 ? rs : undefined;
    });
    assert.equal(rev!.metadata?.name, `clash-${computeHash(defaulted.spec?.template, 1)}`);
    await waitFor('pods carry it and the status keeps the count', async () => {
      const st = (await client.resource<DaemonSet>('daemonsets.apps', NS).get('clash')).status;
      const ps = await podsOf('clash');
      return st?.collisionCount === 1 && ps.length === 2 && ps.every((p) => p.metadata?.labels?.[HASH] === rev!.metadata?.labels?.[HASH]);
    });
  });

  test('a StatefulSet probes the next hash and records status.collisionCount', async () => {
    const sts: StatefulSet = {
      metadata: { name: 'clash' },
      spec: { replicas: 1, serviceName: 'clash', selector: { matchLabels: { app: 'clash-sts' } }, template: template('clash-sts', 'nginx:1.25') },
    };
    const defaulted = await client.resource<StatefulSet>('statefulsets.apps', NS).create(sts, { dryRun: true });
    const data = templatePatch(defaulted);
    await squat(`clash-${hashControllerRevision({ data }, 0)}`);
    await client.resource<StatefulSet>('statefulsets.apps', NS).create(sts);
    const st = await waitFor('status with the collision', async () => {
      const s = (await client.resource<StatefulSet>('statefulsets.apps', NS).get('clash')).status;
      return s?.collisionCount === 1 && s.readyReplicas === 1 ? s : undefined;
    }, 30_000);
    assert.equal(st.updateRevision, `clash-${hashControllerRevision({ data }, 1)}`);
    assert.equal((await podsOf('clash-sts'))[0]?.metadata?.labels?.[HASH], st.updateRevision);
  });
});
