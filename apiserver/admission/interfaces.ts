// What an admission plugin is (k8s.io/apiserver/pkg/admission/interfaces.go): the generic store
// runs every plugin on every write after validation; a plugin may mutate the object, refuse it
// with a Status, or reserve something and learn later whether the write was stored.
import type { ResourceInfo } from '../../api/resources.js';
import type { KObject } from '../../api/types.js';
import type { UserInfo } from '../../api/user.js';

export type Operation = 'CREATE' | 'UPDATE' | 'DELETE';

/**
 * Called once the write an admission admitted is decided: `committed` is true when it was
 * stored (for DELETE: when the object was removed), false when it failed, lost a race or was
 * a dry run — so a plugin that reserved something (service IPs, node ports) can keep or undo it.
 */
export type AdmissionFinisher = (committed: boolean) => Promise<void> | void;

/** Who asks and through which subresource (admission.Attributes beyond the object). */
export interface AdmissionAttributes {
  /** The requesting user; undefined for the apiserver's own writes (bootstrap, repair). */
  user?: UserInfo;
  /** `status`, `binding`, `eviction`…; undefined for the main resource. */
  subresource?: string;
  dryRun: boolean;
}

/** Admission: may mutate `obj` or throw a StatusError; may return a finisher. */
export interface AdmissionPlugin {
  admit(
    op: Operation,
    info: ResourceInfo,
    obj: KObject,
    old: KObject | undefined,
    attrs: AdmissionAttributes,
  ): Promise<void | AdmissionFinisher> | void | AdmissionFinisher;
}
