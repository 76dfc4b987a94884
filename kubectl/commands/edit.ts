// kc edit TYPE NAME: the object as YAML in $KUBE_EDITOR / $EDITOR (default vi); the changes
// go back as a strategic merge patch. When the server rejects them the file is re-opened
// with the errors on top, as kubectl does, until it is saved unchanged or becomes valid.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { createThreeWayMergePatch } from '../../api/patch/index.js';
import { StatusError } from '../../api/status.js';
import type { KObject } from '../../api/types.js';
import { str, strs, type KcCommand } from '../command.js';
import { CliError } from '../errors.js';
import type { Factory } from '../factory.js';
import { write } from '../io.js';
import { displayName } from '../objects.js';
import { goJson, goJsonIndent } from '../../api/go-format.js';
import { toYaml } from '../printers/output.js';
import { qualifiedResource } from '../resource-args.js';
import { resolveTargets } from '../targets.js';

const HEADER = `# Please edit the object below. Lines beginning with a '#' will be ignored,
# and an empty file will abort the edit. If an error occurs while saving this file will be
# reopened with the relevant failures.
#
`;

/** The comment block kubectl puts above a re-opened file. */
export function errorHeader(what: string, e: unknown): string {
  let text = `# ${what} was not valid:\n`;
  const causes = e instanceof StatusError ? (e.status.details?.causes ?? []) : [];
  if (causes.length > 0) for (const c of causes) text += `# * ${c.field ? `${c.field}: ` : ''}${c.message ?? ''}\n`;
  else text += `# * ${e instanceof Error ? e.message : String(e)}\n`;
  return `${text}#\n`;
}

/** The document without comment lines, or undefined when nothing is left. */
export function stripComments(text: string): string | undefined {
  const body = text
    .split('\n')
    .filter((l) => !l.trimStart().startsWith('#'))
    .join('\n');
  return body.trim() === '' ? undefined : body;
}

function runEditor(f: Factory, file: string): Promise<void> {
  const editor = f.io.env.KUBE_EDITOR || f.io.env.EDITOR || 'vi';
  return new Promise((resolve, reject) => {
    const p = spawn('sh', ['-c', `${editor} "$1"`, 'kc-edit', file], { stdio: 'inherit', env: f.io.env });
    p.on('error', reject);
    p.on('exit', (code) => (code === 0 ? resolve() : reject(new CliError(`there was a problem with the editor "${editor}"`))));
  });
}

export const editCommand: KcCommand = {
  command: 'edit [args..]',
  describe: 'Edit a resource on the server',
  builder: (y) => y.option('output', { alias: 'o', type: 'string', default: 'yaml', describe: 'yaml|json' }).option('filename', { alias: 'f', type: 'string', array: true }),
  run: async (f, argv) => {
    const targets = await resolveTargets(f, argv, { command: 'edit', args: strs(argv.args) });
    if (targets.length !== 1) throw new CliError('kc edit takes exactly one object');
    const t = targets[0]!;
    const rc = f.resource(t.info, t.namespace);
    const original = await rc.get(t.name);
    delete original.metadata?.managedFields;
    const json = str(argv.output) === 'json';
    const dir = mkdtempSync(join(tmpdir(), 'kc-edit-'));
    const file = join(dir, `${t.name}.${json ? 'json' : 'yaml'}`);
    const render = (o: unknown): string => (json ? `${goJsonIndent(o)}\n` : toYaml(o));
    try {
      let header = '';
      let content = render(original);
      let lastFailed: string | undefined;
      for (;;) {
        writeFileSync(file, HEADER + header + content);
        await runEditor(f, file);
        const body = stripComments(readFileSync(file, 'utf8'));
        if (body === undefined) {
          await write(f.io.stderr, 'Edit cancelled, no changes made.\n');
          return;
        }
        let edited: KObject;
        try {
          edited = (json ? JSON.parse(body) : parse(body)) as KObject;
        } catch (e) {
          header = `# The edited file had a syntax error: ${(e as Error).message.split('\n')[0]}\n#\n`;
          content = body;
          continue;
        }
        if (goJson(edited) === goJson(original)) {
          if (lastFailed !== undefined) throw new CliError('Edit cancelled, no valid changes were saved.');
          await write(f.io.stderr, 'Edit cancelled, no changes made.\n');
          return;
        }
        if (lastFailed !== undefined && goJson(edited) === lastFailed) throw new CliError('Edit cancelled, no valid changes were saved.');
        const patch = createThreeWayMergePatch(original, edited, original, String(original.apiVersion), String(original.kind));
        if (Object.keys(patch).length === 0) {
          await write(f.io.stderr, 'Edit cancelled, no changes made.\n');
          return;
        }
        try {
          await rc.patch(t.name, 'strategic', patch, { fieldManager: 'kubectl-edit' });
          await write(f.io.stdout, `${displayName(t.info, t.name)} edited\n`);
          return;
        } catch (e) {
          if (!(e instanceof StatusError) || e.code >= 500) throw e;
          await write(f.io.stderr, `error: ${qualifiedResource(t.info)} "${t.name}" is invalid\n`);
          header = errorHeader(`${qualifiedResource(t.info)} "${t.name}"`, e);
          content = render(edited);
          lastFailed = goJson(edited);
        }
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
