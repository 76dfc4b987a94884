import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { EncryptionConfigError, loadEncryptionConfiguration, parseEncryptionConfiguration } from './config.js';

const K16 = Buffer.alloc(16, 1).toString('base64');
const K32 = Buffer.alloc(32, 2).toString('base64');
const head = 'apiVersion: apiserver.config.k8s.io/v1\nkind: EncryptionConfiguration\n';

const validYAML = `${head}resources:
  - resources: [secrets, configmaps]
    providers:
      - aescbc:
          keys:
            - name: key1
              secret: ${K32}
      - identity: {}
  - resources: ['*.apps']
    providers:
      - aesgcm:
          keys: [{ name: k, secret: ${K16} }]
  - resources: ['*.*']
    providers: [{ identity: {} }]
`;

test('a valid YAML config parses; the same config as JSON parses the same', () => {
  const c = parseEncryptionConfiguration(validYAML);
  assert.equal(c.resources.length, 3);
  assert.deepEqual(c.resources[0]!.resources, ['secrets', 'configmaps']);
  assert.deepEqual(parseEncryptionConfiguration(JSON.stringify(c)), c);
});

test('loadEncryptionConfiguration names the file in its errors', () => {
  const dir = mkdtempSync(join(tmpdir(), 'enc-config-'));
  try {
    const path = join(dir, 'enc.yaml');
    assert.throws(() => loadEncryptionConfiguration(path), (e: Error) => e instanceof EncryptionConfigError && e.message.startsWith(`error opening encryption provider configuration file "${path}"`));
    writeFileSync(path, `${head}resources: []\n`);
    assert.throws(
      () => loadEncryptionConfiguration(path),
      (e: Error) => e.message === `error while parsing encryption provider configuration file "${path}": resources: Required value: at least one resources is required`,
    );
    writeFileSync(path, validYAML);
    assert.equal(loadEncryptionConfiguration(path).kind, 'EncryptionConfiguration');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

const aescbc = (...keys: { name?: string; secret?: string }[]) => ({ aescbc: { keys } });
const cfg = (...resources: unknown[]) => JSON.stringify({ apiVersion: 'apiserver.config.k8s.io/v1', kind: 'EncryptionConfiguration', resources });
const entry = (resources: string[], ...providers: unknown[]) => ({ resources, providers });
const identity = { identity: {} };

const bad: [string, string, string | RegExp][] = [
  ['empty file', '  \n', 'the file is empty'],
  ['not YAML', 'resources: [unclosed', /^not valid YAML or JSON: /],
  ['a list, not an object', '- a\n- b\n', 'expected an EncryptionConfiguration object'],
  ['wrong apiVersion', 'apiVersion: v1\nkind: EncryptionConfiguration\nresources: []', 'apiVersion: Unsupported value: "v1": supported values: "apiserver.config.k8s.io/v1"'],
  ['wrong kind', 'apiVersion: apiserver.config.k8s.io/v1\nkind: EncryptionConfig\nresources: []', 'kind: Unsupported value: "EncryptionConfig": supported values: "EncryptionConfiguration"'],
  ['no resources', `${head}`, 'resources: Required value: at least one resources is required'],
  ['an entry without resources', cfg(entry([], identity)), 'resources[0].resources: Required value: at least one resources[0].resources is required'],
  ['an entry without providers', cfg(entry(['secrets'])), 'resources[0].providers: Required value: at least one resources[0].providers is required'],
  [
    'two provider types in one element',
    cfg(entry(['secrets'], { ...aescbc({ name: 'k', secret: K32 }), identity: {} })),
    'resources[0].providers[0]: Invalid value: more than one provider specified in a single element, should split into different list elements',
  ],
  ['no provider type', cfg(entry(['secrets'], { aescbcc: { keys: [] } })), 'resources[0].providers[0]: Invalid value: provider does not contain any of the expected providers: aescbc, aesgcm, identity (unknown field "aescbcc")'],
  ['identity: null', cfg(entry(['secrets'], { identity: null })), 'resources[0].providers[0].identity: Invalid value: null: must be an object (write "identity: {}" for identity)'],
  ['kms', cfg(entry(['secrets'], { kms: { name: 'x', endpoint: 'unix:///kms.sock' } })), /^resources\[0\]\.providers\[0\]\.kms: Unsupported value: "kms": tskube does not implement the kms provider; supported values: "aescbc", "aesgcm", "identity"$/],
  ['secretbox', cfg(entry(['secrets'], { secretbox: { keys: [{ name: 'k', secret: K32 }] } })), /^resources\[0\]\.providers\[0\]\.secretbox: Unsupported value: "secretbox": tskube does not implement the secretbox provider/],
  ['aes without keys', cfg(entry(['secrets'], { aesgcm: { keys: [] } })), 'resources[0].providers[0].aesgcm.keys: Required value: at least one keys is required'],
  ['a key without a name', cfg(entry(['secrets'], aescbc({ secret: K32 }))), 'resources[0].providers[0].aescbc.keys[0].name: Required value: name is a mandatory field for a key'],
  ['a key without a secret', cfg(entry(['secrets'], aescbc({ name: 'k' }))), 'resources[0].providers[0].aescbc.keys[0].secret: Required value: secret is a mandatory field for a key'],
  ['the same key name twice', cfg(entry(['secrets'], aescbc({ name: 'k', secret: K32 }, { name: 'k', secret: K16 }))), 'resources[0].providers[0].aescbc.keys[1].name: Duplicate value: "k"'],
  [
    'the same key name in two aescbc providers of one entry',
    cfg(entry(['secrets'], aescbc({ name: 'k', secret: K32 }), aescbc({ name: 'k', secret: K16 }))),
    'resources[0].providers[1].aescbc.keys[0].name: Duplicate value: "k"',
  ],
  ['a secret that is not base64', cfg(entry(['secrets'], aescbc({ name: 'k', secret: 'not base64!' }))), 'resources[0].providers[0].aescbc.keys[0].secret: Invalid value: "REDACTED": secrets must be base64 encoded'],
  [
    'a secret of the wrong length',
    cfg(entry(['secrets'], aescbc({ name: 'k', secret: Buffer.alloc(20).toString('base64') }))),
    'resources[0].providers[0].aescbc.keys[0].secret: Invalid value: "REDACTED": secret is not of the expected length, got 20, expected one of [16 24 32]',
  ],
  ['a resource twice in one entry', cfg(entry(['secrets', 'secrets'], identity)), 'resources[0].resources: Invalid value: []string{"secrets", "secrets"}: the same resource cannot be specified multiple times'],
  [
    'a wildcard next to what it covers',
    cfg(entry(['secrets', '*.'], identity)),
    `resources[0].resources: Invalid value: []string{"secrets", "*."}: using overlapping resources such as 'secrets' and '*.' in the same resource list is not allowed as they will be masked`,
  ],
  ['capital letters', cfg(entry(['Secrets'], identity)), 'resources[0].resources[0]: Invalid value: "Secrets": resource name should not contain capital letters'],
  ['a bare *', cfg(entry(['*'], identity)), `resources[0].resources[0]: Invalid value: "*": use '*.' to encrypt all the resources from core API group or *.* to encrypt all resources`],
  ['a resource across groups', cfg(entry(['secrets.*'], identity)), 'resources[0].resources[0]: Invalid value: "secrets.*": encrypting the same resource across groups is not supported'],
  ['events.k8s.io', cfg(entry(['events.events.k8s.io'], identity)), /^resources\[0\]\.resources\[0\]: Invalid value: "events\.events\.k8s\.io": '\*\.events\.k8s\.io' objects are stored using the 'events' API group/],
  ['extensions', cfg(entry(['ingresses.extensions'], identity)), `resources[0].resources[0]: Invalid value: "ingresses.extensions": 'extensions' group has been removed and cannot be used for encryption`],
  ['a non-REST resource', cfg(entry(['serviceipallocations'], identity)), 'resources[0].resources[0]: Invalid value: "serviceipallocations": resources which do not have REST API/s cannot be encrypted'],
  ['a resource after *.* in an earlier entry', cfg(entry(['*.*'], identity), entry(['secrets'], identity)), 'resources[1].resources[0]: Invalid value: "secrets": resource "secrets" is masked by earlier rule "*.*"'],
  ['a resource after its group wildcard', cfg(entry(['*.apps'], identity), entry(['deployments.apps'], identity)), 'resources[1].resources[0]: Invalid value: "deployments.apps": resource "deployments.apps" is masked by earlier rule "*.apps"'],
  ['*. twice', cfg(entry(['*.'], identity), entry(['*.'], identity)), 'resources[1].resources[0]: Invalid value: "*.": resource "*." is masked by earlier rule "*."'],
  [
    'every problem, on one line',
    cfg(entry([], aescbc({ name: '', secret: K32 }))),
    '[resources[0].resources: Required value: at least one resources[0].resources is required, resources[0].providers[0].aescbc.keys[0].name: Required value: name is a mandatory field for a key]',
  ],
];

for (const [name, text, want] of bad) {
  test(`invalid config: ${name}`, () => {
    assert.throws(
      () => parseEncryptionConfiguration(text),
      (e: Error) => {
        assert.ok(e instanceof EncryptionConfigError, String(e));
        assert.ok(!e.message.includes('\n'), 'one line');
        if (typeof want === 'string') assert.equal(e.message, want);
        else assert.match(e.message, want);
        return true;
      },
    );
  });
}

test('valid corner cases: the same resource in two entries; specific rules before wildcards', () => {
  parseEncryptionConfiguration(cfg(entry(['secrets'], aescbc({ name: 'a', secret: K32 })), entry(['secrets'], identity)));
  parseEncryptionConfiguration(cfg(entry(['deployments.apps'], identity), entry(['*.apps'], identity), entry(['*.*'], identity)));
  // Key names are per provider type: aescbc and aesgcm both having `k` is unambiguous.
  parseEncryptionConfiguration(cfg(entry(['secrets'], aescbc({ name: 'k', secret: K32 }), { aesgcm: { keys: [{ name: 'k', secret: K32 }] } })));
});

test('secrets never appear in error messages', () => {
  const secret = Buffer.alloc(20, 7).toString('base64');
  assert.throws(() => parseEncryptionConfiguration(cfg(entry(['secrets'], aescbc({ name: 'k', secret })))), (e: Error) => !e.message.includes(secret));
});
