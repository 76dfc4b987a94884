// The errors patching produces, with the HTTP code and reason the apiserver gives each one
// (see interpretStrategicMergePatchError and the JSON-patch path of the patch handler).
import { StatusError, errors } from '../status.js';

/** 422 the way errors.NewGenericServerResponse builds it: fixed message, the detail as a cause. */
export function rejected(message: string): StatusError {
  return new StatusError(422, 'Invalid', 'the server rejected our request due to an error in our request', {
    causes: [{ reason: 'UnexpectedServerResponse', message }],
  });
}

/** Errors k8s does not map to a Status reach clients as 500s carrying the raw message. */
export function unexpected(message: string): StatusError {
  return new StatusError(500, 'InternalError', message);
}

const show = (v: unknown): string => JSON.stringify(v);

export const patchErrors = {
  badJsonDoc: (): StatusError => errors.badRequest('invalid JSON document'),
  badPrimitiveList: (): StatusError => errors.badRequest('invalid patch format of primitive list'),
  badRetainKeys: (): StatusError => errors.badRequest('invalid patch format of retainKeys'),
  badSetElementOrder: (): StatusError => errors.badRequest('invalid patch format of setElementOrder list'),
  noListOfLists: (): StatusError => rejected('lists of lists are not supported'),
  retainKeysMismatch: (): StatusError => rejected("patch content doesn't match retainKeys list"),
  noMergeKey: (m: unknown, key: string): StatusError => unexpected(`map: ${show(m)} does not contain declared merge key: ${key}`),
  badArgType: (expected: string, actual: unknown): StatusError =>
    unexpected(`expected a ${expected}, but received a ${actual === null ? 'null' : Array.isArray(actual) ? 'list' : typeof actual}`),
  badPatchType: (t: unknown, m: unknown): StatusError => unexpected(`unknown patch type: ${String(t)} in map: ${show(m)}`),
};
