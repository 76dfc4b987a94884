// The real kubectl 1.20 (Debian's kubernetes-client, unpacked by scripts/ensure-deps into
// .tskube/tools/kubectl-1.20): a kubectl from before OpenAPI v3 reads /openapi/v2 as gnostic
// protobuf only, for `explain`, client-side `apply` (strategic merge patches) and `diff`.
import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startTestApiserver, type TestApiserver } from '../test/harness/apiserver.js';
import { KUBECTL_1_20, kubectlFor } from '../test/harness/kubectl.js';
import { http } from '../test/harness/http.js';


let api: TestApiserver;
let k: ReturnType<typeof kubectlFor>;

const deployment = (image: string, replicas: number) => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: old
  labels:
    app: old
spec:
  replicas: ${replicas}
  selector:
    matchLabels:
      app: old
  template:
    metadata:
      labels:
        app: old
    spec:
      containers:
      - name: web
        image: ${image}
        ports:
        - containerPort: 80
`;

function file(name: string, text: string): string {
  const p = join(k.home, name);
  writeFileSync(p, text);
  return p;
}

before(async () => {
  api = await startTestApiserver();
  k = kubectlFor(api.config, KUBECTL_1_20);
});
after(async () => {
  await api?.stop();
});

describe('GET /openapi/v2 over HTTP', () => {
  const PB = 'application/com.github.proto-openapi.spec.v2@v1.0+protobuf';

  test('protobuf when asked (the content type kube-openapi answers), JSON otherwise', async () => {
    const pb = await http(api)('GET', '/openapi/v2', undefined, { accept: PB });
    assert.equal(pb.status, 200);
    assert.equal(pb.headers.get('content-type'), 'application/com.github.proto-openapi.spec.v2.v1.0+protobuf');
    assert.match(pb.headers.get('etag') ?? '', /^"[0-9A-F]{128}"$/);
    assert.equal(pb.headers.get('vary'), 'Accept');
    const json = await http(api)('GET', '/openapi/v2');
    assert.match(json.headers.get('content-type') ?? '', /^application\/json/);
    assert.equal((json.body as { swagger: string }).swagger, '2.0');
    assert.notEqual(json.headers.get('etag'), pb.headers.get('etag'));
  });

  test('If-None-Match with the current ETag answers 304', async () => {
    const first = await http(api)('GET', '/openapi/v2', undefined, { accept: PB });
    const again = await http(api)('GET', '/openapi/v2', undefined, { accept: PB, 'if-none-match': first.headers.get('etag') ?? '' });
    assert.equal(again.status, 304);
    assert.equal(again.text, '');
  });
});

describe('kubectl 1.20 (OpenAPI v2 as protobuf)', () => {
  test('kubectl 1.20 is installed (scripts/ensure-deps unpacks it)', () => {
    assert.ok(existsSync(KUBECTL_1_20), `no kubectl 1.20 at ${KUBECTL_1_20}: run scripts/ensure-deps`);
  });

  test('explain pod.spec.containers', async () => {
    const r = await k.run(['explain', 'pod.spec.containers']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /KIND:\s+Pod/);
    assert.match(r.stdout, /RESOURCE:\s+containers <\[\]Object>/);
    assert.match(r.stdout, /image\s+<string>/);
  });

  test('apply -f creates, then configures a Deployment (strategic merge from the schema)', async () => {
    const f = file('deploy.yaml', deployment('nginx:1.25', 2));
    const c = await k.run(['apply', '-f', f]);
    assert.equal(c.code, 0, c.stderr);
    assert.equal(c.stdout.trim(), 'deployment.apps/old created');
    const u = await k.run(['apply', '-f', file('deploy.yaml', deployment('nginx:1.26', 3))]);
    assert.equal(u.code, 0, u.stderr);
    assert.equal(u.stdout.trim(), 'deployment.apps/old configured');
    const got = JSON.parse((await k.run(['get', 'deploy', 'old', '-o', 'json'])).stdout);
    assert.equal(got.spec.replicas, 3);
    assert.deepEqual(got.spec.template.spec.containers.map((c: { name: string; image: string }) => [c.name, c.image]), [['web', 'nginx:1.26']]);
  });

  test('diff shows a change (exit 1) and nothing for the applied file (exit 0)', async () => {
    const same = await k.run(['diff', '-f', join(k.home, 'deploy.yaml')]);
    assert.equal(same.code, 0, same.stderr + same.stdout);
    const changed = await k.run(['diff', '-f', file('changed.yaml', deployment('nginx:1.27', 3))]);
    assert.equal(changed.code, 1, changed.stderr);
    assert.match(changed.stdout, /^-\s+- image: nginx:1\.26$|^-\s+image: nginx:1\.26$/m);
    assert.match(changed.stdout, /^\+\s+(- )?image: nginx:1\.27$/m);
  });
});
