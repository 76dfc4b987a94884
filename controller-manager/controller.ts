// The shape every controller in the controller-manager has: a name (the one `--controllers`
// uses, as in kube-controller-manager: `replicaset`, `deployment`, `endpointslice`, …) and a
// run loop that uses the shared informers and stops when the signal aborts.
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { EventRecorder, RestClient, SharedInformerFactory } from '../client/index.js';

export interface ControllerContext {
  client: RestClient;
  /** Shared by all controllers: one list-watch per resource. Start it after every controller registered its informers. */
  factory: SharedInformerFactory;
  /** An EventRecorder whose source.component is the given controller name. */
  recorder(component: string): EventRecorder;
  log: Logger;
  registry: Registry;
  /** Flag values, e.g. `concurrent-replicaset-syncs`, `node-monitor-grace-period`. */
  options: Readonly<Record<string, string | number | boolean | undefined>>;
}

export interface Controller {
  readonly name: string;
  /**
   * Registers informers/handlers synchronously before returning its promise's first await,
   * waits for cache sync, then works until `signal` aborts.
   */
  run(ctx: ControllerContext, signal: AbortSignal): Promise<void>;
}
