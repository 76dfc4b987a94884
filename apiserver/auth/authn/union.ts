// Composition of authenticators (Kubernetes' request/union, token/union, group/
// authenticated_group_adder, request/anonymous): the first that succeeds wins; a credential
// that was presented and failed, with nothing else succeeding, is a 401.
import {
  ANONYMOUS_USER,
  SYSTEM_AUTHENTICATED,
  SYSTEM_UNAUTHENTICATED,
  type UserInfo,
} from '../../../api/user.js';
import {
  AuthenticationError,
  type AuthenticationRequest,
  type AuthenticationResult,
  type Authenticator,
  type TokenAuthenticator,
} from '../types.js';

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Kubernetes' utilerrors.NewAggregate message: one error as is, several as `[a, b]`. */
function aggregate(errors: unknown[]): AuthenticationError {
  const messages = errors.map(messageOf);
  return new AuthenticationError(messages.length === 1 ? messages[0] : `[${messages.join(', ')}]`);
}

/** Run `attempts` in order; first result wins; all failures (any exception) become one AuthenticationError. */
async function firstSuccess(
  attempts: (() => Promise<AuthenticationResult | undefined> | AuthenticationResult | undefined)[],
  failOnError: boolean,
): Promise<AuthenticationResult | undefined> {
  const errors: unknown[] = [];
  for (const attempt of attempts) {
    let result: AuthenticationResult | undefined;
    try {
      result = await attempt();
    } catch (err) {
      // Another kind of exception (a getter's failure, a bug) is still a 401, never a 500
      // that would tell a caller more about the server than about its credential.
      if (failOnError) throw err instanceof AuthenticationError ? err : aggregate([err]);
      errors.push(err);
      continue;
    }
    if (result) return result;
  }
  if (errors.length > 0) throw aggregate(errors);
  return undefined;
}

export interface UnionOptions {
  /** Stop at the first error instead of asking the rest (Kubernetes' NewFailOnError). */
  failOnError?: boolean;
}

/** Kubernetes' union.New / union.NewFailOnError over request authenticators. */
export function unionAuthenticator(authenticators: Authenticator[], options: UnionOptions = {}): Authenticator {
  const list = [...authenticators];
  return {
    authenticate: (req: AuthenticationRequest) =>
      firstSuccess(list.map((a) => () => a.authenticate(req)), options.failOnError ?? false),
  };
}

/** Kubernetes' token/union: the same rule over token authenticators (audiences passed through). */
export function unionTokenAuthenticator(authenticators: TokenAuthenticator[], options: UnionOptions = {}): TokenAuthenticator {
  const list = [...authenticators];
  return {
    authenticateToken: (token: string, audiences?: string[]) =>
      firstSuccess(list.map((a) => () => a.authenticateToken(token, audiences)), options.failOnError ?? false),
  };
}

/** The user with `system:authenticated` added, unless anonymous or already in either all-users group. */
export function withAuthenticatedGroup(user: UserInfo): UserInfo {
  if (user.username === ANONYMOUS_USER) return user;
  if (user.groups.includes(SYSTEM_AUTHENTICATED) || user.groups.includes(SYSTEM_UNAUTHENTICATED)) return user;
  return { ...user, groups: [...user.groups, SYSTEM_AUTHENTICATED] };
}

function addGroup(result: AuthenticationResult | undefined): AuthenticationResult | undefined {
  return result && { ...result, user: withAuthenticatedGroup(result.user) };
}

/** Kubernetes' group.NewAuthenticatedGroupAdder. */
export function authenticatedGroupAdder(auth: Authenticator): Authenticator {
  return { authenticate: async (req) => addGroup(await auth.authenticate(req)) };
}

/** The same for a token authenticator (TokenReview answers with the group, as Kubernetes' does). */
export function authenticatedGroupAdderToken(auth: TokenAuthenticator): TokenAuthenticator {
  return { authenticateToken: async (token, audiences) => addGroup(await auth.authenticateToken(token, audiences)) };
}

/** The user every unauthenticated request is when anonymous requests are enabled. */
export function anonymousUser(): UserInfo {
  return { username: ANONYMOUS_USER, groups: [SYSTEM_UNAUTHENTICATED] };
}

/** Kubernetes' anonymous.NewAuthenticator: always succeeds; put it last. */
export function anonymousAuthenticator(): Authenticator {
  return { authenticate: () => ({ user: anonymousUser() }) };
}

/**
 * The request authenticator Kubernetes builds: union → authenticated group → (when anonymous
 * is on) anonymous, with fail-on-error so a bad credential is a 401 and never anonymous.
 */
export function requestAuthenticator(authenticators: Authenticator[], anonymous: boolean): Authenticator {
  const authenticated = authenticatedGroupAdder(unionAuthenticator(authenticators));
  if (!anonymous) return authenticated;
  return unionAuthenticator([authenticated, anonymousAuthenticator()], { failOnError: true });
}
