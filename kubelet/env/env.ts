// A container's environment as the kubelet builds it (kubelet_pods.go makeEnvironmentVariables):
// envFrom sources first, then `env` in order, each literal value expanded with `$(VAR)`
// against what is defined so far (and the Service variables); then the Service variables the
// pod did not set itself; then command and args expanded against the result. A
// missing ConfigMap/Secret (or key) that is not optional is a CreateContainerConfigError. Pure.
import type { ConfigMap, Container, Pod, Secret } from 'kubernetes-types/core/v1';
import { fieldRefValue, resourceFieldValue, type DownwardContext } from './downward.js';

export interface EnvSources extends DownwardContext {
  configMap(namespace: string, name: string): ConfigMap | undefined;
  secret(namespace: string, name: string): Secret | undefined;
  /** The pod's Service variables (service-env.ts); none when absent. */
  serviceEnv?(pod: Pod): EnvVar[];
}

/** Why a container cannot be configured: becomes waiting.reason CreateContainerConfigError. */
export class ContainerConfigError extends Error {}

export interface EnvVar {
  key: string;
  value: string;
}

/** `$(VAR)` → value, `$$` → `$`; unknown references stay as written (k8s expansion rules). */
export function expand(input: string, lookup: (name: string) => string | undefined): string {
  let out = '';
  let i = 0;
  while (i < input.length) {
    const c = input[i];
    if (c !== '$' || i + 1 >= input.length) {
      out += c;
      i++;
      continue;
    }
    const n = input[i + 1];
    if (n === '$') {
      out += '$';
      i += 2;
    } else if (n === '(') {
      const close = input.indexOf(')', i + 2);
      if (close < 0) {
        out += input.slice(i);
        break;
      }
      const name = input.slice(i + 2, close);
      out += lookup(name) ?? `$(${name})`;
      i = close + 1;
    } else {
      out += c + n;
      i += 2;
    }
  }
  return out;
}

function decodeSecret(s: Secret, key: string): string | undefined {
  const b64 = s.data?.[key];
  if (b64 !== undefined) return Buffer.from(b64, 'base64').toString('utf8');
  return s.stringData?.[key];
}

function secretKeys(s: Secret): string[] {
  return [...new Set([...Object.keys(s.data ?? {}), ...Object.keys(s.stringData ?? {})])];
}

/** Env var names k8s accepts from envFrom (C identifiers, plus '-' and '.'); others are skipped. */
const ENV_NAME = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;

export function makeEnvironment(pod: Pod, container: Container, src: EnvSources): EnvVar[] {
  const ns = pod.metadata?.namespace ?? 'default';
  const env = new Map<string, string>();
  // Service variables may be referenced by $(VAR) and come last, unless the pod sets them.
  const services = new Map((src.serviceEnv?.(pod) ?? []).map((e) => [e.key, e.value]));
  for (const from of container.envFrom ?? []) {
    const prefix = from.prefix ?? '';
    if (from.configMapRef) {
      const name = from.configMapRef.name ?? '';
      const cm = src.configMap(ns, name);
      if (!cm) {
        if (from.configMapRef.optional) continue;
        throw new ContainerConfigError(`configmap "${name}" not found`);
      }
      for (const [k, v] of Object.entries(cm.data ?? {})) if (ENV_NAME.test(prefix + k)) env.set(prefix + k, v);
    } else if (from.secretRef) {
      const name = from.secretRef.name ?? '';
      const s = src.secret(ns, name);
      if (!s) {
        if (from.secretRef.optional) continue;
        throw new ContainerConfigError(`secret "${name}" not found`);
      }
      for (const k of secretKeys(s)) if (ENV_NAME.test(prefix + k)) env.set(prefix + k, decodeSecret(s, k) ?? '');
    }
  }
  for (const e of container.env ?? []) {
    let value: string | undefined;
    if (e.value !== undefined && e.value !== '') {
      value = expand(e.value, (n) => env.get(n) ?? services.get(n));
    } else if (e.valueFrom) {
      value = valueFrom(pod, container, e.valueFrom, ns, src);
      if (value === undefined) continue;
    } else {
      value = '';
    }
    env.set(e.name, value);
  }
  for (const [k, v] of services) if (!env.has(k)) env.set(k, v);
  return [...env].map(([key, value]) => ({ key, value }));
}

function valueFrom(pod: Pod, container: Container, from: NonNullable<NonNullable<Container['env']>[number]['valueFrom']>, ns: string, src: EnvSources): string | undefined {
  if (from.fieldRef) return fieldRefValue(pod, from.fieldRef, src);
  if (from.resourceFieldRef) return resourceFieldValue(pod, from.resourceFieldRef, src, container);
  if (from.configMapKeyRef) {
    const { name = '', key, optional } = from.configMapKeyRef;
    const cm = src.configMap(ns, name);
    if (!cm) {
      if (optional) return undefined;
      throw new ContainerConfigError(`configmap "${name}" not found`);
    }
    const v = cm.data?.[key] ?? (cm.binaryData?.[key] !== undefined ? Buffer.from(cm.binaryData[key], 'base64').toString('utf8') : undefined);
    if (v === undefined) {
      if (optional) return undefined;
      throw new ContainerConfigError(`couldn't find key ${key} in ConfigMap ${ns}/${name}`);
    }
    return v;
  }
  if (from.secretKeyRef) {
    const { name = '', key, optional } = from.secretKeyRef;
    const s = src.secret(ns, name);
    if (!s) {
      if (optional) return undefined;
      throw new ContainerConfigError(`secret "${name}" not found`);
    }
    const v = decodeSecret(s, key);
    if (v === undefined) {
      if (optional) return undefined;
      throw new ContainerConfigError(`couldn't find key ${key} in Secret ${ns}/${name}`);
    }
    return v;
  }
  return undefined;
}

/** command and args with `$(VAR)` expanded against the container's environment. */
export function expandCommand(container: Container, env: EnvVar[]): { command?: string[]; args?: string[] } {
  const map = new Map(env.map((e) => [e.key, e.value]));
  const lookup = (n: string): string | undefined => map.get(n);
  return {
    ...(container.command ? { command: container.command.map((s) => expand(s, lookup)) } : {}),
    ...(container.args ? { args: container.args.map((s) => expand(s, lookup)) } : {}),
  };
}

/** Names of the ConfigMaps and Secrets a pod reads (env, envFrom, volumes): what to watch. */
export function referencedObjects(pod: Pod): { configMaps: Set<string>; secrets: Set<string> } {
  const configMaps = new Set<string>();
  const secrets = new Set<string>();
  const spec = pod.spec;
  for (const c of [...(spec?.initContainers ?? []), ...(spec?.containers ?? [])]) {
    for (const f of c.envFrom ?? []) {
      if (f.configMapRef?.name) configMaps.add(f.configMapRef.name);
      if (f.secretRef?.name) secrets.add(f.secretRef.name);
    }
    for (const e of c.env ?? []) {
      if (e.valueFrom?.configMapKeyRef?.name) configMaps.add(e.valueFrom.configMapKeyRef.name);
      if (e.valueFrom?.secretKeyRef?.name) secrets.add(e.valueFrom.secretKeyRef.name);
    }
  }
  for (const v of spec?.volumes ?? []) {
    if (v.configMap?.name) configMaps.add(v.configMap.name);
    if (v.secret?.secretName) secrets.add(v.secret.secretName);
    for (const s of v.projected?.sources ?? []) {
      if (s.configMap?.name) configMaps.add(s.configMap.name);
      if (s.secret?.name) secrets.add(s.secret.name);
    }
  }
  return { configMaps, secrets };
}
