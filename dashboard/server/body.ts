// Reading the small JSON bodies the dashboard answers itself (login): bounded, and every
// failure a Status rather than an exception.
import type { IncomingMessage } from 'node:http';
import { StatusError, errors } from '../../api/status.js';

export const MAX_OWN_BODY = 64 * 1024;

/** The request's JSON body, or the Status to answer (415 not JSON, 413 too large, 400 malformed). */
export async function readJsonBody(req: IncomingMessage, limit = MAX_OWN_BODY): Promise<unknown | StatusError> {
  const ct = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  // application/json also keeps cross-site HTML forms out: they cannot send it without CORS.
  if (ct !== 'application/json') return new StatusError(415, 'UnsupportedMediaType', `the body must be application/json; got ${JSON.stringify(ct)}`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) return errors.tooLarge(`Request entity too large: limit is ${limit}`);
    chunks.push(chunk as Buffer);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
  } catch (e) {
    return errors.badRequest(`invalid JSON body: ${(e as Error).message}`);
  }
}
