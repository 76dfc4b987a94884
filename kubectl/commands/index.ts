// Every kc command, in the order `kc --help` lists them.
import type { KcCommand } from '../command.js';
import { getCommand } from './get.js';

export const commands: KcCommand[] = [getCommand];
