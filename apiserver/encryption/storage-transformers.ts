// From an EncryptionConfiguration to the transformer of each etcd key, as the kube-apiserver's
// storage factory does: a resource takes the providers of its own entry, else of `*.<group>`,
// else of `*.*`, else none (stored as is). Lookups are by the resource's storage prefix, so
// the store pays one or two Map lookups per value, and nothing at all without a config.
import { storedResources, storagePrefix, type ResourceInfo } from '../../api/resources.js';
import { aesKeyTransformers } from './aes.js';
import { decodeBase64Strict, groupResourceString, loadEncryptionConfiguration, parseGroupResource, type EncryptionConfiguration, type ResourceConfiguration } from './config.js';
import { IdentityTransformer, PrefixTransformers, ResourceTransformer, type KeyTransformers, type PrefixTransformer, type ValueTransformer } from './transformer.js';

/** The stored-value prefixes of the providers (the key name and `:` follow for aes). */
export const AESCBC_PREFIX = 'k8s:enc:aescbc:v1:';
export const AESGCM_PREFIX = 'k8s:enc:aesgcm:v1:';

/** One entry's providers, in order, each under its prefix (identity: the empty prefix). */
function providerTransformers(entry: ResourceConfiguration): PrefixTransformer[] {
  return entry.providers.map((p): PrefixTransformer => {
    if ('aescbc' in p || 'aesgcm' in p) {
      const mode = 'aescbc' in p ? 'aescbc' : 'aesgcm';
      const keys = ('aescbc' in p ? p.aescbc : p.aesgcm).keys.map((k) => ({ name: k.name, secret: decodeBase64Strict(k.secret)! }));
      return { prefix: Buffer.from(mode === 'aescbc' ? AESCBC_PREFIX : AESGCM_PREFIX), transformer: aesKeyTransformers(mode, keys) };
    }
    return { prefix: Buffer.alloc(0), transformer: new IdentityTransformer() };
  });
}

/**
 * Group resource (as `groupResourceString` writes it) → its transformer. A resource named in
 * several entries reads with all their providers, the first entry's first provider writing.
 */
export function resourceTransformers(config: EncryptionConfiguration): Map<string, ValueTransformer> {
  const lists = new Map<string, PrefixTransformer[]>();
  for (const entry of config.resources) {
    const providers = providerTransformers(entry);
    for (const name of entry.resources) {
      const gr = groupResourceString(parseGroupResource(name));
      lists.set(gr, [...(lists.get(gr) ?? []), ...providers]);
    }
  }
  const out = new Map<string, ValueTransformer>();
  for (const [gr, list] of lists) out.set(gr, new ResourceTransformer(new PrefixTransformers(list, 'no matching prefix found')));
  return out;
}

/** The transformer of a served resource: exact, then `*.<group>`, then `*.*`. */
export function transformerFor(byResource: Map<string, ValueTransformer>, info: Pick<ResourceInfo, 'group' | 'resource'>): ValueTransformer | undefined {
  return (
    byResource.get(groupResourceString(info)) ??
    byResource.get(groupResourceString({ group: info.group, resource: '*' })) ??
    byResource.get('*.*')
  );
}

/**
 * etcd key → transformer. Keys are `<etcdPrefix>/<resource>/…` (core) or
 * `<etcdPrefix>/<group>/<resource>/…`, so the key's first one or two segments after the
 * etcd prefix name its resource.
 */
export class StorageTransformers implements KeyTransformers {
  private readonly base: number;
  /** With a few prefixes (the usual: secrets), comparing beats slicing and hashing. */
  private readonly few: [string, ValueTransformer][] | undefined;

  constructor(
    private readonly byPrefix: ReadonlyMap<string, ValueTransformer>,
    etcdPrefix: string,
  ) {
    this.base = etcdPrefix.replace(/\/+$/, '').length;
    this.few = byPrefix.size <= 4 ? [...byPrefix] : undefined;
  }

  static forResources(config: EncryptionConfiguration, etcdPrefix: string, resources: readonly Pick<ResourceInfo, 'group' | 'resource'>[] = storedResources()): StorageTransformers {
    const byResource = resourceTransformers(config);
    const byPrefix = new Map<string, ValueTransformer>();
    for (const info of resources) {
      const t = transformerFor(byResource, info);
      if (t) byPrefix.set(storagePrefix(etcdPrefix, info), t);
    }
    return new StorageTransformers(byPrefix, etcdPrefix);
  }

  /** Storage prefixes that have a transformer (for logs and tests). */
  get prefixes(): string[] {
    return [...this.byPrefix.keys()].sort();
  }

  forKey(key: string): ValueTransformer | undefined {
    if (this.few) {
      for (const [prefix, t] of this.few) if (key.startsWith(prefix)) return t;
      return undefined;
    }
    const first = key.indexOf('/', this.base + 1);
    if (first < 0) return undefined;
    const core = this.byPrefix.get(key.slice(0, first + 1));
    if (core) return core;
    const second = key.indexOf('/', first + 1);
    return second < 0 ? undefined : this.byPrefix.get(key.slice(0, second + 1));
  }
}

/** `--encryption-provider-config`: undefined without a file; throws EncryptionConfigError. */
export function loadEncryptionTransformers(path: string | undefined, etcdPrefix: string): StorageTransformers | undefined {
  if (!path) return undefined;
  return StorageTransformers.forResources(loadEncryptionConfiguration(path), etcdPrefix);
}
