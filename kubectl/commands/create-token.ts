// kc create token SA: a TokenRequest on serviceaccounts/<name>/token, printed as kubectl
// prints it — the bare token (a newline only on a terminal), or the TokenRequest with -o.
import { StatusError } from '../../api/status.js';
import type { KObject } from '../../api/types.js';
import { str, strs, type Args } from '../command.js';
import { CliError } from '../errors.js';
import { parseDuration, type Factory } from '../factory.js';
import { write } from '../io.js';
import { checkTypedOutput, printTyped, typedObjectMeta } from '../printers/typed.js';

/** The kinds a token may be bound to, and their API versions. */
const BOUND_OBJECT_KINDS: Record<string, string> = { Node: 'v1', Pod: 'v1', Secret: 'v1' };

interface TokenRequest extends KObject {
  spec?: { audiences?: string[] | null; expirationSeconds?: number | null; boundObjectRef?: Record<string, string> | null };
  status?: { token?: string; expirationTimestamp?: string | null };
}

/** authentication/v1 TokenRequest as the Go struct prints (spec fields without omitempty). */
function typedTokenRequest(r: TokenRequest): KObject {
  const ref = r.spec?.boundObjectRef;
  return {
    kind: r.kind,
    apiVersion: r.apiVersion,
    metadata: typedObjectMeta(r.metadata as Record<string, unknown>),
    spec: {
      audiences: r.spec?.audiences ?? null,
      expirationSeconds: r.spec?.expirationSeconds ?? null,
      boundObjectRef: ref
        ? { ...(ref.kind ? { kind: ref.kind } : {}), ...(ref.apiVersion ? { apiVersion: ref.apiVersion } : {}), ...(ref.name ? { name: ref.name } : {}), ...(ref.uid ? { uid: ref.uid } : {}) }
        : null,
    },
    status: { token: r.status?.token ?? '', expirationTimestamp: r.status?.expirationTimestamp ?? null },
  } as KObject;
}

export async function runCreateToken(f: Factory, argv: Args, names: string[]): Promise<void> {
  if (names.length !== 1) throw new CliError(`exactly one NAME is required, got ${names.length}\nSee 'kc create token -h' for help and examples`);
  const name = names[0]!;
  const namespace = f.namespace;
  const output = str(argv.output);
  if (output) checkTypedOutput(output);
  const durationMs = parseDuration(str(argv.duration), 'duration') ?? 0;
  const audiences = strs(argv.audience);
  const kind = str(argv.boundObjectKind) ?? '';
  const boundName = str(argv.boundObjectName) ?? '';
  const boundUid = str(argv.boundObjectUid) ?? '';
  if (!name) throw new CliError('service account name is required');
  if (durationMs < 0) throw new CliError('--duration must be greater than or equal to 0');
  if (durationMs % 1000 !== 0) throw new CliError('--duration cannot be expressed in units less than seconds');
  if (audiences.some((a) => a === '')) throw new CliError('--audience must not be an empty string');
  if (!kind) {
    if (boundName) throw new CliError('--bound-object-name can only be set if --bound-object-kind is provided');
    if (boundUid) throw new CliError('--bound-object-uid can only be set if --bound-object-kind is provided');
  } else {
    if (!BOUND_OBJECT_KINDS[kind]) throw new CliError(`supported --bound-object-kind values are ${Object.keys(BOUND_OBJECT_KINDS).sort().join(', ')}`);
    if (!boundName) throw new CliError('--bound-object-name is required if --bound-object-kind is provided');
  }
  const spec: Record<string, unknown> = {};
  if (audiences.length) spec.audiences = audiences;
  if (durationMs > 0) spec.expirationSeconds = durationMs / 1000;
  if (kind) spec.boundObjectRef = { kind, apiVersion: BOUND_OBJECT_KINDS[kind], name: boundName, ...(boundUid ? { uid: boundUid } : {}) };
  let response: TokenRequest;
  try {
    response = await f.client.json<TokenRequest>({
      method: 'POST',
      path: `/api/v1/namespaces/${encodeURIComponent(namespace)}/serviceaccounts/${encodeURIComponent(name)}/token`,
      body: { kind: 'TokenRequest', apiVersion: 'authentication.k8s.io/v1', spec },
    });
  } catch (e) {
    // kubectl wraps the server's error, so it loses its "Error from server" form.
    if (e instanceof StatusError) throw new CliError(`failed to create token: ${e.message}`);
    throw e;
  }
  const token = response.status?.token;
  if (!token) throw new CliError('failed to create token: no token in server response');
  if (output) {
    await write(f.io.stdout, printTyped(typedTokenRequest(response), output, 'authentication.k8s.io'));
    return;
  }
  // On a terminal the token gets a newline; in a pipe it is exactly the token.
  await write(f.io.stdout, f.io.stdoutIsTTY ? `${token}\n` : token);
}
