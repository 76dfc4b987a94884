// What every REST handler is given (k8s' endpoints/handlers RequestScope): the stores, the
// watch settings, the review/token endpoints of the security setup and the kubelet connection
// for the streaming subresources. Its own file so resource.ts and subresources.ts share it
// without importing each other.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { KObject } from '../../api/types.js';
import type { ReviewDeps } from '../auth/reviews.js';
import type { TokenRequestDeps } from '../auth/token-request.js';
import type { ResourceStore } from '../registry/store.js';
import type { RequestInfo } from './request-info.js';
import type { WatchSettings } from './watch.js';

export interface HandlerContext {
  /** The store of a resource; `version` picks a custom resource's served version. */
  store(group: string, resource: string, version?: string): ResourceStore;
  watch: WatchSettings;
  /** Reviews (TokenReview, SubjectAccessReview…) and TokenRequests; absent in the unsafe plain-HTTP mode. */
  security?: SecurityHandlers;
  /** pods/log|exec|attach|portforward and nodes/proxy; absent: those answer 503. */
  streaming?: StreamingSubresources;
}

export interface SecurityHandlers {
  reviews: ReviewDeps;
  tokenRequests?: TokenRequestDeps;
}

export interface StreamingSubresources {
  /** pods/log, pods/exec, pods/attach, pods/portforward, pods/proxy, nodes/proxy. */
  handle(req: FastifyRequest, reply: FastifyReply, ri: RequestInfo, obj: KObject): Promise<unknown>;
}
