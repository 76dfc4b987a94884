// Workloads: Deployments, ReplicaSets, ReplicationControllers, DaemonSets, StatefulSets, Jobs
// and CronJobs, each with its rollout progress. One kind at a time (tabs, #/workloads/<resource>):
// each live list holds one of the browser's six connections to the dashboard.
import type { JSX } from 'preact';
import type { KObject } from '../live.js';
import { useNsList } from '../hooks.js';
import { go } from '../ui.js';
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

export function Workloads(props: { args: string[] }): JSX.Element {
  const wk = WORKLOAD_KINDS.find((k) => k.resource === props.args[0]) ?? WORKLOAD_KINDS[0]!;
  return (
    <div>
      <h1>Workloads</h1>
      <div class="tabs">
        {WORKLOAD_KINDS.map((k) => (
          <button key={k.kind} data-testid={`tab-${k.resource}`} class={k === wk ? 'tab active' : 'tab'} onClick={() => go('workloads', k.resource)}>{k.title}</button>
        ))}
      </div>
      <Section key={wk.kind} wk={wk} />
    </div>
  );
}
