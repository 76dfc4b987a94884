// A DaemonSet's ControllerRevisions (pkg/controller/daemon/update.go): constructHistory finds
// the revision holding the current template (or snapshots one, named `<ds>-<template hash>`,
// bumping status.collisionCount on a name collision), dedups equal ones, gives the current one
// the highest revision number; cleanupHistory trims old ones past revisionHistoryLimit that no
// pod still runs.
import type { ControllerRevision, DaemonSet } from 'kubernetes-types/apps/v1';
import type { Pod } from 'kubernetes-types/core/v1';
import { isAlreadyExists, isNotFound, type ResourceClient } from '../../client/index.js';
import { REVISION_HASH_LABEL, computeHash } from '../controller/controller-utils.js';
import { newControllerRef, type GroupVersionKind } from '../controller/controller-ref-manager.js';
import type { ControllerHistory } from '../history/controller-history.js';
import { matchesRevision, maxRevision, oldRevisionsToPrune, templatePatch } from '../history/revision.js';

export interface DaemonSetHistory {
  cur: ControllerRevision;
  old: ControllerRevision[];
}

export interface HistoryDeps {
  history: ControllerHistory;
  sets: ResourceClient<DaemonSet>;
  pods: ResourceClient<Pod>;
  gvk: GroupVersionKind;
}

/** constructHistory over the revisions the DaemonSet controls. */
export async function constructHistory(deps: HistoryDeps, ds: DaemonSet, controlled: readonly ControllerRevision[], pods: readonly Pod[]): Promise<DaemonSetHistory> {
  const cur: ControllerRevision[] = [];
  const old: ControllerRevision[] = [];
  for (let rev of controlled) {
    // Revisions of older controllers lack the hash label: the name stands in (no collision worries).
    if (rev.metadata?.labels?.[REVISION_HASH_LABEL] === undefined) rev = await deps.history.label(rev, REVISION_HASH_LABEL, rev.metadata?.name ?? '');
    (matchesRevision(ds, rev) ? cur : old).push(rev);
  }
  const next = maxRevision(old) + 1;
  if (cur.length === 0) return { cur: await snapshot(deps, ds, next), old };
  let kept = await dedupCurHistories(deps, cur, pods);
  if (kept.revision < next) kept = await deps.history.setRevision(kept, next);
  return { cur: kept, old };
}

/** The current template as a new revision; a same-named revision with other data is a collision. */
async function snapshot(deps: HistoryDeps, ds: DaemonSet, revision: number): Promise<ControllerRevision> {
  const hash = computeHash(ds.spec?.template, ds.status?.collisionCount);
  const name = `${ds.metadata?.name ?? ''}-${hash}`;
  const rev: ControllerRevision = {
    apiVersion: 'apps/v1',
    kind: 'ControllerRevision',
    metadata: {
      name,
      namespace: ds.metadata?.namespace,
      labels: { ...(ds.spec?.template?.metadata?.labels ?? {}), [REVISION_HASH_LABEL]: hash },
      ...(ds.metadata?.annotations ? { annotations: { ...ds.metadata.annotations } } : {}),
      ownerReferences: [newControllerRef(ds, deps.gvk)],
    },
    data: templatePatch(ds),
    revision,
  };
  try {
    return await deps.history.createNamed(rev);
  } catch (e) {
    if (!isAlreadyExists(e)) throw e;
  }
  const existing = await deps.history.get(name);
  if (matchesRevision(ds, existing)) return existing;
  // Someone else's data under our name: bump the collision count so the next hash differs.
  const fresh = await deps.sets.get(ds.metadata?.name ?? '');
  await deps.sets.updateStatus({ ...fresh, status: { ...fresh.status!, collisionCount: (fresh.status?.collisionCount ?? 0) + 1 } });
  throw new Error(`found a stale collision for DaemonSet ${ds.metadata?.name ?? ''}: revision ${name} holds another template; collisionCount raised`);
}

/** dedupCurHistories: keep the highest-numbered equal revision, move pods of the others onto it, delete them. */
async function dedupCurHistories(deps: HistoryDeps, cur: readonly ControllerRevision[], pods: readonly Pod[]): Promise<ControllerRevision> {
  if (cur.length === 1) return cur[0]!;
  const keep = cur.reduce((a, b) => (b.revision > a.revision ? b : a));
  const keepHash = keep.metadata?.labels?.[REVISION_HASH_LABEL] ?? '';
  for (const dup of cur) {
    if (dup === keep) continue;
    const dupHash = dup.metadata?.labels?.[REVISION_HASH_LABEL];
    for (const p of pods) {
      if (p.metadata?.labels?.[REVISION_HASH_LABEL] !== dupHash || dupHash === keepHash) continue;
      try {
        await deps.pods.patch(p.metadata?.name ?? '', 'merge', { metadata: { labels: { [REVISION_HASH_LABEL]: keepHash } } });
      } catch (e) {
        if (!isNotFound(e)) throw e;
      }
    }
    await deps.history.delete(dup);
  }
  return keep;
}

/** cleanupHistory: old revisions beyond revisionHistoryLimit whose hash no pod carries are deleted. */
export async function cleanupHistory(deps: HistoryDeps, ds: DaemonSet, old: readonly ControllerRevision[], pods: readonly Pod[]): Promise<void> {
  const live = new Set(pods.map((p) => p.metadata?.labels?.[REVISION_HASH_LABEL]).filter((h): h is string => h !== undefined));
  const limit = ds.spec?.revisionHistoryLimit ?? 10;
  for (const r of oldRevisionsToPrune(old, (r) => live.has(r.metadata?.labels?.[REVISION_HASH_LABEL] ?? ''), limit)) await deps.history.delete(r);
}
