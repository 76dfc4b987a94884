// The admission plugins in the order they run (k8s' admission chain, --enable/--disable-admission-plugins).
import type { AdmissionPlugin } from './interfaces.js';

export interface NamedAdmissionPlugin {
  name: string;
  plugin: AdmissionPlugin;
}

/**
 * Kubernetes' order: the named plugins as given (NamespaceLifecycle first, then the security
 * plugins) less the disabled ones, then `after` (our service IP and port allocation, which
 * Kubernetes does in the Service registry, and test extras). An unknown disabled name is an error.
 */
export function admissionChain(named: NamedAdmissionPlugin[], disabled: string[], after: AdmissionPlugin[]): AdmissionPlugin[] {
  const off = new Set(disabled);
  for (const d of off) if (!named.some((n) => n.name === d)) throw new Error(`--disable-admission-plugins: unknown plugin "${d}" (known: ${named.map((n) => n.name).join(', ')})`);
  return [...named.filter((n) => !off.has(n.name)).map((n) => n.plugin), ...after];
}
