// Every kc command, in the order `kc --help` lists them.
import type { KcCommand } from '../command.js';
import { applyCommand } from './apply.js';
import { createCommand } from './create.js';
import { deleteCommand } from './delete.js';
import { getCommand } from './get.js';
import { annotateCommand, labelCommand } from './label.js';
import { cordonCommand, drainCommand, uncordonCommand } from './node.js';
import { patchCommand } from './patch.js';
import { replaceCommand } from './replace.js';
import { scaleCommand } from './scale.js';

export const commands: KcCommand[] = [
  getCommand,
  applyCommand,
  createCommand,
  replaceCommand,
  patchCommand,
  deleteCommand,
  labelCommand,
  annotateCommand,
  scaleCommand,
  cordonCommand,
  uncordonCommand,
  drainCommand,
];
