// Audiences (Kubernetes' authenticator.Audiences and audagnostic.go): which audiences a request
// asks for (the API audiences for ordinary requests, TokenReview's spec.audiences), and how a
// token authenticator that knows nothing of audiences is made to honour them.
import type { AuthenticationResult, TokenAuthenticator } from '../types.js';

/** Members of `a` also in `b`, in `a`'s order. */
export function intersectAudiences(a: readonly string[], b: readonly string[]): string[] {
  const set = new Set(b);
  return [...new Set(a)].filter((x) => set.has(x));
}

/**
 * Wrap an audience-agnostic token authenticator (token file): it answers only when the
 * requested audiences meet the implicit (API) ones, and reports those as the result's
 * audiences. With no implicit audiences configured, it passes straight through.
 */
export function audienceAgnosticTokenAuthenticator(implicitAudiences: string[], auth: TokenAuthenticator): TokenAuthenticator {
  const implicit = [...implicitAudiences];
  return {
    async authenticateToken(token: string, audiences?: string[]): Promise<AuthenticationResult | undefined> {
      if (implicit.length === 0) return auth.authenticateToken(token);
      const auds = intersectAudiences(implicit, audiences && audiences.length > 0 ? audiences : implicit);
      if (auds.length === 0) return undefined;
      const result = await auth.authenticateToken(token);
      return result && { ...result, audiences: auds };
    },
  };
}
