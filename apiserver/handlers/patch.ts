// Applies the four patch kinds to a stored object. JSON patch and merge patch come from
// fast-json-patch (api/patch/json-patch.ts); strategic merge patch is hand-written in
// api/patch/strategic.ts on purpose: it is Kubernetes' own format (patchMergeKey, $patch,
// $setElementOrder…), which no npm package implements.
import { applyJsonPatch, applyMergePatch, applyStrategicMergePatch } from '../../api/patch/index.js';
import { apiVersionOf, type ResourceInfo } from '../../api/resources.js';
import { errors, StatusError } from '../../api/status.js';
import { isObject, type KObject } from '../../api/types.js';
import type { PatchType } from './encoding.js';

/**
 * Server-side apply is simplified: the applied configuration is merged into the live object
 * with strategic-merge semantics (lists merge by their keys, fields the config omits are
 * kept). Field ownership and conflicts between managers are not tracked.
 */
export function applyPatch(type: PatchType, current: KObject, patch: unknown, info: ResourceInfo): KObject {
  try {
    return applyPatchUnchecked(type, current, patch, info);
  } catch (e) {
    // A patch that cannot be applied is the client's error, never a 5xx.
    if (e instanceof StatusError && e.code >= 500) throw errors.badRequest(e.message);
    if (!(e instanceof StatusError)) throw errors.badRequest(`unable to apply patch: ${(e as Error).message}`);
    throw e;
  }
}

function applyPatchUnchecked(type: PatchType, current: KObject, patch: unknown, info: ResourceInfo): KObject {
  // Custom resources have no Go struct to carry patch strategies: Kubernetes refuses strategic
  // merge patches on them (kubectl apply/edit send merge patches for CRs).
  if (type === 'strategic' && info.custom) {
    throw new StatusError(415, 'UnsupportedMediaType', 'the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml');
  }
  let out: unknown;
  switch (type) {
    case 'json':
      if (!Array.isArray(patch)) throw errors.badRequest('json patch must be a JSON array of operations');
      out = applyJsonPatch(current, patch);
      break;
    case 'merge':
      if (!isObject(patch)) throw errors.badRequest('merge patch must be a JSON object');
      out = applyMergePatch(current, patch);
      break;
    case 'strategic':
      if (!isObject(patch)) throw errors.badRequest('strategic merge patch must be a JSON object');
      out = applyStrategicMergePatch(current, patch, apiVersionOf(info), info.kind);
      break;
    case 'apply': {
      if (!isObject(patch)) throw errors.badRequest('apply patch must be an object');
      const p = patch as KObject;
      if (p.kind !== info.kind || p.apiVersion !== apiVersionOf(info)) {
        throw errors.badRequest(`apply patch must name apiVersion "${apiVersionOf(info)}" and kind "${info.kind}"`);
      }
      if (p.metadata?.name !== current.metadata?.name) throw errors.badRequest('the name in the applied configuration does not match the name on the URL');
      // A custom resource's lists are atomic unless its schema says otherwise: a merge patch.
      out = info.custom ? applyMergePatch(current, patch) : applyStrategicMergePatch(current, patch, apiVersionOf(info), info.kind);
      break;
    }
  }
  if (!isObject(out)) throw errors.badRequest('the patch did not produce an object');
  return out as KObject;
}
