// The real kubectl 1.32 against networking.k8s.io/v1 over real etcd: apply, get (kubectl's
// columns), describe, explain, and a 422 with field causes.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startTestApiserver, type TestApiserver } from '../test/harness/apiserver.js';
import { kubectlFor } from '../test/harness/kubectl.js';

let api: TestApiserver;
let k: ReturnType<typeof kubectlFor>;

before(async () => {
  api = await startTestApiserver();
  k = kubectlFor(api.config);
});
after(async () => {
  await api?.stop();
});

function file(name: string, text: string): string {
  const p = join(k.home, name);
  writeFileSync(p, text);
  return p;
}

const manifests = `apiVersion: networking.k8s.io/v1
kind: IngressClass
metadata:
  name: nginx
spec:
  controller: k8s.io/ingress-nginx
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: web
spec:
  ingressClassName: nginx
  rules:
  - host: web.example.com
    http:
      paths:
      - path: /
        pathType: Prefix
        backend:
          service:
            name: web
            port:
              number: 80
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: deny
spec:
  podSelector:
    matchLabels:
      app: web
  ingress:
  - from:
    - ipBlock:
        cidr: 10.0.0.0/8
        except: [10.1.0.0/16]
    ports:
    - port: 80
`;

describe('kubectl 1.32: networking.k8s.io/v1', () => {
  test('apply, get with kubectl columns, defaults', async () => {
    const a = await k.run(['apply', '-f', file('net.yaml', manifests)]);
    assert.equal(a.code, 0, a.stderr);
    assert.match(a.stdout, /^ingressclass\.networking\.k8s\.io\/nginx created$/m);
    assert.match(a.stdout, /^ingress\.networking\.k8s\.io\/web created$/m);
    assert.match(a.stdout, /^networkpolicy\.networking\.k8s\.io\/deny created$/m);
    const again = await k.run(['apply', '-f', join(k.home, 'net.yaml')]);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /^ingress\.networking\.k8s\.io\/web unchanged$/m);
    const ing = await k.run(['get', 'ing']);
    assert.equal(ing.code, 0, ing.stderr);
    assert.match(ing.stdout, /^NAME\s+CLASS\s+HOSTS\s+ADDRESS\s+PORTS\s+AGE$/m);
    assert.match(ing.stdout, /^web\s+nginx\s+web\.example\.com\s+80\s+\S+$/m);
    const cls = await k.run(['get', 'ingressclass']);
    assert.match(cls.stdout, /^NAME\s+CONTROLLER\s+PARAMETERS\s+AGE$/m);
    assert.match(cls.stdout, /^nginx\s+k8s\.io\/ingress-nginx\s+<none>\s+\S+$/m);
    const np = await k.run(['get', 'netpol']);
    assert.match(np.stdout, /^NAME\s+POD-SELECTOR\s+AGE$/m);
    assert.match(np.stdout, /^deny\s+app=web\s+\S+$/m);
    const j = JSON.parse((await k.run(['get', 'networkpolicy', 'deny', '-o', 'json'])).stdout);
    assert.deepEqual(j.spec.policyTypes, ['Ingress']);
    assert.equal(j.spec.ingress[0].ports[0].protocol, 'TCP');
  });

  test('describe and explain', async () => {
    const d = await k.run(['describe', 'ingress', 'web']);
    assert.equal(d.code, 0, d.stderr);
    assert.match(d.stdout, /web\.example\.com/);
    const e = await k.run(['explain', 'ingress.spec.rules']);
    assert.equal(e.code, 0, e.stderr);
    assert.match(e.stdout, /GROUP:\s+networking\.k8s\.io/);
  });

  test('invalid objects answer 422 with field causes', async () => {
    const bad = file('bad.yaml', 'apiVersion: networking.k8s.io/v1\nkind: IngressClass\nmetadata:\n  name: bad\nspec: {}\n');
    const r = await k.run(['apply', '-f', bad]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /IngressClass "bad" is invalid: spec\.controller: Required value/);
  });
});
