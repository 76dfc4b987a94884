// The in-tree plugin registry: plugin name → factory (k8s plugins/registry.go). A profile
// names the plugins it enables; out-of-tree plugins are added by passing a bigger registry.
import type { Handle, Plugin } from '../framework/interface.js';
import { NAME as BALANCED_ALLOCATION, newBalancedAllocation } from './balanced-allocation.js';
import { NAME as DEFAULT_BINDER, newDefaultBinder } from './default-binder.js';
import { NAME as DEFAULT_PREEMPTION, newDefaultPreemption } from './default-preemption.js';
import { NAME as NODE_AFFINITY, newNodeAffinity } from './node-affinity.js';
import { NAME as NODE_NAME, newNodeName } from './node-name.js';
import { NAME as NODE_PORTS, newNodePorts } from './node-ports.js';
import { NAME as NODE_READY, newNodeReady } from './node-ready.js';
import { NAME as NODE_RESOURCES_FIT, newNodeResourcesFit } from './node-resources-fit.js';
import { NAME as NODE_UNSCHEDULABLE, newNodeUnschedulable } from './node-unschedulable.js';
import { NAME as POD_TOPOLOGY_SPREAD, newPodTopologySpread } from './pod-topology-spread.js';
import { NAME as TAINT_TOLERATION, newTaintToleration } from './taint-toleration.js';
import { NAME as VOLUME_BINDING, newVolumeBinding } from './volume-binding.js';

export type PluginFactory = (args: unknown, handle: Handle) => Plugin;
export type Registry = Readonly<Record<string, PluginFactory>>;

export const IN_TREE_REGISTRY: Registry = {
  [NODE_UNSCHEDULABLE]: newNodeUnschedulable,
  [NODE_NAME]: newNodeName,
  [TAINT_TOLERATION]: newTaintToleration,
  [NODE_READY]: newNodeReady,
  [NODE_AFFINITY]: newNodeAffinity,
  [NODE_PORTS]: newNodePorts,
  [NODE_RESOURCES_FIT]: newNodeResourcesFit,
  [VOLUME_BINDING]: newVolumeBinding,
  [POD_TOPOLOGY_SPREAD]: newPodTopologySpread,
  [BALANCED_ALLOCATION]: newBalancedAllocation,
  [DEFAULT_PREEMPTION]: newDefaultPreemption,
  [DEFAULT_BINDER]: newDefaultBinder,
};
