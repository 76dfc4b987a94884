// DefaultBinder: binds with `POST /api/v1/namespaces/<ns>/pods/<name>/binding`.
import { Code, newStatus, type BindPlugin, type CycleState, type Handle, type Result } from '../framework/interface.js';
import type { PodInfo } from '../framework/types.js';

export const NAME = 'DefaultBinder';

export class DefaultBinder implements BindPlugin {
  readonly name = NAME;

  constructor(private readonly handle: Handle) {}

  async bind(_state: CycleState, pod: PodInfo, nodeName: string): Promise<Result> {
    if (!this.handle.bindPod) return newStatus(Code.Error, 'no API client to bind with');
    await this.handle.bindPod(pod, nodeName);
    return undefined;
  }
}

export const newDefaultBinder = (_args: unknown, handle: Handle): DefaultBinder => new DefaultBinder(handle);
