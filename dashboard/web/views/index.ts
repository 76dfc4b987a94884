// The routes: #/<view>.
import type { FunctionComponent } from 'preact';
import { Config } from './config.js';
import { Events } from './events.js';
import { Namespaces } from './namespaces.js';
import { Overview } from './overview.js';
import { Pods } from './pods.js';
import { Services } from './services.js';
import { Storage } from './storage.js';
import { Workloads } from './workloads.js';

export const VIEWS: Record<string, FunctionComponent<{ args: string[] }>> = {
  overview: Overview, workloads: Workloads, pods: Pods, services: Services,
  config: Config, storage: Storage, namespaces: Namespaces, events: Events,
};
