#!/usr/bin/env node
// kc: a kubectl-style CLI for tskube. `kc get pods`, `kc apply -f app.yaml`, `kc logs -f web-0`.
import { hideBin } from 'yargs/helpers';
import { runKc } from './cli.js';
import { processIO } from './io.js';

const code = await runKc(hideBin(process.argv), processIO());
// Let stdout drain before exiting (large -o yaml output into a pipe).
process.stdout.write('', () => process.exit(code));
