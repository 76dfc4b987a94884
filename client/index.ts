// The client library every component builds on (this project's client-go).
export {
  RestClient,
  ResourceClient,
  resolveRef,
  type RestConfig,
  type ResourceRef,
  type PatchType,
  type ListOptions,
  type WatchOptions,
  type WriteOptions,
  type PatchOptions,
  type DeleteOptions,
  type LogOptions,
  type WatchEventOf,
  type WatchStream,
} from './rest.js';
export type { ObjectLike, ListOf, ResourceTypes, ResourceName } from './typed.js';
export {
  statusErrorFromResponse,
  statusErrorFromStatus,
  isNotFound,
  isAlreadyExists,
  isConflict,
  isInvalid,
  isResourceExpired,
  isTooManyRequests,
  isOutcomeUnknown,
} from './errors.js';
export {
  loadKubeconfig,
  parseKubeconfig,
  mergeKubeconfigs,
  resolveKubeconfig,
  kubeconfigPaths,
  inClusterConfig,
  type Kubeconfig,
  type KubeconfigOverrides,
  type LoadedConfig,
} from './kubeconfig.js';
export { Reflector, listWatchFor, type ListerWatcher, type ReflectorSink, type ReflectorOptions, type Selectors } from './reflector.js';
export {
  Store,
  deepFreeze,
  splitKey,
  metaNamespaceKey,
  namespaceIndexFunc,
  nodeNameIndexFunc,
  ownerUidIndexFunc,
  NAMESPACE_INDEX,
  NODE_NAME_INDEX,
  OWNER_UID_INDEX,
  type Lister,
  type IndexFunc,
  type Indexers,
} from './store.js';
export {
  SharedInformer,
  isTombstone,
  deletedObject,
  type DeletedFinalStateUnknown,
  type ResourceEventHandler,
  type HandlerRegistration,
  type InformerOptions,
} from './informer.js';
export { SharedInformerFactory, type InformerFactoryOptions, type InformerRequest } from './informer-factory.js';
export {
  WorkQueue,
  runWorkers,
  defaultControllerRateLimiter,
  ItemExponentialRateLimiter,
  BucketRateLimiter,
  MaxOfRateLimiter,
  type RateLimiter,
  type ReconcileResult,
  type RunWorkersOptions,
} from './workqueue.js';
export { LeaderElector, type LeaderElectionConfig, type LeaderCallbacks } from './leader-election.js';
export { campaignForLease, type Campaign, type CampaignOptions, type LeaderElectionOptions } from './leader-campaign.js';
export { EventRecorder, toReference, type EventType, type EventRecorderOptions } from './events.js';
export { TokenBucket, sleep } from './token-bucket.js';
export { Backoff, type BackoffOptions } from './backoff.js';
export { JsonStreamDecoder } from './watch-decoder.js';
export { defaultLogger, type Logger } from './log.js';
