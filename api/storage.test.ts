import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { StorageClass } from 'kubernetes-types/storage/v1';
import { defaultStorageClass } from './storage.js';

const sc = (name: string, created: string, isDefault: boolean, beta = false): StorageClass => ({
  metadata: {
    name,
    creationTimestamp: created,
    annotations: { [beta ? 'storageclass.beta.kubernetes.io/is-default-class' : 'storageclass.kubernetes.io/is-default-class']: isDefault ? 'true' : 'false' },
  },
  provisioner: 'x',
});

test('GetDefaultClass: the newest default wins, ties by name; none without a default', () => {
  assert.equal(defaultStorageClass([sc('a', '2026-01-01T00:00:00Z', false)]), undefined);
  assert.equal(defaultStorageClass([sc('old', '2026-01-01T00:00:00Z', true), sc('new', '2026-02-01T00:00:00Z', true, true), sc('not', '2026-03-01T00:00:00Z', false)])?.metadata?.name, 'new');
  assert.equal(defaultStorageClass([sc('b', '2026-01-01T00:00:00Z', true), sc('a', '2026-01-01T00:00:00Z', true)])?.metadata?.name, 'a');
});
