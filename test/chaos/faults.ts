// The faults: each one breaks something and hands back how to undo it. `victims` are the
// processes the fault itself kills or stops: the only ones allowed to exit meanwhile.
import type { Agent } from 'undici';
import type { RestClient } from '../../client/index.js';
import { sleep } from './clients.js';
import { leaderProcess, leaseHolder } from './leader.js';
import type { FaultName, PlannedFault } from './plan.js';
import { partition, pendingUndos, restartDockerd, runUp, signal, waitGone } from './processes.js';
import type { Topology } from './topology.js';

export interface FaultContext {
  topology: Topology;
  /** scripts/up's environment (ports, TSKUBE_STATE) for restarts. */
  env: NodeJS.ProcessEnv;
  client: RestClient;
  agent: Agent;
  /** How long a client waits for an answer; a pause lasts longer than this. */
  clientTimeoutMs: number;
}

export interface Injected {
  victims: string[];
  /** Held for this long (or, for leader kills, until a standby leads) before `restore`. */
  hold: () => Promise<void>;
  restore: () => Promise<void>;
  /** What the fault actually hit, for the report (e.g. the leader's process). */
  detail: string;
}

const LEASES: Partial<Record<FaultName, { lease: string; kind: 'schedulers' | 'controllerManagers' }>> = {
  'scheduler-leader-kill': { lease: 'kube-scheduler', kind: 'schedulers' },
  'controller-manager-leader-kill': { lease: 'kube-controller-manager', kind: 'controllerManagers' },
};

const KILL_HOLD_MS = 3000;

async function kill9(ctx: FaultContext, names: string[]): Promise<void> {
  const pids = names.map((n) => signal(ctx.topology.state, n, 'SIGKILL'));
  await Promise.all(pids.map((p) => waitGone(p)));
}

function killAndRestart(ctx: FaultContext, names: string[], holdMs = KILL_HOLD_MS): Promise<Injected> {
  return kill9(ctx, names).then(() => ({
    victims: names,
    hold: () => sleep(holdMs),
    restore: async () => void (await runUp(ctx.env)),
    detail: `kill -9 ${names.join(', ')}`,
  }));
}

async function killLeader(ctx: FaultContext, fault: FaultName): Promise<Injected> {
  const { lease, kind } = LEASES[fault]!;
  const candidates = ctx.topology[kind];
  const name = await leaderProcess(ctx.client, ctx.agent, ctx.topology.state, lease, candidates);
  if (!name) throw new Error(`cannot tell which process holds Lease kube-system/${lease}`);
  const before = await leaseHolder(ctx.client, lease);
  await kill9(ctx, [name]);
  return {
    victims: [name],
    // With a standby, wait for it to take the Lease over (within the lease duration) before
    // the killed one is started again; alone, there is nobody to take over.
    hold: async () => {
      if (candidates.length < 2) return sleep(KILL_HOLD_MS);
      const deadline = Date.now() + 40_000;
      while (Date.now() < deadline) {
        const h = await leaseHolder(ctx.client, lease).catch(() => undefined);
        if (h && h.holder !== before?.holder) return;
        await sleep(200);
      }
    },
    restore: async () => void (await runUp(ctx.env)),
    detail: `kill -9 ${name} (holder ${before?.holder ?? '?'})`,
  };
}

export async function inject(ctx: FaultContext, step: PlannedFault): Promise<Injected> {
  const t = ctx.topology;
  switch (step.fault) {
    case 'apiserver-kill':
    case 'etcd-member-kill':
    case 'kubelet-kill':
    case 'kube-proxy-kill':
      return killAndRestart(ctx, step.targets);
    case 'etcd-quorum-loss':
      return killAndRestart(ctx, step.targets, 5000);
    case 'scheduler-leader-kill':
    case 'controller-manager-leader-kill':
      return killLeader(ctx, step.fault);
    case 'apiserver-pause': {
      const [name] = step.targets;
      const pid = signal(t.state, name!, 'SIGSTOP');
      const cont = (): void => void process.kill(pid, 'SIGCONT');
      pendingUndos.add(cont);
      return {
        victims: [],
        hold: () => sleep(ctx.clientTimeoutMs + 3000),
        restore: async () => {
          pendingUndos.delete(cont);
          cont();
        },
        detail: `SIGSTOP ${name} for ${(ctx.clientTimeoutMs + 3000) / 1000} s`,
      };
    }
    case 'kubelet-partition': {
      const k = t.kubelets.find((x) => x.name === step.targets[0])!;
      const port = Number(new URL(t.server).port || 443);
      const undo = await partition(port, k.gid!);
      return { victims: [], hold: () => sleep(10_000), restore: undo, detail: `DROP ${k.name} (gid ${k.gid}) → 127.0.0.1:${port} for 10 s` };
    }
    case 'dockerd-restart': {
      await restartDockerd();
      return { victims: [], hold: async () => undefined, restore: async () => undefined, detail: 'dockerd SIGTERM, started again' };
    }
  }
}
