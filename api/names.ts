// metadata.generateName → a name (k8s' names.SimpleNameGenerator): shared by the apiserver,
// which names objects created with generateName, and the workload controllers, which name
// their pods themselves so a create can be resent (controller-manager/controller/pod-control.ts).
import { randomBytes } from 'node:crypto';

/** k8s' alphabet for generated names: no vowels and no look-alikes, so no words. */
const NAME_CHARS = 'bcdfghjklmnpqrstvwxz2456789';

/** generateName + 5 random characters; the base cut to 58 so the name fits 63. */
export function generatedName(base: string): string {
  const bytes = randomBytes(5);
  let s = '';
  for (const b of bytes) s += NAME_CHARS[b % NAME_CHARS.length];
  return base.slice(0, 58) + s;
}
