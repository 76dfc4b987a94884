// Value transformers: what the apiserver does to an object's bytes between JSON and etcd
// (k8s.io/apiserver/pkg/storage/value). Synchronous on purpose: the watch cache decodes every
// event on its hot path, and node:crypto's AES is synchronous anyway.

/** Turns stored bytes into the object's bytes and back. `key` is the etcd key of the value. */
export interface ValueTransformer {
  toStorage(data: Buffer, key: string): Buffer;
  /** `stale`: the value was not written with the current write provider/key; rewrite it. */
  fromStorage(data: Buffer, key: string): { data: Buffer; stale: boolean };
}

/** Picks the transformer of an etcd key (undefined: the value is stored as is). */
export interface KeyTransformers {
  forKey(key: string): ValueTransformer | undefined;
}

/** Every encrypted value starts with this (and identity refuses to read such a value). */
export const ENCRYPTED_PREFIX = 'k8s:enc:';
const ENCRYPTED = Buffer.from(ENCRYPTED_PREFIX);

export class TransformError extends Error {}

export function hasPrefix(data: Buffer, prefix: Buffer): boolean {
  return data.length >= prefix.length && data.compare(prefix, 0, prefix.length, 0, prefix.length) === 0;
}

/**
 * The provider/key prefix a stored value carries (`k8s:enc:aescbc:v1:key1:`), for error
 * messages: the first five `:`-separated fields, printable ASCII only, bounded in length.
 */
export function valuePrefix(data: Buffer): string | undefined {
  if (!hasPrefix(data, ENCRYPTED)) return undefined;
  let colons = 0;
  const end = Math.min(data.length, 128);
  for (let i = 0; i < end; i++) {
    const c = data[i]!;
    if (c < 0x20 || c > 0x7e) break;
    if (c === 0x3a && ++colons === 5) return data.toString('latin1', 0, i + 1);
  }
  return ENCRYPTED_PREFIX;
}

/** Plaintext. Reading a `k8s:enc:` value is an error, so a later provider gets to try it. */
export class IdentityTransformer implements ValueTransformer {
  toStorage(data: Buffer): Buffer {
    return data;
  }
  fromStorage(data: Buffer): { data: Buffer; stale: boolean } {
    if (hasPrefix(data, ENCRYPTED)) throw new TransformError('identity transformer tried to read encrypted data');
    return { data, stale: false };
  }
}

export interface PrefixTransformer {
  prefix: Buffer;
  transformer: ValueTransformer;
}

/**
 * Writes with the first transformer (its prefix, then its output); reads with each transformer
 * whose prefix the value starts with, in order, until one succeeds. Anything read by another
 * than the first is stale. As Kubernetes' prefixTransformers, a failing match does not stop
 * the search (two providers of one type may hold the new and the old key), and an empty prefix
 * (identity) that fails is not reported (it only says "this is encrypted").
 */
export class PrefixTransformers implements ValueTransformer {
  constructor(
    private readonly transformers: readonly PrefixTransformer[],
    private readonly noMatch: string,
  ) {
    if (transformers.length === 0) throw new Error('PrefixTransformers needs at least one transformer');
  }

  toStorage(data: Buffer, key: string): Buffer {
    const first = this.transformers[0]!;
    const out = first.transformer.toStorage(data, key);
    return first.prefix.length === 0 ? out : Buffer.concat([first.prefix, out]);
  }

  fromStorage(data: Buffer, key: string): { data: Buffer; stale: boolean } {
    const errs: string[] = [];
    for (let i = 0; i < this.transformers.length; i++) {
      const { prefix, transformer } = this.transformers[i]!;
      if (!hasPrefix(data, prefix)) continue;
      try {
        const res = transformer.fromStorage(prefix.length ? data.subarray(prefix.length) : data, key);
        return i === 0 ? res : { data: res.data, stale: true };
      } catch (e) {
        if (prefix.length) errs.push(e instanceof Error ? e.message : String(e));
      }
    }
    if (errs.length === 1) throw new TransformError(errs[0]);
    if (errs.length > 1) throw new TransformError(`[${errs.join(', ')}]`);
    throw new TransformError(this.noMatch);
  }
}

/**
 * A resource's transformer as the store sees it: errors name the value's provider/key prefix,
 * so a log line says which key is missing or wrong without showing any of the value.
 */
export class ResourceTransformer implements ValueTransformer {
  constructor(private readonly inner: ValueTransformer) {}

  toStorage(data: Buffer, key: string): Buffer {
    return this.inner.toStorage(data, key);
  }

  fromStorage(data: Buffer, key: string): { data: Buffer; stale: boolean } {
    try {
      return this.inner.fromStorage(data, key);
    } catch (e) {
      const msg = e instanceof Error ? e.message : String(e);
      const prefix = valuePrefix(data);
      throw new TransformError(
        prefix ? `${msg} (value prefix "${prefix}")` : `${msg} (the value is not encrypted and identity is not a configured provider)`,
      );
    }
  }
}
