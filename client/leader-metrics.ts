// leader_election_master_status (k8s component-base/metrics/prometheus/clientgo/leaderelection):
// a gauge per lease name, 1 while this process leads, 0 otherwise. Monitoring reads which
// scheduler / controller-manager is the active one from it.
import { Gauge, type Registry } from 'prom-client';

const NAME = 'leader_election_master_status';

export interface LeaderMetrics {
  leaderOn(lease: string): void;
  leaderOff(lease: string): void;
}

/** The gauge on `registry` (made once per registry; campaigns after a lost lease share it). */
export function leaderMetrics(registry: Registry): LeaderMetrics {
  const gauge =
    (registry.getSingleMetric(NAME) as Gauge<'name'> | undefined) ??
    new Gauge({
      name: NAME,
      help: 'Gauge of if the reporting system is master of the relevant lease, 0 indicates backup, 1 indicates master. \'name\' is the string used to identify the lease. Please make sure to group by name.',
      labelNames: ['name'],
      registers: [registry],
    });
  return {
    leaderOn: (lease) => gauge.set({ name: lease }, 1),
    leaderOff: (lease) => gauge.set({ name: lease }, 0),
  };
}
