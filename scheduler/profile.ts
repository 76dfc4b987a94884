// Scheduling profiles (KubeSchedulerProfile): a scheduler name and the plugins that run for
// pods naming it in spec.schedulerName. Plugins are enabled once ("multiPoint") and run at
// every extension point they implement, in the listed order; score weights are k8s' defaults.
export const DEFAULT_SCHEDULER_NAME = 'default-scheduler';

export interface ProfileConfig {
  schedulerName: string;
  /** Enabled plugins in order (Filter order matters: cheap and decisive first). */
  plugins: readonly string[];
  /** Score weight per plugin (default 1). */
  scoreWeights?: Readonly<Record<string, number>>;
  /** Per-plugin arguments handed to the factory. */
  pluginConfig?: Readonly<Record<string, unknown>>;
  /** 0 = k8s' adaptive default (50% at 100 nodes, down to 5%, at least 100 nodes). */
  percentageOfNodesToScore?: number;
}

export const DEFAULT_PROFILE: ProfileConfig = Object.freeze({
  schedulerName: DEFAULT_SCHEDULER_NAME,
  plugins: [
    'NodeUnschedulable',
    'NodeName',
    'TaintToleration',
    'NodeReady',
    'NodeAffinity',
    'NodePorts',
    'NodeResourcesFit',
    'VolumeBinding',
    'PodTopologySpread',
    'NodeResourcesBalancedAllocation',
    'DefaultPreemption',
    'DefaultBinder',
  ],
  scoreWeights: {
    TaintToleration: 3,
    NodeAffinity: 2,
    PodTopologySpread: 2,
    NodeResourcesFit: 1,
    NodeResourcesBalancedAllocation: 1,
  },
});

/** The default profile under another scheduler name (for a second scheduler in one cluster). */
export function defaultProfileNamed(schedulerName: string): ProfileConfig {
  return { ...DEFAULT_PROFILE, schedulerName };
}
