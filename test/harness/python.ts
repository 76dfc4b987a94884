// Runs small scripts with the official Python client (Debian's python3-kubernetes, installed by
// scripts/ensure-deps) against a kubeconfig: each script prints one JSON line, the test reads it.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RestConfig } from '../../client/rest.js';
import { kubeconfigFor } from './kubectl.js';

export const PYTHON = '/usr/bin/python3';

// Loads the kubeconfig and defines `out(obj)`, which prints the script's JSON answer.
const PRELUDE = `
import json, os, sys, threading, time
from kubernetes import client, config, watch
from kubernetes.client.rest import ApiException
config.load_kube_config(config_file=os.environ['KUBECONFIG'])
v1 = client.CoreV1Api()
def out(o):
    print(json.dumps(o))
`;

/** A runner for `target`: `py(name, body)` runs PRELUDE + body and returns its last JSON line. */
export function pythonClientFor(target: RestConfig) {
  const dir = mkdtempSync(join(tmpdir(), 'tskube-pyclient-'));
  const kubeconfig = kubeconfigFor(target, dir);
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the script's JSON, checked by the test
  return async function py(name: string, body: string, timeoutMs = 30_000): Promise<any> {
    const file = join(dir, `${name}.py`);
    writeFileSync(file, PRELUDE + body);
    const { code, stdout, stderr } = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve, reject) => {
      const p = spawn(PYTHON, [file], { env: { ...process.env, KUBECONFIG: kubeconfig, HOME: dir }, stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      p.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      const t = setTimeout(() => p.kill('SIGKILL'), timeoutMs);
      p.on('error', reject);
      p.on('close', (c) => {
        clearTimeout(t);
        resolve({ code: c ?? -1, stdout, stderr });
      });
    });
    assert.equal(code, 0, `${name}.py failed (${code}):\n${stderr}\n${stdout}`);
    const lines = stdout.trim().split('\n');
    return JSON.parse(lines[lines.length - 1]!);
  };
}
