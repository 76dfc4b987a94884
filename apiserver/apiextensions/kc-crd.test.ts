// kc against custom resources: it learns them from discovery, so get/apply/delete by plural,
// singular and short name work as with kubectl, with the same output.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startTestApiserver, type TestApiserver } from '../../test/harness/apiserver.js';
import { waitFor } from '../../test/harness/ports.js';
import { kcPair, type KcPair } from '../../test/e2e/kc-harness.js';

let api: TestApiserver;
let p: KcPair;

before(async () => {
  api = await startTestApiserver();
  p = kcPair(api.config);
});
after(async () => {
  await api?.stop();
});

const CRD = `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: backups.ops.example.com
spec:
  group: ops.example.com
  scope: Namespaced
  names:
    plural: backups
    kind: Backup
    shortNames: [bk]
    categories: [ops]
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec:
            type: object
            properties:
              target:
                type: string
    additionalPrinterColumns:
    - name: Target
      type: string
      jsonPath: .spec.target
`;

const CR = `apiVersion: ops.example.com/v1
kind: Backup
metadata:
  name: nightly
spec:
  target: db
`;

describe('kc: custom resources through discovery', () => {
  test('apply a CRD and a CR, get by every name and category, delete', async () => {
    writeFileSync(join(p.kubectl.home, 'crd.yaml'), CRD);
    writeFileSync(join(p.kubectl.home, 'cr.yaml'), CR);
    const c = await p.kc(['apply', '-f', 'crd.yaml']);
    assert.equal(c.code, 0, c.stderr);
    await waitFor('backups served', async () => (await p.kc(['get', 'backups'])).code === 0, 5000);
    const a = await p.kc(['apply', '-f', 'cr.yaml']);
    assert.equal(a.code, 0, a.stderr);
    assert.match(a.stdout, /^backup\.ops\.example\.com\/nightly created$/m);
    for (const name of ['backups', 'backup', 'bk', 'backups.ops.example.com', 'ops']) {
      const g = await p.kc(['get', name]);
      assert.equal(g.code, 0, `${name}: ${g.stderr}`);
      assert.match(g.stdout, /^nightly\s+db$/m, name);
    }
    const { kubectl, kc } = await p.both(['get', 'bk', 'nightly', '-o', 'yaml']);
    assert.equal(kc.stdout, kubectl.stdout);
    const d = await p.kc(['delete', 'bk', 'nightly']);
    assert.equal(d.code, 0, d.stderr);
    assert.match(d.stdout, /backup\.ops\.example\.com "nightly" deleted/);
  });
});
