// Makes a container's image present per imagePullPolicy (pkg/kubelet/images/image_manager.go):
// Never uses only what is there (ErrImageNeverPull), IfNotPresent pulls when missing, Always
// pulls every time. A failed pull is ErrImagePull, and while its backoff runs further
// attempts answer ImagePullBackOff without pulling. One deviation: with Always and the image
// present, an unreachable registry is not fatal — the local image is used (there is no
// registry on this host, and real k8s would fail the pod here).
import type { Container, Pod } from 'kubernetes-types/core/v1';
import type { ImageService } from './runtime/runtime.js';
import { RuntimeError } from './runtime/errors.js';
import type { KeyedBackoff } from './backoff.js';

export type ImageErrorReason = 'ErrImagePull' | 'ImagePullBackOff' | 'ErrImageNeverPull' | 'InvalidImageName';

export class ImageError extends Error {
  constructor(
    readonly reason: ImageErrorReason,
    message: string,
  ) {
    super(message);
  }
}

export interface ImageEvents {
  pulling(image: string): void;
  pulled(image: string, ms: number): void;
  present(image: string): void;
  failed(reason: ImageErrorReason, message: string): void;
  backOff(image: string): void;
}

/** The policy k8s defaults to when none is set: Always for :latest or no tag, else IfNotPresent. */
export function pullPolicyOf(c: Container): string {
  if (c.imagePullPolicy) return c.imagePullPolicy;
  const image = c.image ?? '';
  if (image.includes('@')) return 'IfNotPresent';
  const tag = image.slice(image.lastIndexOf('/') + 1).split(':')[1];
  return !tag || tag === 'latest' ? 'Always' : 'IfNotPresent';
}

export class ImageManager {
  /** One pull of an image at a time; concurrent callers share it. */
  private readonly inflight = new Map<string, Promise<void>>();

  constructor(
    private readonly images: ImageService,
    private readonly backoff: KeyedBackoff,
  ) {}

  /** Returns the image ref; throws ImageError with the waiting reason. */
  async ensureImageExists(pod: Pod, c: Container, events: ImageEvents): Promise<string> {
    const image = c.image ?? '';
    if (!image) throw new ImageError('InvalidImageName', `Failed to apply default image tag "": couldn't parse image name "": invalid reference format`);
    const policy = pullPolicyOf(c);
    const present = await this.images.imageStatus(image);
    if (present && policy !== 'Always') {
      events.present(image);
      return present.id;
    }
    if (policy === 'Never') {
      const msg = `Container image "${image}" is not present with pull policy of Never`;
      events.failed('ErrImageNeverPull', msg);
      throw new ImageError('ErrImageNeverPull', msg);
    }
    const key = `${pod.metadata?.uid ?? ''}/${image}`;
    const wait = this.backoff.remainingSinceUpdate(key);
    if (wait > 0 && !present) {
      const msg = `Back-off pulling image "${image}"`;
      events.backOff(image);
      throw new ImageError('ImagePullBackOff', msg);
    }
    events.pulling(image);
    const t0 = Date.now();
    try {
      await this.pull(image);
    } catch (err) {
      if (present) {
        // Always + registry unreachable + image here: use the local copy (see the file comment).
        events.present(image);
        return present.id;
      }
      this.backoff.next(key);
      const detail = err instanceof RuntimeError || err instanceof Error ? err.message : String(err);
      const msg = `Failed to pull image "${image}": ${detail}`;
      events.failed('ErrImagePull', msg);
      throw new ImageError('ErrImagePull', msg);
    }
    this.backoff.reset(key);
    events.pulled(image, Date.now() - t0);
    const status = await this.images.imageStatus(image);
    return status?.id ?? '';
  }

  /** When a failed pull of the container's image may be retried. */
  retryAfterMs(pod: Pod, c: Container): number {
    const key = `${pod.metadata?.uid ?? ''}/${c.image ?? ''}`;
    return Math.max(100, this.backoff.remainingSinceUpdate(key));
  }

  /** Drops a pod's pull backoff entries. */
  forgetPod(uid: string): void {
    this.backoff.resetPrefix(`${uid}/`);
  }

  private pull(image: string): Promise<void> {
    let p = this.inflight.get(image);
    if (!p) {
      p = this.images.pullImage(image).then(() => undefined);
      this.inflight.set(image, p);
      void p.catch(() => undefined).finally(() => this.inflight.delete(image));
    }
    return p;
  }
}


