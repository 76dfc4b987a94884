// The ServiceAccount token controller (pkg/controller/serviceaccount/tokens_controller.go).
// Since Kubernetes 1.24 nobody gets a token Secret unasked; a user who wants a long-lived token
// creates a Secret of type `kubernetes.io/service-account-token` annotated with
// `kubernetes.io/service-account.name`, and this controller fills it in: `token` (a legacy
// service-account JWT), `ca.crt`, `namespace`, and the `kubernetes.io/service-account.uid`
// annotation. A token Secret whose ServiceAccount does not exist (or is another one by uid) is
// deleted, and so are a ServiceAccount's token Secrets when it is deleted.
//
// Two queues as in Kubernetes: Secrets (fill, or delete when orphaned; drop the deleted Secret's
// reference from `serviceAccount.secrets`) and ServiceAccounts (delete the tokens of a deleted one).
import { readFileSync } from 'node:fs';
import type { Secret, ServiceAccount } from 'kubernetes-types/core/v1';
import { NAMESPACE_INDEX, WorkQueue, deletedObject, isConflict, isInvalid, isNotFound, type SharedInformer } from '../client/index.js';
import { legacyTokenClaims, loadSigningKey, signLegacyToken, verifyServiceAccountToken, type SigningKey } from '../client/auth/serviceaccount-jwt.js';
import type { Controller, ControllerContext } from './controller.js';
import { ROOT_CA_FILE_FLAG, readRootCA } from './root-ca-cert-publisher.js';
import { controllerFlags, intFlag, stringFlag, type FlagDeclarations, type FlagValues } from './options.js';
import { runQueue } from './run-queue.js';
import { SERVICE_ACCOUNT_NAME_KEY, SERVICE_ACCOUNT_TOKEN_TYPE, SERVICE_ACCOUNT_UID_KEY } from '../api/serviceaccount.js';

export { SERVICE_ACCOUNT_TOKEN_TYPE, SERVICE_ACCOUNT_NAME_KEY, SERVICE_ACCOUNT_UID_KEY };
/** The Secret's data keys (v1.ServiceAccountTokenKey, ServiceAccountRootCAKey, ServiceAccountNamespaceKey). */
export const TOKEN_KEY = 'token';
export const ROOT_CA_KEY = 'ca.crt';
export const NAMESPACE_KEY = 'namespace';

export interface ServiceAccountRef {
  namespace: string;
  name: string;
  uid: string;
}

/** What the controller signs with and publishes. */
export interface TokenSigner {
  key: SigningKey;
  /** PEM bundle for `ca.crt`; '' leaves `ca.crt` alone. */
  rootCA: string;
}

/** Which parts of a token Secret need writing. */
export interface TokenDataNeeded {
  ca: boolean;
  namespace: boolean;
  token: boolean;
  uid: boolean;
  any: boolean;
}

/** serviceaccount.IsServiceAccountToken: a token Secret naming this account, and not another one by uid. */
export function isServiceAccountToken(secret: Secret, sa: ServiceAccountRef): boolean {
  if (secret.type !== SERVICE_ACCOUNT_TOKEN_TYPE) return false;
  const annotations = secret.metadata?.annotations ?? {};
  if (annotations[SERVICE_ACCOUNT_NAME_KEY] !== sa.name) return false;
  const uid = annotations[SERVICE_ACCOUNT_UID_KEY];
  return !uid || uid === sa.uid;
}

function decoded(secret: Secret, key: string): string | undefined {
  const v = secret.data?.[key];
  return v === undefined ? undefined : Buffer.from(v, 'base64').toString('utf8');
}

function refOf(sa: ServiceAccount): ServiceAccountRef {
  return { namespace: sa.metadata?.namespace ?? '', name: sa.metadata?.name ?? '', uid: sa.metadata?.uid ?? '' };
}

/**
 * Whether `token` is the legacy token this controller would write for this account and Secret,
 * signed by this key. Kubernetes only checks that a token is present; tskube also replaces one
 * that no longer authenticates (another key, another account uid, a copied-in token).
 */
export async function tokenValidFor(token: string, key: SigningKey, sa: ServiceAccountRef, secretName: string): Promise<boolean> {
  let claims: Record<string, unknown>;
  try {
    claims = await verifyServiceAccountToken(token, [key]);
  } catch {
    return false;
  }
  const want: Record<string, unknown> = { ...legacyTokenClaims(sa, { name: secretName }) };
  return Object.entries(want).every(([k, v]) => claims[k] === v);
}

/** secretUpdateNeeded: a different CA, no namespace, no (valid) token, no or another account uid. */
export async function secretUpdateNeeded(secret: Secret, sa: ServiceAccount, signer: TokenSigner): Promise<TokenDataNeeded> {
  const ref = refOf(sa);
  const ca = signer.rootCA !== '' && decoded(secret, ROOT_CA_KEY) !== signer.rootCA;
  const namespace = !decoded(secret, NAMESPACE_KEY);
  const token = decoded(secret, TOKEN_KEY);
  const tokenNeeded = !token || !(await tokenValidFor(token, signer.key, ref, secret.metadata?.name ?? ''));
  const uid = secret.metadata?.annotations?.[SERVICE_ACCOUNT_UID_KEY] !== ref.uid;
  return { ca, namespace, token: tokenNeeded, uid, any: ca || namespace || tokenNeeded || uid };
}

const b64 = (s: string): string => Buffer.from(s, 'utf8').toString('base64');

/** A copy of the Secret with what was needed filled in, and both account annotations set. */
export async function withTokenData(secret: Secret, sa: ServiceAccount, needed: TokenDataNeeded, signer: TokenSigner): Promise<Secret> {
  const ref = refOf(sa);
  const out = structuredClone(secret);
  const data = { ...out.data };
  if (needed.ca) data[ROOT_CA_KEY] = b64(signer.rootCA);
  if (needed.namespace) data[NAMESPACE_KEY] = b64(out.metadata?.namespace ?? '');
  if (needed.token) data[TOKEN_KEY] = b64(await signLegacyToken(signer.key, ref, { name: out.metadata?.name ?? '' }));
  out.data = data;
  out.metadata = { ...out.metadata, annotations: { ...out.metadata?.annotations, [SERVICE_ACCOUNT_NAME_KEY]: ref.name, [SERVICE_ACCOUNT_UID_KEY]: ref.uid } };
  return out;
}

/** What a Secret event leaves in the queue: enough to clean up after a Secret that is gone. */
interface SecretQueueKey {
  namespace: string;
  name: string;
  uid: string;
  saName: string;
  /** Blank for a Secret the controller has not filled yet. */
  saUID: string;
}

/** What a ServiceAccount event leaves in the queue: enough to find the tokens of a deleted one. */
interface ServiceAccountQueueKey {
  namespace: string;
  name: string;
  uid: string;
}

// Keys are JSON so the queue de-duplicates them by value, as client-go does with its struct keys.
const secretKey = (s: Secret): string =>
  JSON.stringify([s.metadata?.namespace ?? '', s.metadata?.name ?? '', s.metadata?.uid ?? '', s.metadata?.annotations?.[SERVICE_ACCOUNT_NAME_KEY] ?? '', s.metadata?.annotations?.[SERVICE_ACCOUNT_UID_KEY] ?? '']);
const parseSecretKey = (k: string): SecretQueueKey => {
  const [namespace, name, uid, saName, saUID] = JSON.parse(k) as string[];
  return { namespace, name, uid, saName, saUID };
};
const serviceAccountKey = (sa: ServiceAccount): string => JSON.stringify([sa.metadata?.namespace ?? '', sa.metadata?.name ?? '', sa.metadata?.uid ?? '']);
const parseServiceAccountKey = (k: string): ServiceAccountQueueKey => {
  const [namespace, name, uid] = JSON.parse(k) as string[];
  return { namespace, name, uid };
};

/** Attempts of a read-modify-write before the key goes back to the queue with backoff (client-go's retry.DefaultRetry). */
const CONFLICT_ATTEMPTS = 5;

/**
 * Runs `attempt` until it does not end in 409 Conflict; each attempt re-reads what it writes.
 * The last conflict is thrown (the work queue retries the key later).
 */
async function retryOnConflict(attempt: () => Promise<void>): Promise<void> {
  for (let i = 1; ; i++) {
    try {
      await attempt();
      return;
    } catch (e) {
      if (!isConflict(e) || i >= CONFLICT_ATTEMPTS) throw e;
    }
  }
}

export class TokensController implements Controller {
  static readonly controllerName = 'serviceaccount-token';
  static readonly flags = {
    'root-ca-file': ROOT_CA_FILE_FLAG,
    'service-account-private-key-file': stringFlag('', 'PEM private key (RSA or ECDSA) that signs the tokens of service-account-token Secrets (without it the serviceaccount-token controller does not run)'),
    'concurrent-serviceaccount-token-syncs': intFlag(5, 'Service account token Secrets synced at once'),
  } satisfies FlagDeclarations;
  readonly name = TokensController.controllerName;
  private readonly flags: FlagValues<typeof TokensController.flags>;
  private readonly signer: TokenSigner;
  private readonly accounts: SharedInformer<ServiceAccount>;
  private readonly secrets: SharedInformer<Secret>;
  readonly secretQueue = new WorkQueue<string>({ name: 'serviceaccount_tokens_secret' });
  readonly serviceAccountQueue = new WorkQueue<string>({ name: 'serviceaccount_tokens_service' });

  static disabledReason(ctx: ControllerContext): string | undefined {
    const keyFile = controllerFlags(ctx, TokensController.flags)['service-account-private-key-file'];
    return keyFile === '' ? 'service account token controller is disabled: no --service-account-private-key-file' : undefined;
  }

  constructor(private readonly ctx: ControllerContext) {
    this.flags = controllerFlags(ctx, TokensController.flags);
    const keyFile = this.flags['service-account-private-key-file'];
    let key: SigningKey;
    try {
      key = loadSigningKey(readFileSync(keyFile, 'utf8'));
    } catch (e) {
      throw new Error(`error reading key for service account token controller from ${keyFile}: ${e instanceof Error ? e.message : String(e)}`);
    }
    // `--root-ca-file`, else the CA the manager itself trusts for the apiserver (Kubernetes' fallback too).
    const rootCAFile = this.flags['root-ca-file'];
    this.signer = { key, rootCA: rootCAFile !== '' ? readRootCA(rootCAFile) : (ctx.client.config.ca ?? '') };
    this.accounts = ctx.factory.informerFor('serviceaccounts');
    // Only token Secrets: the controller has no business caching everyone's secrets.
    this.secrets = ctx.factory.informerFor('secrets', { fieldSelector: `type=${SERVICE_ACCOUNT_TOKEN_TYPE}` });
    this.accounts.addEventHandler({
      onUpdate: (old, sa) => {
        // A relist can turn delete+create of a name into one update: the old account's tokens go.
        if (old.metadata?.uid !== sa.metadata?.uid) this.serviceAccountQueue.add(serviceAccountKey(old));
      },
      onDelete: (obj) => this.serviceAccountQueue.add(serviceAccountKey(deletedObject(obj))),
    });
    const onSecret = (s: Secret): void => {
      if (s.type === SERVICE_ACCOUNT_TOKEN_TYPE) this.secretQueue.add(secretKey(s));
    };
    this.secrets.addEventHandler({
      onAdd: onSecret,
      onUpdate: (_o, s) => onSecret(s),
      onDelete: (obj) => onSecret(deletedObject(obj)),
    });
  }

  private get log() {
    return this.ctx.log;
  }

  async run(signal: AbortSignal): Promise<void> {
    try {
      await this.ctx.factory.waitForCacheSync(signal);
    } catch {
      return;
    }
    const option = this.flags['concurrent-serviceaccount-token-syncs'];
    const workers = option > 0 ? option : 5;
    await Promise.all([
      runQueue(this.ctx, signal, { name: 'serviceaccount-token', queue: this.secretQueue, workers, reconcile: (k) => this.syncSecret(k) }),
      runQueue(this.ctx, signal, { name: 'serviceaccount-token', queue: this.serviceAccountQueue, workers, reconcile: (k) => this.syncServiceAccount(k) }),
    ]);
  }

  /** The ServiceAccount by name, and by uid when one is given; `live` asks the apiserver on a cache miss. */
  private async getServiceAccount(namespace: string, name: string, uid: string, live: boolean): Promise<ServiceAccount | undefined> {
    const matches = (sa: ServiceAccount | undefined): ServiceAccount | undefined => (sa && (!uid || sa.metadata?.uid === uid) ? sa : undefined);
    const cached = matches(this.accounts.lister.getByName(namespace, name));
    if (cached || !live) return cached;
    try {
      return matches(await this.ctx.client.resource('serviceaccounts', namespace).get(name));
    } catch (e) {
      if (isNotFound(e)) return undefined;
      throw e;
    }
  }

  async syncSecret(key: string): Promise<void> {
    const k = parseSecretKey(key);
    if (!k.namespace || !k.name || !k.saName) return;
    const cached = this.secrets.lister.getByName(k.namespace, k.name);
    if (!cached) {
      // The Secret is gone: the account (if it is still the same one) should no longer list it.
      const sa = await this.getServiceAccount(k.namespace, k.saName, k.saUID, false);
      if (sa) await this.removeSecretReference(k.namespace, k.saName, k.saUID, k.name);
      return;
    }
    // Level-based: what matters is the Secret as it is now, not the event that queued it.
    const saName = cached.metadata?.annotations?.[SERVICE_ACCOUNT_NAME_KEY] ?? '';
    const saUID = cached.metadata?.annotations?.[SERVICE_ACCOUNT_UID_KEY] ?? '';
    const sa = saName ? await this.getServiceAccount(k.namespace, saName, saUID, true) : undefined;
    if (!sa) {
      this.log.info({ secret: `${k.namespace}/${k.name}`, serviceaccount: `${k.namespace}/${saName}` }, 'service account does not exist, deleting token');
      await this.deleteToken(k.namespace, k.name, cached.metadata?.uid ?? '');
      return;
    }
    await this.generateTokenIfNeeded(sa, cached);
  }

  async syncServiceAccount(key: string): Promise<void> {
    const k = parseServiceAccountKey(key);
    if (!k.namespace || !k.name || !k.uid) return;
    if (await this.getServiceAccount(k.namespace, k.name, k.uid, false)) return;
    const account: ServiceAccountRef = { namespace: k.namespace, name: k.name, uid: k.uid };
    const tokens = this.secrets.lister.byIndex(NAMESPACE_INDEX, k.namespace).filter((s) => isServiceAccountToken(s, account));
    for (const s of tokens) {
      this.log.info({ secret: `${k.namespace}/${s.metadata?.name ?? ''}`, serviceaccount: `${k.namespace}/${k.name}` }, 'service account deleted, deleting its token');
      await this.deleteToken(k.namespace, s.metadata?.name ?? '', s.metadata?.uid ?? '');
    }
  }

  /** Deletes this Secret only (uid precondition); already gone or replaced is done. */
  private async deleteToken(namespace: string, name: string, uid: string): Promise<void> {
    try {
      await this.ctx.client.resource('secrets', namespace).delete(name, uid ? { preconditions: { uid } } : {});
    } catch (e) {
      if (isNotFound(e) || isConflict(e)) return;
      throw e;
    }
  }

  /**
   * Fills what the cached Secret lacks, on a fresh read of it (the cache's copy is never
   * written back): a conflicting write re-reads and decides again.
   */
  private async generateTokenIfNeeded(sa: ServiceAccount, cached: Secret): Promise<void> {
    if (!(await secretUpdateNeeded(cached, sa, this.signer)).any) return;
    const namespace = cached.metadata?.namespace ?? '';
    const name = cached.metadata?.name ?? '';
    const secrets = this.ctx.client.resource('secrets', namespace);
    await retryOnConflict(async () => {
      let live: Secret;
      try {
        live = await secrets.get(name);
      } catch (e) {
        if (isNotFound(e)) return;
        throw e;
      }
      // Replaced, or re-annotated for another account: its own event brings it back here.
      if (live.metadata?.uid !== cached.metadata?.uid || !isServiceAccountToken(live, refOf(sa))) return;
      const needed = await secretUpdateNeeded(live, sa, this.signer);
      if (!needed.any) return;
      try {
        await secrets.update(await withTokenData(live, sa, needed, this.signer));
      } catch (e) {
        if (isNotFound(e)) return;
        // E.g. an immutable Secret: no retry can make it valid; its next change is looked at again.
        if (isInvalid(e)) {
          this.log.warn({ secret: `${namespace}/${name}`, err: e }, 'cannot populate service account token secret');
          return;
        }
        throw e;
      }
      this.log.info({ secret: `${namespace}/${name}`, serviceaccount: `${namespace}/${sa.metadata?.name ?? ''}`, token: needed.token, caCert: needed.ca }, 'populated service account token secret');
    });
  }

  /** serviceAccount.secrets without the named Secret (Kubernetes keeps that list tidy). */
  private async removeSecretReference(namespace: string, saName: string, saUID: string, secretName: string): Promise<void> {
    const accounts = this.ctx.client.resource('serviceaccounts', namespace);
    await retryOnConflict(async () => {
      let sa: ServiceAccount;
      try {
        sa = await accounts.get(saName);
      } catch (e) {
        if (isNotFound(e)) return;
        throw e;
      }
      if (saUID && sa.metadata?.uid !== saUID) return;
      if (!(sa.secrets ?? []).some((r) => r.name === secretName)) return;
      try {
        await accounts.update({ ...sa, secrets: (sa.secrets ?? []).filter((r) => r.name !== secretName) });
      } catch (e) {
        if (isNotFound(e)) return;
        throw e;
      }
    });
  }
}
