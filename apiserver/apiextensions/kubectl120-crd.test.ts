// Custom resources with the real kubectl 1.20 (before OpenAPI v3): it reads the CRD's schema
// from /openapi/v2 as gnostic protobuf for explain, and applies CRs with merge patches.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { startTestApiserver, type TestApiserver } from '../../test/harness/apiserver.js';
import { kubectlFor } from '../../test/harness/kubectl.js';
import { waitFor } from '../../test/harness/ports.js';

// dist/apiserver/apiextensions/ → the checkout's root.
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const KUBECTL_1_20 = process.env.KUBECTL_1_20 ?? join(ROOT, '.tskube', 'tools', 'kubectl-1.20', 'usr', 'bin', 'kubectl');

let api: TestApiserver;
let k: ReturnType<typeof kubectlFor>;

before(async () => {
  api = await startTestApiserver();
  k = kubectlFor(api.config, KUBECTL_1_20);
});
after(async () => {
  await api?.stop();
});

const CRD = `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: gadgets.shop.example.com
spec:
  group: shop.example.com
  scope: Namespaced
  names:
    plural: gadgets
    kind: Gadget
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
              color:
                type: string
                description: The gadget's colour.
              sizes:
                type: array
                items:
                  type: integer
`;

const CR = (color: string) => `apiVersion: shop.example.com/v1
kind: Gadget
metadata:
  name: g1
spec:
  color: ${color}
  sizes: [1, 2]
`;

describe('kubectl 1.20: custom resources', () => {
  test('apply a CRD and a CR, change it, explain it', async () => {
    const f = (name: string, text: string) => {
      const p = join(k.home, name);
      writeFileSync(p, text);
      return p;
    };
    assert.equal((await k.run(['apply', '-f', f('crd.yaml', CRD)])).code, 0);
    await waitFor('gadgets served', async () => (await k.run(['get', 'gadgets'])).code === 0, 10_000);
    const c = await k.run(['apply', '-f', f('cr.yaml', CR('red'))]);
    assert.equal(c.code, 0, c.stderr);
    assert.match(c.stdout, /gadget\.shop\.example\.com\/g1 created/);
    const u = await k.run(['apply', '-f', f('cr.yaml', CR('blue'))]);
    assert.equal(u.code, 0, u.stderr);
    assert.match(u.stdout, /gadget\.shop\.example\.com\/g1 configured/);
    const g = await k.run(['get', 'gadget', 'g1', '-o', 'jsonpath={.spec.color}']);
    assert.equal(g.stdout, 'blue');
    const e = await k.run(['explain', 'gadget.spec']);
    assert.equal(e.code, 0, e.stderr);
    assert.match(e.stdout, /color\s+<string>/);
    assert.match(e.stdout, /The gadget's colour\./);
  });
});
