// The data a DaemonSet's or StatefulSet's ControllerRevision holds, as Kubernetes writes it
// (daemon/update.go and statefulset/stateful_set_utils.go getPatch) and kubectl reads it
// (polymorphichelpers history.go/rollback.go): the owner's pod template as a strategic-merge
// patch `{"spec":{"template":{…,"$patch":"replace"}}}`, compared byte for byte as Go's
// json.Marshal prints it. Shared by the controllers and kc.
import type { ControllerRevision } from 'kubernetes-types/apps/v1';
import type { PodTemplateSpec } from 'kubernetes-types/core/v1';
import type { ObjectMeta } from 'kubernetes-types/meta/v1';
import { goJson } from './go-format.js';

/** The revision data's bytes as Go would hold them: the JSON as stored (sorted keys, json.Marshal). */
export function revisionDataBytes(rev: Pick<ControllerRevision, 'data'>): string {
  return rev.data === undefined || rev.data === null ? '' : goJson(rev.data);
}

export interface Templated {
  metadata?: ObjectMeta;
  spec?: { template?: PodTemplateSpec };
}

/**
 * How a typed Go client marshals the template: a struct field is never omitted, so the
 * template's metadata carries `creationTimestamp: null` and each container `resources: {}`.
 * The data then reads like upstream's and compares equal to what kubectl's rollback computes.
 */
function asGoMarshals(template: PodTemplateSpec | undefined): Record<string, unknown> {
  const t = structuredClone(template ?? {}) as PodTemplateSpec & Record<string, unknown>;
  t.metadata = { creationTimestamp: null as unknown as string, ...(t.metadata ?? {}) };
  const spec = t.spec;
  if (spec) {
    for (const c of [...(spec.initContainers ?? []), ...(spec.containers ?? [])]) c.resources ??= {};
  }
  return t;
}

/**
 * getPatch (daemon/update.go, statefulset/stateful_set_utils.go): the owner reduced to
 * `{"spec":{"template":{…,"$patch":"replace"}}}`, so applying it as a strategic merge patch
 * puts the template back whole. Keys sorted as Go's json.Marshal of a map prints them.
 */
export function templatePatch(owner: Templated): Record<string, unknown> {
  return JSON.parse(goJson({ spec: { template: { ...asGoMarshals(owner.spec?.template), $patch: 'replace' } } })) as Record<string, unknown>;
}

/** The template a revision holds (ApplyRevision for the one field the patch carries). */
export function revisionTemplate(rev: Pick<ControllerRevision, 'data'>): PodTemplateSpec | undefined {
  const t = (rev.data as { spec?: { template?: Record<string, unknown> } } | undefined)?.spec?.template;
  if (!t) return undefined;
  const { $patch: _directive, ...rest } = t;
  const out = structuredClone(rest) as PodTemplateSpec;
  if (out.metadata && (out.metadata as Record<string, unknown>)['creationTimestamp'] === null) delete (out.metadata as Record<string, unknown>)['creationTimestamp'];
  return out;
}

/** The owner with the revision's template applied (ApplyRevision). */
export function applyRevision<T extends Templated>(owner: T, rev: Pick<ControllerRevision, 'data'>): T {
  const out = structuredClone(owner);
  const template = revisionTemplate(rev);
  if (template) out.spec = { ...(out.spec ?? {}), template };
  return out;
}

/** Does the revision hold exactly this owner's template (daemon Match / kubectl's daemonSetMatch)? */
export function matchesRevision(owner: Templated, rev: Pick<ControllerRevision, 'data'>): boolean {
  return goJson(templatePatch(owner)) === revisionDataBytes(rev);
}

