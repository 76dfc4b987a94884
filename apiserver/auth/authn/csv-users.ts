// The CSV layout Kubernetes' --token-auth-file and --basic-auth-file share:
// `secret,user,uid[,"group1,group2"]` (tokenfile.NewCSV, passwordfile.NewCSV).
import { readFileSync } from 'node:fs';
import { CsvError, parse } from 'csv-parse/sync';
import type { UserInfo } from '../../../api/user.js';

export interface CsvUser {
  /** The token or password (first column). */
  secret: string;
  user: UserInfo;
  /** 1-based line of the record, for messages. */
  line: number;
}

/**
 * Parse the file's text. `what` names the file in errors ("token file", "password file") and
 * `secretName` the first column; a malformed file is one error naming its line.
 */
export function parseUsersCsv(text: string, source: string, what: string, secretName: string): CsvUser[] {
  const prefix = `${what} "${source}"`;
  let rows: { record: string[]; info: { lines: number } }[];
  try {
    // With `info`, each row is { record, info } (csv-parse's types do not follow the option).
    rows = parse(text, { relax_column_count: true, skip_empty_lines: true, info: true }) as unknown as typeof rows;
  } catch (err) {
    const line = err instanceof CsvError && typeof err.lines === 'number' ? `line ${err.lines}: ` : '';
    throw new Error(`${prefix}: ${line}${err instanceof Error ? err.message : String(err)}`);
  }
  const users: CsvUser[] = [];
  for (const { record, info } of rows) {
    // A line of spaces is blank to a reader; Go's csv would call it a one-column record.
    if (record.length === 1 && record[0].trim() === '') continue;
    if (record.length < 3) {
      throw new Error(`${prefix}: line ${info.lines}: must have at least 3 columns (${secretName}, user name, user uid), found ${record.length}`);
    }
    const [secret, username, uid, groups] = record;
    const user: UserInfo = { username, uid, groups: groups === undefined ? [] : groups.split(',').filter((g) => g !== '') };
    users.push({ secret, user, line: info.lines });
  }
  return users;
}

/** Read and parse at startup (a missing file is an error naming it). */
export function loadUsersCsv(path: string, what: string, secretName: string): CsvUser[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new Error(`${what} "${path}": ${err instanceof Error ? err.message : String(err)}`);
  }
  return parseUsersCsv(text, path, what, secretName);
}
