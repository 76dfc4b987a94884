// Which PersistentVolume a claim gets: upstream's volume index (index.go findByClaim) and
// FindMatchingVolume (pv/util). Pure: the controller hands in the volumes it knows.
//
// Upstream indexes volumes by their access-mode set and tries the smallest sets that contain
// every mode the claim asks for first, so a RWO claim prefers a RWO-only volume over a RWO+RWX
// one; within a set it takes the smallest volume big enough. A volume pre-bound to this claim
// (claimRef) wins whatever its size, if big enough.
import type { PersistentVolume, PersistentVolumeClaim } from 'kubernetes-types/core/v1';
import { compareQuantities, parseQuantity, type Quantity } from '../../../api/quantity.js';
import { labelSelectorFromObject } from '../../../api/labels.js';
import { claimClass, volumeClass } from './annotations.js';

const ZERO: Quantity = parseQuantity('0');

function quantityOf(s: string | undefined): Quantity {
  if (!s) return ZERO;
  try {
    return parseQuantity(s);
  } catch {
    return ZERO;
  }
}

export const claimRequest = (claim: PersistentVolumeClaim): Quantity => quantityOf(claim.spec?.resources?.requests?.['storage']);
export const volumeCapacity = (volume: PersistentVolume): Quantity => quantityOf(volume.spec?.capacity?.['storage']);

/** IsVolumeBoundToClaim: the volume's claimRef names this claim (and its uid, when set). */
export function isVolumeBoundToClaim(volume: PersistentVolume, claim: PersistentVolumeClaim): boolean {
  const ref = volume.spec?.claimRef;
  if (!ref) return false;
  if (ref.name !== claim.metadata?.name || ref.namespace !== claim.metadata?.namespace) return false;
  return !ref.uid || ref.uid === claim.metadata?.uid;
}

const modeOf = (o: { spec?: { volumeMode?: string } }): string => o.spec?.volumeMode ?? 'Filesystem';

/** Does the volume's mode set contain every mode the claim asks for (checkAccessModes)? */
export function containsModes(volumeModes: readonly string[] | undefined, claimModes: readonly string[] | undefined): boolean {
  const have = new Set(volumeModes ?? []);
  return (claimModes ?? []).every((m) => have.has(m));
}

/**
 * checkVolumeSatisfyClaim: why a volume named by the claim's spec.volumeName cannot serve it,
 * or undefined when it can.
 */
export function checkVolumeSatisfyClaim(volume: PersistentVolume, claim: PersistentVolumeClaim): string | undefined {
  if (compareQuantities(volumeCapacity(volume), claimRequest(claim)) < 0) return 'requested PV is too small';
  if (volumeClass(volume) !== claimClass(claim)) return 'storageClassName does not match';
  if (modeOf(volume) !== modeOf(claim)) return 'incompatible volumeMode';
  if (!containsModes(volume.spec?.accessModes, claim.spec?.accessModes)) return 'incompatible accessMode';
  return undefined;
}

/** Access-mode sets that contain the claim's modes, fewest modes first (allPossibleMatchingAccessModes). */
function matchingModeGroups(volumes: readonly PersistentVolume[], claim: PersistentVolumeClaim): PersistentVolume[][] {
  const groups = new Map<string, PersistentVolume[]>();
  for (const v of volumes) {
    if (!containsModes(v.spec?.accessModes, claim.spec?.accessModes)) continue;
    const key = [...new Set(v.spec?.accessModes ?? [])].sort().join(',');
    const g = groups.get(key);
    if (g) g.push(v);
    else groups.set(key, [v]);
  }
  return [...groups.entries()].sort(([a], [b]) => a.split(',').length - b.split(',').length || a.localeCompare(b)).map(([, g]) => g);
}

/**
 * FindMatchingVolume within one access-mode group. `delayBinding` is the claim's class being
 * WaitForFirstConsumer: then only a volume pre-bound to the claim may be taken here (the
 * scheduler picks the rest, knowing the node).
 */
function findInGroup(claim: PersistentVolumeClaim, volumes: readonly PersistentVolume[], delayBinding: boolean): PersistentVolume | undefined {
  const request = claimRequest(claim);
  const requestedClass = claimClass(claim);
  const selector = claim.spec?.selector ? labelSelectorFromObject(claim.spec.selector) : undefined;
  let smallest: PersistentVolume | undefined;
  for (const volume of volumes) {
    if (modeOf(volume) !== modeOf(claim)) continue;
    if (volume.metadata?.deletionTimestamp) continue;
    const capacity = volumeCapacity(volume);
    if (isVolumeBoundToClaim(volume, claim)) {
      if (compareQuantities(capacity, request) < 0) continue;
      return volume;
    }
    if (delayBinding) continue;
    if (volume.spec?.claimRef) continue;
    if (selector && !selector.matches(volume.metadata?.labels)) continue;
    if (volumeClass(volume) !== requestedClass) continue;
    if (compareQuantities(capacity, request) < 0) continue;
    if (!smallest || compareQuantities(volumeCapacity(smallest), capacity) > 0) smallest = volume;
  }
  return smallest;
}

/** findBestMatchForClaim: the volume this claim should be bound to, if any. */
export function findBestMatch(claim: PersistentVolumeClaim, volumes: readonly PersistentVolume[], delayBinding: boolean): PersistentVolume | undefined {
  for (const group of matchingModeGroups(volumes, claim)) {
    const found = findInGroup(claim, group, delayBinding);
    if (found) return found;
  }
  return undefined;
}
