// The audit stage of the handler chain (k8s.io/apiserver/pkg/endpoints/filters/audit.go and
// authn_audit.go), as fastify hooks on the whole app. It runs after authentication: it decides
// each request's level from the policy and the authenticated user, writes RequestReceived at
// once, ResponseStarted when a long-running request's headers go out, and ResponseComplete (or
// Panic) when the response ends — hijacked watch/log/exec replies included, which is why it
// listens on the raw response rather than on fastify's onResponse (not run for a hijacked
// reply that never finishes, e.g. a WebSocket or a watch the client walks away from).
// Events are built and written on a later turn of the event loop, never on the request path.
import type { ServerResponse } from 'node:http';
import type { TLSSocket } from 'node:tls';
import type { FastifyBaseLogger, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { StatusError } from '../../api/status.js';
import type { AuditBackend } from './backend.js';
import { buildEvent, decodeRawBody, nowEpochMs, responseStatusOf, type RawBody, type StatusFields } from './event.js';
import { PolicyRuleEvaluator } from './policy.js';
import { levelAtLeast, type AuditEvent, type Level, type Policy, type Stage } from './types.js';

export interface AuditOptions {
  /** The loaded `--audit-policy-file` (or an evaluator built from it). */
  policy: Policy | PolicyRuleEvaluator;
  /** Where events go; the plugin closes it when the app closes. */
  backend: AuditBackend;
  /**
   * objectRef.uid is the uid the handler knew (RequestContext.objectUID) rather than only the
   * request body's: set for the audit index's sink (audit/index-store.ts), not for the log file,
   * whose events stay Kubernetes' own.
   */
  objectUIDFromHandler?: boolean;
}

export const AUDIT_ID_HEADER = 'Audit-Id';

/** One audited request, from RequestReceived to its last event. */
interface AuditState {
  req: FastifyRequest;
  res: ServerResponse;
  level: Exclude<Level, 'None'>;
  omitStages: Stage[];
  omitManagedFields: boolean;
  requestURI: string;
  /** The reply's body, kept when an event may need it (RequestResponse, or an error's Status). */
  response?: RawBody;
  /** Set when the handler failed with an unexpected (non-Status) error: Kubernetes' panic. */
  panic?: string;
  /** An upgrade request whose socket a handler took (exec, attach, portforward): 101. */
  upgraded: boolean;
  responseStarted: boolean;
  completed: boolean;
  // Bodies are decoded at most once, when the first event that needs them is built.
  requestDecoded?: { value: unknown };
  responseDecoded?: { value: unknown };
}

const CLOSE_GRACE_MS = 2000;

// Kubernetes' fakedSuccessStatus: the connection closed before any response was written.
const CLOSED_EARLY: StatusFields = { status: 'Success', message: 'Connection closed early' };

/** Failed authentication's message (authn_audit.go getAuthMethods). */
function authMethods(req: FastifyRequest): string {
  const methods: string[] = [];
  const auth = String(req.headers.authorization ?? '').trim();
  const scheme = auth.split(' ')[0]?.toLowerCase();
  if (scheme === 'basic') methods.push('basic');
  if (scheme === 'bearer' && auth.split(' ').length > 1) methods.push('bearer');
  if (/[?&]access_token=[^&]/.test(req.url)) methods.push('access_token');
  const socket = req.raw.socket as Partial<TLSSocket> | undefined;
  const cert = typeof socket?.getPeerCertificate === 'function' ? socket.getPeerCertificate() : undefined;
  if (cert && Object.keys(cert).length > 0) methods.push('x509');
  return methods.length ? `Authentication failed, attempted: ${methods.join(', ')}` : 'Authentication failed, no credentials provided';
}

/** What the server's error handler (server/errors.ts) turns into a 500 it logs as a bug (rather than a Status the code meant). */
function isPanic(err: unknown): boolean {
  if (err instanceof StatusError) return false;
  const code = (err as { statusCode?: unknown } | null)?.statusCode;
  return !(typeof code === 'number' && code < 500);
}

function bodyOf(payload: unknown, reply: FastifyReply): RawBody | undefined {
  if (typeof payload !== 'string' && !Buffer.isBuffer(payload)) return undefined;
  const ct = reply.getHeader('content-type');
  return { data: payload, contentType: typeof ct === 'string' ? ct : undefined };
}

function requestBodyOf(req: FastifyRequest): RawBody | undefined {
  const body = req.body;
  if (!Buffer.isBuffer(body) && typeof body !== 'string') return undefined;
  return { data: body, contentType: req.headers['content-type'] };
}

/** Builds events on a later turn and hands them to the backend in order, in batches. */
class EventQueue {
  private pending: (() => AuditEvent)[] = [];
  private scheduled = false;
  constructor(
    private readonly backend: AuditBackend,
    private readonly log: FastifyBaseLogger,
  ) {}
  push(build: () => AuditEvent): void {
    this.pending.push(build);
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => this.drain());
  }
  drain(): void {
    this.scheduled = false;
    const batch = this.pending;
    this.pending = [];
    const events: AuditEvent[] = [];
    for (const build of batch) {
      try {
        events.push(build());
      } catch (err) {
        this.log.error({ err }, 'failed to build audit event');
      }
    }
    try {
      this.backend.processEvents(events);
    } catch (err) {
      this.log.error({ err }, 'audit backend failed');
    }
  }
}

/** The audit stage's state across requests: the policy, the event queue, and each audited request. */
class Auditor {
  private readonly evaluator: PolicyRuleEvaluator;
  private readonly queue: EventQueue;
  /** Every request the audit stage saw: its state, or null when the policy said None. */
  private readonly states = new WeakMap<FastifyRequest, AuditState | null>();
  /** 401 bodies of requests that never reached this stage (failed authentication). */
  private readonly unauthorized = new WeakMap<FastifyRequest, RawBody | undefined>();
  /** Requests between RequestReceived and their last event, so closing can wait for them. */
  private readonly active = new Set<AuditState>();
  private onIdle: (() => void) | undefined;

  constructor(
    private readonly opts: AuditOptions,
    log: FastifyBaseLogger,
  ) {
    this.evaluator = opts.policy instanceof PolicyRuleEvaluator ? opts.policy : new PolicyRuleEvaluator(opts.policy);
    this.queue = new EventQueue(opts.backend, log);
  }

  /** onRequest: the level from the policy, the Audit-Id header, RequestReceived, and following the response. */
  requestReceived(req: FastifyRequest, reply: FastifyReply): void {
    const ctx = req.k8s;
    if (!ctx) return;
    if (!reply.raw.hasHeader(AUDIT_ID_HEADER)) reply.raw.setHeader(AUDIT_ID_HEADER, ctx.auditID);
    const config = this.evaluator.evaluatePolicyRule({ ...ctx.attributes, ...(ctx.authenticatedUser ? { user: ctx.authenticatedUser } : {}) });
    if (config.level === 'None') {
      this.states.set(req, null);
      return;
    }
    const st: AuditState = {
      req,
      res: reply.raw,
      level: config.level,
      omitStages: config.omitStages,
      omitManagedFields: config.omitManagedFields,
      requestURI: req.url,
      upgraded: false,
      responseStarted: false,
      completed: false,
    };
    this.states.set(req, st);
    this.active.add(st);
    this.emit(st, 'RequestReceived');
    this.follow(st, reply);
  }

  /** onSend: keeps the reply body when an event may need it. */
  keepResponse(req: FastifyRequest, reply: FastifyReply, payload: unknown): void {
    // Also for replies sent before this stage (a 401 from authentication), as Kubernetes
    // echoes the ID from the start of its chain.
    if (req.k8s && !reply.raw.hasHeader(AUDIT_ID_HEADER)) reply.raw.setHeader(AUDIT_ID_HEADER, req.k8s.auditID);
    const st = this.states.get(req);
    if (st) {
      if (levelAtLeast(st.level, 'RequestResponse') || reply.statusCode >= 400) st.response = bodyOf(payload, reply);
    } else if (st === undefined && reply.statusCode === 401 && req.k8s) {
      this.unauthorized.set(req, bodyOf(payload, reply));
    }
  }

  /** onError: an unexpected (non-Status) error is Kubernetes' panic. */
  recordPanic(req: FastifyRequest, err: Error): void {
    const st = this.states.get(req);
    if (st && isPanic(err)) st.panic = err.message || String(err);
  }

  /**
   * onResponse: failed authentication never reaches the audit stage; Kubernetes audits it
   * anyway (WithFailedAuthenticationAudit): one ResponseStarted event with the 401, and no user.
   */
  failedAuthentication(req: FastifyRequest, reply: FastifyReply): void {
    if (this.states.has(req) || reply.statusCode !== 401 || !req.k8s) return;
    const ctx = req.k8s;
    const config = this.evaluator.evaluatePolicyRule({ ...ctx.attributes });
    if (config.level === 'None' || config.omitStages.includes('ResponseStarted')) return;
    const body = this.unauthorized.get(req);
    const stageTime = nowEpochMs();
    const annotations = { ...ctx.auditAnnotations };
    const requestURI = req.url;
    const message = authMethods(req);
    const level = config.level;
    this.queue.push(() => {
      const responseObject = decodeRawBody(body);
      return buildEvent({
        ctx,
        level,
        stage: 'ResponseStarted',
        requestURI,
        stageTime,
        omitManagedFields: config.omitManagedFields,
        annotations,
        responseStatus: responseStatusOf(401, responseObject, { message }),
        responseObject: levelAtLeast(level, 'RequestResponse') && ctx.attributes.resourceRequest ? responseObject : undefined,
      });
    });
  }

  /**
   * onClose: closing destroys the connections of hijacked replies (watches, exec), but their
   * 'close' events come a moment after fastify runs onClose: wait for them (briefly), so those
   * requests' last events are written before the backend closes.
   */
  async close(): Promise<void> {
    if (this.active.size > 0) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, CLOSE_GRACE_MS);
        this.onIdle = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
    this.queue.drain();
    await this.opts.backend.close();
  }

  private requestObject(st: AuditState): unknown {
    if (!st.requestDecoded) st.requestDecoded = { value: decodeRawBody(requestBodyOf(st.req)) };
    return st.requestDecoded.value;
  }

  private responseObject(st: AuditState): unknown {
    if (!st.responseDecoded && st.response) st.responseDecoded = { value: decodeRawBody(st.response) };
    return st.responseDecoded?.value;
  }

  /**
   * Snapshots what is known now (impersonation and authorization add to the context after
   * this stage); the event itself is built on a later turn. `override` replaces what the
   * response body says (a panic, a connection closed before any response).
   */
  private emit(st: AuditState, stage: Stage, code?: number, override?: StatusFields): void {
    if (st.omitStages.includes(stage)) return;
    const ctx = st.req.k8s;
    const stageTime = nowEpochMs();
    const impersonatedUser = ctx.impersonatedUser;
    const annotations = { ...ctx.auditAnnotations };
    const objectUID = this.opts.objectUIDFromHandler ? ctx.objectUID : undefined;
    const objectName = objectUID ? ctx.objectName : undefined;
    // The handler named the object: a Metadata event then needs nothing from the body, and the
    // index's sink sees every write — decoding each body again cost the soak ~100 MiB of RSS.
    const needsBody = !objectUID || levelAtLeast(st.level, 'Request');
    this.queue.push(() => {
      const received = stage === 'RequestReceived';
      const response = received ? undefined : this.responseObject(st);
      return buildEvent({
        ctx,
        level: st.level,
        stage,
        requestURI: st.requestURI,
        stageTime,
        omitManagedFields: st.omitManagedFields,
        ...(impersonatedUser ? { impersonatedUser } : {}),
        annotations,
        ...(objectUID ? { objectUID } : {}),
        ...(objectName ? { objectName } : {}),
        requestObject: received || !ctx.attributes.resourceRequest || !needsBody ? undefined : this.requestObject(st),
        ...(code !== undefined ? { responseStatus: override ? responseStatusOf(code, undefined, override) : responseStatusOf(code, response) } : {}),
        // Like Kubernetes, bodies are API objects: a non-resource reply (OpenAPI, /version) is not logged.
        responseObject: levelAtLeast(st.level, 'RequestResponse') && ctx.attributes.resourceRequest ? response : undefined,
      });
    });
  }

  private responseStarted(st: AuditState, code: number, override?: StatusFields): void {
    if (st.responseStarted) return;
    st.responseStarted = true;
    if (st.req.k8s.longRunning) this.emit(st, 'ResponseStarted', code, override);
  }

  private complete(st: AuditState, finished: boolean): void {
    if (st.completed) return;
    st.completed = true;
    this.active.delete(st);
    if (this.active.size === 0) this.onIdle?.();
    const res = st.res;
    if (st.panic !== undefined) {
      this.emit(st, 'Panic', 500, { status: 'Failure', reason: 'InternalError', message: `APIServer panic'd: ${st.panic}` });
      return;
    }
    let code = res.statusCode;
    let override: StatusFields | undefined;
    if (!finished && st.upgraded) code = 101;
    else if (!finished && !res.headersSent) {
      code = 200;
      override = CLOSED_EARLY;
    }
    // A long-running request that never wrote headers still gets its ResponseStarted, as in Kubernetes.
    this.responseStarted(st, code, override);
    this.emit(st, 'ResponseComplete', code, override);
  }

  /** Follows the raw response: headers going out (ResponseStarted) and its end (ResponseComplete). */
  private follow(st: AuditState, reply: FastifyReply): void {
    const res = st.res;
    const started = (code: number): void => this.responseStarted(st, code);
    if (st.req.k8s.longRunning) {
      // Node's implicit headers (first write/flushHeaders) go through writeHead too.
      const writeHead = res.writeHead as (this: ServerResponse, ...args: unknown[]) => ServerResponse;
      res.writeHead = function (this: ServerResponse, ...args: unknown[]) {
        started(typeof args[0] === 'number' ? args[0] : res.statusCode);
        return writeHead.apply(this, args);
      } as ServerResponse['writeHead'];
    }
    if (st.req.headers.upgrade) {
      // The socket is taken and answered by the WebSocket code: Kubernetes records 101 at Hijack.
      const hijack = reply.hijack;
      reply.hijack = function (this: FastifyReply) {
        st.upgraded = true;
        started(101);
        return hijack.call(this);
      };
    }
    res.once('finish', () => this.complete(st, true));
    res.once('close', () => this.complete(st, false));
  }
}

/** Each hook guards itself: nothing of audit's may fail a request. */
async function audit(app: FastifyInstance, opts: AuditOptions): Promise<void> {
  const auditor = new Auditor(opts, app.log);
  app.addHook('onRequest', (req, reply, done) => {
    try {
      auditor.requestReceived(req, reply);
    } catch (err) {
      req.log.error({ err }, 'audit: failed to start the audit of a request');
    }
    done();
  });
  app.addHook('onSend', (req, reply, payload, done) => {
    try {
      auditor.keepResponse(req, reply, payload);
    } catch (err) {
      req.log.error({ err }, 'audit: failed to keep the response body');
    }
    done(null, payload);
  });
  app.addHook('onError', (req, _reply, err, done) => {
    try {
      auditor.recordPanic(req, err);
    } catch {
      // Nothing of audit's may fail a request.
    }
    done();
  });
  app.addHook('onResponse', (req, reply, done) => {
    try {
      auditor.failedAuthentication(req, reply);
    } catch (err) {
      req.log.error({ err }, 'audit: failed to audit a failed authentication');
    }
    done();
  });
  app.addHook('onClose', () => auditor.close());
}

/**
 * The audit stage. Register it right after authentication (before impersonation):
 * `await app.register(auditPlugin, { policy, backend })`. The `await` matters: fastify loads
 * plugins later than it runs a plain `addHook`, so without it hooks added after this line
 * would run before audit's.
 */
export const auditPlugin = fp(audit, { name: 'tskube-audit', fastify: '5.x' });
