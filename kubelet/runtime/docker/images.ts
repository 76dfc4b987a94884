// Pulling images through Docker. Docker reports a failed pull in two ways: an error status
// before anything starts (registry unreachable, unknown repository), or a 200 whose
// newline-delimited JSON progress stream ends with an {"error": …} line. Both become an
// ImagePullError, and a deadline keeps an unresponsive registry from hanging the kubelet.
import type { DockerClient } from './client.js';
import { readJsonLines } from './stream.js';
import { ImagePullError, RuntimeError } from '../errors.js';

/**
 * Splits an image reference into Docker's fromImage/tag. A reference without tag or digest
 * means ':latest' — left empty, Docker would pull every tag of the repository.
 */
export function parseImageReference(image: string): { fromImage: string; tag: string } {
  if (image.includes('@')) return { fromImage: image, tag: '' };
  const lastSlash = image.lastIndexOf('/');
  const colon = image.indexOf(':', lastSlash + 1);
  if (colon >= 0) return { fromImage: image.slice(0, colon), tag: image.slice(colon + 1) };
  return { fromImage: image, tag: 'latest' };
}

interface PullProgress {
  error?: string;
  errorDetail?: { message?: string };
}

export async function pullImage(client: DockerClient, image: string, timeoutSeconds: number): Promise<void> {
  const { fromImage, tag } = parseImageReference(image);
  const signal = timeoutSeconds > 0 ? AbortSignal.timeout(timeoutSeconds * 1000) : undefined;
  try {
    const body = await client.stream('POST', '/images/create', { query: { fromImage, tag: tag || undefined }, signal });
    try {
      for await (const line of readJsonLines(body)) {
        const p = line as PullProgress;
        if (p.error || p.errorDetail) throw new ImagePullError(p.errorDetail?.message ?? p.error ?? 'pull failed');
      }
    } finally {
      body.destroy();
    }
  } catch (err) {
    if (err instanceof ImagePullError) throw err;
    if (signal?.aborted) throw new ImagePullError(`pulling ${image}: no answer within ${timeoutSeconds}s`);
    const message = err instanceof Error ? err.message : String(err);
    const status = err instanceof RuntimeError ? err.status : undefined;
    throw new ImagePullError(`pulling ${image}: ${message}`, status);
  }
}
