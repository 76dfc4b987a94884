// --basic-auth-file: `Authorization: Basic` against a CSV `password,user,uid[,"groups"]`
// (Kubernetes' passwordfile + basicauth; deprecated in 1.16, removed in 1.19; tskube keeps it,
// off unless the flag is given).
import { createHash, timingSafeEqual } from 'node:crypto';
import { AuthenticationError, type AuthenticationRequest, type AuthenticationResult, type Authenticator } from '../types.js';
import { loadUsersCsv, parseUsersCsv, type CsvUser } from './csv-users.js';
import type { UserInfo } from '../../../api/user.js';

const INVALID = 'invalid username/password combination';

/** SHA-256 first so the comparison takes the same time whatever the lengths. */
function digest(s: string): Buffer {
  return createHash('sha256').update(s, 'utf8').digest();
}

/** Go's Request.BasicAuth(): `Basic <base64(user:password)>`, scheme case-insensitive. */
export function parseBasicAuth(header: string | undefined): { username: string; password: string } | undefined {
  if (!header) return undefined;
  const prefix = 'basic ';
  if (header.length < prefix.length || header.slice(0, prefix.length).toLowerCase() !== prefix) return undefined;
  const encoded = header.slice(prefix.length);
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(encoded) || encoded.length % 4 !== 0) return undefined;
  const decoded = Buffer.from(encoded, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

export class BasicAuthAuthenticator implements Authenticator {
  private readonly users = new Map<string, { password: Buffer; user: UserInfo }>();
  /** Compared against for unknown users, so their answer takes as long as a wrong password. */
  private readonly decoy = digest('');

  constructor(users: CsvUser[]) {
    for (const { secret, user } of users) this.users.set(user.username, { password: digest(secret), user });
  }

  static fromCSV(text: string, source = '<password file>'): BasicAuthAuthenticator {
    return new BasicAuthAuthenticator(parseUsersCsv(text, source, 'password file', 'password'));
  }

  authenticate(req: AuthenticationRequest): AuthenticationResult | undefined {
    const header = req.headers.authorization;
    const creds = parseBasicAuth(Array.isArray(header) ? header[0] : header);
    if (!creds) return undefined;
    const entry = this.users.get(creds.username);
    const given = digest(creds.password);
    const equal = timingSafeEqual(entry?.password ?? this.decoy, given);
    if (!entry || !equal) throw new AuthenticationError(INVALID);
    return { user: { ...entry.user, groups: [...entry.user.groups] } };
  }
}

/** Read --basic-auth-file at startup; a malformed file throws one line naming the file and line. */
export function loadBasicAuthFile(path: string): BasicAuthAuthenticator {
  return new BasicAuthAuthenticator(loadUsersCsv(path, 'password file', 'password'));
}
