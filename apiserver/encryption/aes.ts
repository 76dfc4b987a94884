// The aescbc and aesgcm providers (k8s.io/apiserver/pkg/storage/value/encrypt/aes), on
// node:crypto. Stored layouts, after the provider and key-name prefixes:
//   aescbc: 16-byte random IV ‖ AES-CBC ciphertext with PKCS#7 padding
//   aesgcm: 12-byte random nonce ‖ ciphertext ‖ 16-byte tag; the etcd key is the additional
//           authenticated data, so a value copied under another key does not decrypt.
import { createCipheriv, createDecipheriv, randomFillSync } from 'node:crypto';
import { PrefixTransformers, TransformError, type ValueTransformer } from './transformer.js';

export const AES_KEY_SIZES = [16, 24, 32] as const;
const BLOCK = 16;
const GCM_NONCE = 12;
const GCM_TAG = 16;

function aesKey(secret: Buffer): { key: Buffer; bits: number } {
  if (!(AES_KEY_SIZES as readonly number[]).includes(secret.length)) {
    throw new Error(`AES key must be 16, 24 or 32 bytes, got ${secret.length}`);
  }
  // A raw Buffer (a private copy): node's ciphers take it faster than a KeyObject.
  return { key: Buffer.from(secret), bits: secret.length * 8 };
}

// IVs and nonces come from the CSPRNG a pool at a time: one randomBytes(16) call costs more
// than the AES of a 1 KiB value. Each slice is used once and copied out before a refill.
const pool = Buffer.alloc(4096);
let poolOffset = pool.length;
function randomIV(n: number): Buffer {
  if (poolOffset + n > pool.length) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  const iv = pool.subarray(poolOffset, poolOffset + n);
  poolOffset += n;
  return iv;
}

export class AESCBCTransformer implements ValueTransformer {
  private readonly key: Buffer;
  private readonly algorithm: string;

  constructor(secret: Buffer) {
    const { key, bits } = aesKey(secret);
    this.key = key;
    this.algorithm = `aes-${bits}-cbc`;
  }

  toStorage(data: Buffer, _key?: string): Buffer {
    const iv = randomIV(BLOCK);
    const cipher = createCipheriv(this.algorithm, this.key, iv);
    return Buffer.concat([iv, cipher.update(data), cipher.final()]);
  }

  fromStorage(data: Buffer, _key?: string): { data: Buffer; stale: boolean } {
    if (data.length < BLOCK) throw new TransformError('the stored data was shorter than the required size');
    const body = data.subarray(BLOCK);
    if (body.length === 0 || body.length % BLOCK !== 0) throw new TransformError('the stored data is not a multiple of the block size');
    const decipher = createDecipheriv(this.algorithm, this.key, data.subarray(0, BLOCK));
    try {
      return { data: Buffer.concat([decipher.update(body), decipher.final()]), stale: false };
    } catch {
      // A wrong key shows up here too: its output almost never ends in valid padding.
      throw new TransformError('invalid PKCS7 data (empty or not padded)');
    }
  }
}

export class AESGCMTransformer implements ValueTransformer {
  private readonly key: Buffer;
  private readonly algorithm: 'aes-128-gcm' | 'aes-192-gcm' | 'aes-256-gcm';

  constructor(secret: Buffer) {
    const { key, bits } = aesKey(secret);
    this.key = key;
    this.algorithm = `aes-${bits}-gcm` as typeof this.algorithm;
  }

  toStorage(data: Buffer, key: string): Buffer {
    const nonce = randomIV(GCM_NONCE);
    const cipher = createCipheriv(this.algorithm, this.key, nonce, { authTagLength: GCM_TAG });
    cipher.setAAD(Buffer.from(key));
    return Buffer.concat([nonce, cipher.update(data), cipher.final(), cipher.getAuthTag()]);
  }

  fromStorage(data: Buffer, key: string): { data: Buffer; stale: boolean } {
    if (data.length < GCM_NONCE + GCM_TAG) throw new TransformError('the stored data was shorter than the required size');
    const decipher = createDecipheriv(this.algorithm, this.key, data.subarray(0, GCM_NONCE), { authTagLength: GCM_TAG });
    decipher.setAAD(Buffer.from(key));
    decipher.setAuthTag(data.subarray(data.length - GCM_TAG));
    try {
      return { data: Buffer.concat([decipher.update(data.subarray(GCM_NONCE, data.length - GCM_TAG)), decipher.final()]), stale: false };
    } catch {
      throw new TransformError('cipher: message authentication failed');
    }
  }
}

export interface NamedKey {
  name: string;
  /** The raw key bytes (the config holds them base64-encoded). */
  secret: Buffer;
}

/**
 * One aescbc/aesgcm provider: each key under its `<name>:` prefix, the first key writing.
 * The caller puts the provider prefix (`k8s:enc:aescbc:v1:`) in front.
 */
export function aesKeyTransformers(mode: 'aescbc' | 'aesgcm', keys: readonly NamedKey[]): ValueTransformer {
  const make = mode === 'aescbc' ? (s: Buffer) => new AESCBCTransformer(s) : (s: Buffer) => new AESGCMTransformer(s);
  return new PrefixTransformers(
    keys.map((k) => ({ prefix: Buffer.from(`${k.name}:`), transformer: make(k.secret) })),
    'no matching key was found for the provided AES transformer',
  );
}
