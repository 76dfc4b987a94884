// Bodies reach the handlers as raw Buffers: handlers/encoding.ts decodes JSON, YAML and
// protobuf by Content-Type itself (fastify's JSON parser would reject the others).
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';

export const BODY_LIMIT = 3 * 1024 * 1024;

export const rawBodies = fp(
  async (app: FastifyInstance) => {
    app.removeAllContentTypeParsers();
    app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: BODY_LIMIT }, (_req, body, done) => done(null, body));
  },
  { name: 'tskube-raw-bodies' },
);
