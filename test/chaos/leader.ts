// Which process leads: the Lease's holderIdentity, mapped to a process name by each
// candidate's /metrics (leader_election_master_status{name=…} 1, as Kubernetes exposes), else
// by the candidate's log line that names its identity, else the only candidate.
import type { Lease } from 'kubernetes-types/coordination/v1';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Agent } from 'undici';
import type { RestClient } from '../../client/index.js';
import { adminGet } from './clients.js';

export interface Candidate {
  name: string;
  metricsURL: string;
}

export async function leaseHolder(client: RestClient, lease: string): Promise<{ holder: string; renewMs: number } | undefined> {
  const l = await client.resource<Lease>('leases.coordination.k8s.io', 'kube-system').get(lease);
  const holder = l.spec?.holderIdentity;
  return holder ? { holder, renewMs: Date.parse(l.spec?.renewTime ?? '') } : undefined;
}

/** `leader_election_master_status{name="kube-scheduler"} 1` → true. */
export function metricsSayLeader(text: string, lease: string): boolean | undefined {
  const re = new RegExp(`^leader_election_master_status\\{[^}]*name="${lease}"[^}]*\\}\\s+(\\d+)`, 'm');
  const m = re.exec(text);
  return m ? m[1] === '1' : undefined;
}

export async function leaderProcess(client: RestClient, agent: Agent, state: string, lease: string, candidates: Candidate[]): Promise<string | undefined> {
  const h = await leaseHolder(client, lease);
  if (!h) return undefined;
  const byMetrics: string[] = [];
  for (const c of candidates) {
    const [code, body] = await adminGet(agent, c.metricsURL);
    if (code === 200 && metricsSayLeader(body, lease)) byMetrics.push(c.name);
  }
  if (byMetrics.length === 1) return byMetrics[0];
  for (const c of candidates) {
    const log = join(state, 'logs', `${c.name}.log`);
    // The newest start of the process wins: its log may hold earlier incarnations' identities.
    if (existsSync(log) && lastIdentity(readFileSync(log, 'utf8')) === h.holder) return c.name;
  }
  return candidates.length === 1 ? candidates[0]!.name : undefined;
}

/** The identity of the last "identity":"…" a daemon logged (its current incarnation). */
export function lastIdentity(log: string): string | undefined {
  const all = [...log.matchAll(/"identity":"([^"]+)"/g)];
  return all.length ? all[all.length - 1]![1] : undefined;
}
