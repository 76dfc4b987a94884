// --token-auth-file: static bearer tokens (Kubernetes' token/tokenfile). Each CSV record is
// `token,user,uid[,"group1,group2"]`; a token the file does not hold is not this
// authenticator's (the next one is asked).
import type { AuthenticationResult, TokenAuthenticator } from '../types.js';
import { loadUsersCsv, parseUsersCsv, type CsvUser } from './csv-users.js';
import type { UserInfo } from '../../../api/user.js';

export class TokenFileAuthenticator implements TokenAuthenticator {
  private readonly tokens = new Map<string, UserInfo>();

  constructor(users: CsvUser[]) {
    // Empty tokens are skipped and a repeated token's last record wins, as in tokenfile.NewCSV.
    for (const { secret, user } of users) if (secret !== '') this.tokens.set(secret, user);
  }

  /** Parse a file's text (tests, or a file read elsewhere); `source` names it in errors. */
  static fromCSV(text: string, source = '<token file>'): TokenFileAuthenticator {
    return new TokenFileAuthenticator(parseUsersCsv(text, source, 'token file', 'token'));
  }

  authenticateToken(token: string): AuthenticationResult | undefined {
    const user = this.tokens.get(token);
    if (!user) return undefined;
    return { user: { ...user, groups: [...user.groups] } };
  }

  get size(): number {
    return this.tokens.size;
  }
}

/** Read --token-auth-file at startup; a malformed file throws one line naming the file and line. */
export function loadTokenFile(path: string): TokenFileAuthenticator {
  return new TokenFileAuthenticator(loadUsersCsv(path, 'token file', 'token'));
}
