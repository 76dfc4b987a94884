// The shape every controller in the controller-manager has, as upstream's controllers are
// structs built by a New…Controller and then Run: a class whose constructor takes the
// ControllerContext, takes its informers from the shared factory and registers its event
// handlers (so every handler is in place before the manager starts the factory), and whose
// `run(signal)` waits for the caches and works until the signal aborts. Its state (informers,
// queues, expectations, typed flag values) is fields. The class declares the flags it reads
// (`static readonly flags`, see options.ts) and its `--controllers` name (`controllerName`:
// `replicaset`, `deployment`, `endpointslice`, …, as kube-controller-manager names them).
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { EventRecorder, RestClient, SharedInformerFactory } from '../client/index.js';
import type { FlagDeclarations, RawFlagValues } from './options.js';

export interface ControllerContext {
  client: RestClient;
  /** Shared by all controllers: one list-watch per resource. Started after every controller was constructed. */
  factory: SharedInformerFactory;
  /** An EventRecorder whose source.component is the given controller name. */
  recorder(component: string): EventRecorder;
  log: Logger;
  registry: Registry;
  /** Raw flag values by flag name; read them typed with `controllerFlags(ctx, MyController.flags)`. */
  options: RawFlagValues;
}

export interface Controller {
  readonly name: string;
  /** Waits for cache sync, then works until `signal` aborts; handlers were registered by the constructor. */
  run(signal: AbortSignal): Promise<void>;
}

/** A controller class as the manager's table holds it. */
export interface ControllerClass {
  /** The `--controllers` name. */
  readonly controllerName: string;
  /** The flags this controller reads (flag name → type, default, help). */
  readonly flags: FlagDeclarations;
  /** Why the controller does not run with these flags (e.g. no --service-account-private-key-file); undefined = it runs. */
  disabledReason?(ctx: ControllerContext): string | undefined;
  new (ctx: ControllerContext): Controller;
}
