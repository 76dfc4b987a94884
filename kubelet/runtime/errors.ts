// Typed errors of the container runtime, so the kubelet decides on kinds of failure
// (missing, conflicting, image not present, pull failed, took too long) and never on HTTP
// status codes or a runtime's message wording.

export type RuntimeErrorCode =
  | 'NotFound'
  | 'Conflict'
  | 'ImageNotFound'
  | 'ImagePull'
  | 'DeadlineExceeded'
  | 'Unavailable'
  | 'Unknown';

export class RuntimeError extends Error {
  readonly code: RuntimeErrorCode;
  /** The runtime's own status code when it had one (Docker's HTTP status). */
  readonly status?: number;

  constructor(code: RuntimeErrorCode, message: string, status?: number) {
    super(message);
    this.name = `${code}Error`;
    this.code = code;
    if (status !== undefined) this.status = status;
  }
}

/** The container, sandbox, exec session or network does not exist. */
export class NotFoundError extends RuntimeError {
  constructor(message: string, status?: number) {
    super('NotFound', message, status);
  }
}

/** The request conflicts with current state (name in use, container running, …). */
export class ConflictError extends RuntimeError {
  constructor(message: string, status?: number) {
    super('Conflict', message, status);
  }
}

/** The image is not present locally (creating a container from it cannot work). */
export class ImageNotFoundError extends RuntimeError {
  constructor(message: string, status?: number) {
    super('ImageNotFound', message, status);
  }
}

/** Pulling the image failed (registry unreachable, unknown image, …): the kubelet's ErrImagePull. */
export class ImagePullError extends RuntimeError {
  constructor(message: string, status?: number) {
    super('ImagePull', message, status);
  }
}

/** An operation with a deadline (execSync for probes, pulls) did not finish in time. */
export class DeadlineExceededError extends RuntimeError {
  constructor(message: string) {
    super('DeadlineExceeded', message);
  }
}

export function isNotFound(err: unknown): err is NotFoundError {
  return err instanceof RuntimeError && err.code === 'NotFound';
}

export function isConflict(err: unknown): err is ConflictError {
  return err instanceof RuntimeError && err.code === 'Conflict';
}
