// What a daemon with `--leader-elect` does (kube-scheduler, kube-controller-manager): campaign
// for its Lease, work while leading, and after losing the lease (not on stop) either hand over
// to `onLeadershipLost` (the real daemons exit) or campaign again.
import type { Registry } from 'prom-client';
import { LeaderElector } from './leader-election.js';
import { leaderMetrics } from './leader-metrics.js';
import type { Logger } from './log.js';
import type { RestClient } from './rest.js';

/** The `leaderElection` options both daemons accept. */
export interface LeaderElectionOptions {
  namespace?: string;
  name?: string;
  identity?: string;
  leaseDurationMs?: number;
  renewDeadlineMs?: number;
  retryPeriodMs?: number;
}

export interface CampaignOptions {
  client: RestClient;
  /** Lease `kube-system/<defaultName>` unless `leaderElection` says otherwise. */
  defaultName: string;
  identity: string;
  leaderElection?: LeaderElectionOptions;
  logger: Logger;
  /** Aborted when the daemon stops: no new campaign then. */
  stopped: AbortSignal;
  /** Start working; `signal` aborts when leadership ends. */
  onStartedLeading(signal: AbortSignal): void | Promise<void>;
  onLeadershipLost?: () => void;
  /** Where `leader_election_master_status{name=<lease>}` is kept (the daemon's /metrics). */
  registry?: Registry;
}

export interface Campaign {
  isLeader(): boolean;
  /** Stops campaigning and releases the lease if held. */
  stop(): Promise<void>;
}

export function campaignForLease(opts: CampaignOptions): Campaign {
  const le = opts.leaderElection ?? {};
  let leading = false;
  let elector: LeaderElector | undefined;
  const leaseName = le.name ?? opts.defaultName;
  const metrics = opts.registry ? leaderMetrics(opts.registry) : undefined;
  // A candidate that does not lead reports 0 from the start (as client-go's does once it campaigns).
  metrics?.leaderOff(leaseName);
  const campaign = (): void => {
    elector = new LeaderElector({
      client: opts.client,
      namespace: le.namespace ?? 'kube-system',
      name: leaseName,
      identity: opts.identity,
      leaseDurationMs: le.leaseDurationMs,
      renewDeadlineMs: le.renewDeadlineMs,
      retryPeriodMs: le.retryPeriodMs,
      logger: opts.logger,
      callbacks: {
        onStartedLeading: (signal) => {
          leading = true;
          metrics?.leaderOn(leaseName);
          return opts.onStartedLeading(signal);
        },
        onStoppedLeading: () => {
          leading = false;
          metrics?.leaderOff(leaseName);
          if (opts.stopped.aborted) return;
          opts.logger.error({ identity: opts.identity }, 'leader election lost');
          if (opts.onLeadershipLost) opts.onLeadershipLost();
          else setImmediate(() => opts.stopped.aborted || campaign());
        },
      },
    });
    void elector.run();
  };
  campaign();
  return {
    isLeader: () => leading,
    stop: async () => {
      await elector?.stop();
    },
  };
}
