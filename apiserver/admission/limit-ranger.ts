// LimitRanger admission (k8s' plugin/pkg/admission/limitranger): a new pod gets the default
// requests and limits of its namespace's LimitRanges, then pods (on create) and PVCs (on
// create and update) must fit their min, max and maxLimitRequestRatio, or get 403 Forbidden.
import type { ResourceInfo } from '../../api/resources.js';
import { errors } from '../../api/status.js';
import type { KObject } from '../../api/types.js';
import type { ResourceStore } from '../registry/store.js';
import type { AdmissionAttributes, AdmissionPlugin, Operation } from './interfaces.js';
import { NamespaceObjects } from './namespace-objects.js';
import { aggregateMessage, hasLimits, podMutateLimit, podValidateLimit, pvcValidateLimit } from './limit-ranger-rules.js';

type Rec = Record<string, unknown>;

export class LimitRanger implements AdmissionPlugin {
  private readonly limitRanges: NamespaceObjects;

  constructor(limitRanges: () => ResourceStore, now: () => number = Date.now) {
    this.limitRanges = new NamespaceObjects(limitRanges, now);
  }

  async admit(op: Operation, info: ResourceInfo, obj: KObject, _old: KObject | undefined, attrs: AdmissionAttributes): Promise<void> {
    if (attrs.subresource || info.group !== '') return;
    const isPod = info.resource === 'pods' && op === 'CREATE';
    const isPvc = info.resource === 'persistentvolumeclaims' && (op === 'CREATE' || op === 'UPDATE');
    if (!isPod && !isPvc) return;
    const items = (await this.limitRanges.list(obj.metadata?.namespace ?? '')).filter((lr) => hasLimits(lr as Rec));
    if (!items.length) return;
    const target = obj as Rec;
    if (isPod) for (const lr of items) podMutateLimit(lr as Rec, target);
    for (const lr of items) {
      const errs = isPod ? podValidateLimit(lr as Rec, target) : pvcValidateLimit(lr as Rec, target);
      if (errs.length) throw errors.forbidden({ group: '', resource: info.resource }, obj.metadata?.name ?? '', aggregateMessage(errs));
    }
  }
}
