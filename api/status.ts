// Status objects: the one shape of every API error, built the way Kubernetes builds them
// (k8s.io/apimachinery/pkg/api/errors), so kubectl prints `Error from server (Reason): …`.
import type { Status, StatusCause } from 'kubernetes-types/meta/v1';

export type StatusReason =
  | 'BadRequest'
  | 'Unauthorized'
  | 'Forbidden'
  | 'NotFound'
  | 'AlreadyExists'
  | 'Conflict'
  | 'Gone'
  | 'Expired'
  | 'Invalid'
  | 'MethodNotAllowed'
  | 'NotAcceptable'
  | 'RequestEntityTooLarge'
  | 'UnsupportedMediaType'
  | 'TooManyRequests'
  | 'Timeout'
  | 'ServerTimeout'
  | 'InternalError'
  | 'ServiceUnavailable';

export interface GroupResource {
  group: string;
  resource: string;
}

/** An error that carries the Status to send. Thrown anywhere in the apiserver. */
export class StatusError extends Error {
  readonly status: Status & { code: number };
  constructor(code: number, reason: StatusReason, message: string, details?: Status['details']) {
    super(message);
    this.status = {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message,
      reason,
      ...(details ? { details } : {}),
      code,
    };
  }
  get code(): number {
    return this.status.code;
  }
  get reason(): string {
    return this.status.reason ?? '';
  }
}

export function isStatusError(e: unknown): e is StatusError {
  return e instanceof StatusError;
}

function qualified(gr: GroupResource): string {
  return gr.group ? `${gr.resource}.${gr.group}` : gr.resource;
}

function details(gr: GroupResource, name?: string, causes?: StatusCause[]): Status['details'] {
  return {
    ...(name !== undefined ? { name } : {}),
    ...(gr.group ? { group: gr.group } : {}),
    kind: gr.resource,
    ...(causes ? { causes } : {}),
  };
}

export const errors = {
  notFound(gr: GroupResource, name: string): StatusError {
    return new StatusError(404, 'NotFound', `${qualified(gr)} "${name}" not found`, details(gr, name));
  },
  alreadyExists(gr: GroupResource, name: string): StatusError {
    return new StatusError(409, 'AlreadyExists', `${qualified(gr)} "${name}" already exists`, details(gr, name));
  },
  conflict(gr: GroupResource, name: string, why: string): StatusError {
    return new StatusError(
      409,
      'Conflict',
      `Operation cannot be fulfilled on ${qualified(gr)} "${name}": ${why}`,
      details(gr, name),
    );
  },
  staleResourceVersion(gr: GroupResource, name: string): StatusError {
    return errors.conflict(
      gr,
      name,
      'the object has been modified; please apply your changes to the latest version and try again',
    );
  },
  invalid(kind: string, gr: GroupResource, name: string, causes: StatusCause[]): StatusError {
    const list = causes.map((c) => `${c.field ? `${c.field}: ` : ''}${c.message}`);
    const summary = list.length === 1 ? list[0] : `[${list.join(', ')}]`;
    // apierrors.NewInvalid names the qualified kind: `Deployment.apps "web" is invalid`.
    const qualifiedKind = gr.group ? `${kind}.${gr.group}` : kind;
    return new StatusError(422, 'Invalid', `${qualifiedKind} "${name}" is invalid: ${summary}`, {
      name,
      ...(gr.group ? { group: gr.group } : {}),
      kind,
      causes,
    });
  },
  badRequest(message: string): StatusError {
    return new StatusError(400, 'BadRequest', message);
  },
  methodNotAllowed(message: string): StatusError {
    return new StatusError(405, 'MethodNotAllowed', message);
  },
  notAcceptable(message: string): StatusError {
    return new StatusError(406, 'NotAcceptable', message);
  },
  unsupportedMediaType(contentType: string, hint = ''): StatusError {
    return new StatusError(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, application/merge-patch+json, application/json-patch+json, application/strategic-merge-patch+json, application/apply-patch+yaml; got "${contentType}"${hint}`);
  },
  expired(message: string): StatusError {
    return new StatusError(410, 'Expired', message);
  },
  gone(message: string): StatusError {
    return new StatusError(410, 'Gone', message);
  },
  tooLarge(message = 'Request entity too large: limit is 3145728'): StatusError {
    return new StatusError(413, 'RequestEntityTooLarge', message);
  },
  tooManyRequests(message = 'Too many requests, please try again later.'): StatusError {
    const e = new StatusError(429, 'TooManyRequests', message, { retryAfterSeconds: 1 });
    return e;
  },
  /** apierrors.NewForbidden: `pods "x" is forbidden: …`, `pods is forbidden: …` without a name, `forbidden: …` without a resource. */
  forbidden(gr: GroupResource, name: string, why: string): StatusError {
    const message = !gr.resource ? `forbidden: ${why}` : name === '' ? `${qualified(gr)} is forbidden: ${why}` : `${qualified(gr)} "${name}" is forbidden: ${why}`;
    return new StatusError(403, 'Forbidden', message, details(gr, name));
  },
  /** What Kubernetes answers for missing or bad credentials (the reason stays in the server log). */
  unauthorized(): StatusError {
    return new StatusError(401, 'Unauthorized', 'Unauthorized');
  },
  timeout(message: string, retryAfterSeconds = 1): StatusError {
    return new StatusError(504, 'Timeout', message, { retryAfterSeconds });
  },
  internal(message: string): StatusError {
    return new StatusError(500, 'InternalError', `Internal error occurred: ${message}`);
  },
  serviceUnavailable(message: string): StatusError {
    return new StatusError(503, 'ServiceUnavailable', message);
  },
};

export function successStatus(extra: Partial<Status> = {}): Status {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', ...extra };
}

/** A field cause as Kubernetes' field.Error produces it: `spec.containers[0].name: Required value`. */
export function cause(field: string, message: string, type = 'FieldValueInvalid'): StatusCause {
  return { reason: type, message, field };
}
