// The apiserver's --encryption-provider-config for a new cluster, made next to its PKI
// (the recipe of Kubernetes' "Encrypting Confidential Data at Rest"): Secrets are written
// with aescbc under one random 32-byte key, and `identity` comes last so Secrets stored in
// plaintext before encryption was turned on stay readable. An existing file is never
// replaced: its keys are the only way to read what is already stored in etcd.
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { stringify } from 'yaml';
import { KEY_MODE, readIfExists, writeFileAtomic } from './files.js';

/** An EncryptionConfiguration (apiserver.config.k8s.io/v1) encrypting Secrets with `secret` (32 bytes). */
export function buildEncryptionConfig(secret: Buffer): string {
  if (secret.length !== 32) throw new Error(`an aescbc key is 32 bytes here, got ${secret.length}`);
  return stringify({
    apiVersion: 'apiserver.config.k8s.io/v1',
    kind: 'EncryptionConfiguration',
    resources: [
      {
        resources: ['secrets'],
        providers: [{ aescbc: { keys: [{ name: 'key1', secret: secret.toString('base64') }] } }, { identity: {} }],
      },
    ],
  });
}

/** Writes a new configuration with a random key unless `path` exists; true when it wrote. */
export function ensureEncryptionConfig(path: string): boolean {
  if (readIfExists(path) !== undefined) return false;
  mkdirSync(dirname(path), { recursive: true });
  writeFileAtomic(path, buildEncryptionConfig(randomBytes(32)), KEY_MODE);
  return true;
}
