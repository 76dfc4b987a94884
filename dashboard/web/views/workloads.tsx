// Workloads: Deployments, ReplicaSets, ReplicationControllers, DaemonSets, StatefulSets, Jobs
// and CronJobs, each with its rollout progress and the actions its kind supports.
import type { JSX } from 'preact';
import type { KObject } from '../live.js';
import { useNsList } from '../hooks.js';
import { ListError } from '../widgets/table.js';
import { WorkloadTable } from './workload-table.js';
import { WORKLOAD_KINDS, type WorkloadKind } from './workload-kinds.js';

function Section(props: { wk: WorkloadKind }): JSX.Element {
  const { wk } = props;
  const list = useNsList<KObject>(wk.prefix, wk.resource);
  return (
    <section data-testid={`section-${wk.resource}`}>
      <h2>{wk.title} <span class="count">{list.items.length}</span></h2>
      <ListError error={list.error} note={list.note} />
      <WorkloadTable wk={wk} items={list.items} loaded={list.loaded} showNs={!list.ns} />
    </section>
  );
}

export function Workloads(): JSX.Element {
  return (
    <div>
      <h1>Workloads</h1>
      {WORKLOAD_KINDS.map((wk) => <Section key={wk.kind} wk={wk} />)}
    </div>
  );
}
