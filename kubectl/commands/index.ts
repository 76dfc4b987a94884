// Every kc command, in the order `kc --help` lists them.
import type { KcCommand } from '../command.js';
import { applyCommand } from './apply.js';
import { authCommand } from './auth.js';
import { completionCommand, completionTree, hiddenCompleteCommand } from './completion.js';
import { configCommand } from './config.js';
import { cpCommand } from './cp.js';
import { createCommand } from './create.js';
import { deleteCommand } from './delete.js';
import { describeCommand } from './describe.js';
import { editCommand } from './edit.js';
import { execCommand } from './exec.js';
import { logsCommand } from './logs.js';
import { portForwardCommand } from './port-forward.js';
import { proxyCommand } from './proxy.js';
import { rolloutCommand } from './rollout.js';
import { topCommand } from './top.js';
import { traceCommand } from './trace.js';
import { getCommand } from './get.js';
import { apiResourcesCommand, clusterInfoCommand, versionCommand } from './info.js';
import { annotateCommand, labelCommand } from './label.js';
import { cordonCommand, drainCommand, uncordonCommand } from './node.js';
import { patchCommand } from './patch.js';
import { replaceCommand } from './replace.js';
import { scaleCommand } from './scale.js';
import { waitCommand } from './wait.js';

export const commands: KcCommand[] = [
  getCommand,
  describeCommand,
  applyCommand,
  createCommand,
  replaceCommand,
  patchCommand,
  editCommand,
  deleteCommand,
  labelCommand,
  annotateCommand,
  scaleCommand,
  rolloutCommand,
  logsCommand,
  execCommand,
  cpCommand,
  portForwardCommand,
  proxyCommand,
  authCommand,
  waitCommand,
  cordonCommand,
  uncordonCommand,
  drainCommand,
  topCommand,
  traceCommand,
  apiResourcesCommand,
  clusterInfoCommand,
  versionCommand,
  configCommand,
  completionCommand,
  hiddenCompleteCommand,
];

const word = (c: KcCommand): string => c.command.split(' ')[0]!;
completionTree.commands = commands.filter((c) => c.describe).map(word);
for (const c of commands) if (c.subcommands) completionTree.subcommands[word(c)] = c.subcommands.map(word);
