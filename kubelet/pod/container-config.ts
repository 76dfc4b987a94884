// From a pod's container spec to the runtime's ContainerConfig (kuberuntime_container.go
// generateContainerConfig): expanded command/args, environment, mounts, resources as CFS
// shares/quota and a memory limit, and the security context (container over pod). Pure.
import { createHash } from 'node:crypto';
import type { Container, Pod } from 'kubernetes-types/core/v1';
import { parseBytes, parseCpuMilli } from '../../api/quantity.js';
import type { ContainerConfig, LinuxContainerResources, LinuxContainerSecurityContext, Mount } from '../runtime/runtime.js';
import { expandCommand, type EnvVar } from '../env/env.js';

export const LABEL_CONTAINER_HASH = 'io.kubernetes.container.hash';
/** Which list the container came from (init containers run before app containers). */
export const LABEL_CONTAINER_KIND = 'io.tskube.container.kind';

const CPU_PERIOD_US = 100_000;
const MIN_SHARES = 2;

/** A hash of the container spec: when it changes (e.g. a new image), the container is restarted. */
export function containerHash(c: Container): string {
  return createHash('sha256').update(JSON.stringify(c)).digest('hex').slice(0, 16);
}

export function linuxResources(c: Container): LinuxContainerResources {
  const limits = c.resources?.limits ?? {};
  const requests = c.resources?.requests ?? {};
  const out: LinuxContainerResources = {};
  const reqCpu = requests.cpu ?? limits.cpu;
  // k8s: shares = milliCPU * 1024 / 1000, and 2 (the kernel minimum) when nothing is requested.
  out.cpuShares = reqCpu !== undefined ? Math.max(MIN_SHARES, Math.floor((parseCpuMilli(String(reqCpu)) * 1024) / 1000)) : MIN_SHARES;
  if (limits.cpu !== undefined) {
    const milli = parseCpuMilli(String(limits.cpu));
    out.cpuPeriod = CPU_PERIOD_US;
    out.cpuQuota = Math.max(1000, Math.floor((milli * CPU_PERIOD_US) / 1000));
  }
  if (limits.memory !== undefined) out.memoryLimitInBytes = parseBytes(String(limits.memory));
  return out;
}

export function securityContext(pod: Pod, c: Container): LinuxContainerSecurityContext {
  const psc = pod.spec?.securityContext ?? {};
  const sc = c.securityContext ?? {};
  const out: LinuxContainerSecurityContext = {};
  const user = sc.runAsUser ?? psc.runAsUser;
  const group = sc.runAsGroup ?? psc.runAsGroup;
  if (user !== undefined) out.runAsUser = user;
  if (group !== undefined) out.runAsGroup = group;
  if (sc.privileged) out.privileged = true;
  if (sc.readOnlyRootFilesystem) out.readonlyRootfs = true;
  if (sc.capabilities?.add?.length || sc.capabilities?.drop?.length) {
    out.capabilities = {
      ...(sc.capabilities.add?.length ? { add: [...sc.capabilities.add] } : {}),
      ...(sc.capabilities.drop?.length ? { drop: [...sc.capabilities.drop] } : {}),
    };
  }
  return out;
}

export interface ContainerConfigInput {
  pod: Pod;
  container: Container;
  kind: 'init' | 'app';
  attempt: number;
  env: EnvVar[];
  mounts: Mount[];
}

export function buildContainerConfig(input: ContainerConfigInput): ContainerConfig {
  const { pod, container: c } = input;
  const { command, args } = expandCommand(c, input.env);
  return {
    metadata: { name: c.name, attempt: input.attempt },
    image: c.image ?? '',
    ...(command?.length ? { command } : {}),
    ...(args?.length ? { args } : {}),
    ...(c.workingDir ? { workingDir: c.workingDir } : {}),
    envs: input.env,
    mounts: input.mounts,
    labels: { [LABEL_CONTAINER_HASH]: containerHash(c), [LABEL_CONTAINER_KIND]: input.kind },
    annotations: {
      'io.kubernetes.container.terminationMessagePath': c.terminationMessagePath ?? '/dev/termination-log',
      'io.kubernetes.pod.terminationGracePeriod': String(pod.spec?.terminationGracePeriodSeconds ?? 30),
    },
    stdin: c.stdin ?? false,
    stdinOnce: c.stdinOnce ?? false,
    tty: c.tty ?? false,
    resources: linuxResources(c),
    securityContext: securityContext(pod, c),
  };
}
