import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { StatusError } from '../../api/status.js';
import { decodeMessage, decodeProtobufBody } from './decode.js';

// A minimal protobuf writer for building bodies the way Go's gogo-protobuf does.
const varint = (n: number | bigint): Buffer => {
  let x = BigInt.asUintN(64, BigInt(n));
  const out: number[] = [];
  do {
    let b = Number(x & 0x7fn);
    x >>= 7n;
    if (x) b |= 0x80;
    out.push(b);
  } while (x);
  return Buffer.from(out);
};
const num = (field: number, v: number | bigint): Buffer => Buffer.concat([varint(field << 3), varint(v)]);
const bytes = (field: number, v: Buffer | string): Buffer => {
  const b = typeof v === 'string' ? Buffer.from(v) : v;
  return Buffer.concat([varint((field << 3) | 2), varint(b.length), b]);
};
const msg = (field: number, ...parts: Buffer[]): Buffer => bytes(field, Buffer.concat(parts));
const entry = (field: number, k: string, v: Buffer | string): Buffer => msg(field, bytes(1, k), bytes(2, v));
const envelope = (apiVersion: string, kind: string, raw: Buffer): Buffer =>
  Buffer.concat([Buffer.from('k8s\0', 'latin1'), msg(1, bytes(1, apiVersion), bytes(2, kind)), bytes(2, raw), bytes(3, ''), bytes(4, '')]);
// ObjectMeta as Go writes it: every non-pointer field, empty or not.
const meta = (name: string, ...more: Buffer[]): Buffer =>
  msg(1, bytes(1, name), bytes(2, ''), bytes(3, ''), bytes(4, ''), bytes(5, ''), bytes(6, ''), num(7, 0), bytes(8, ''), ...more);

const statusOf = (fn: () => unknown): { code: number; reason: string; message: string } => {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof StatusError, String(e));
    return { code: e.code, reason: e.status.reason ?? '', message: e.status.message ?? '' };
  }
  assert.fail('expected an error');
};

describe('protobuf request bodies (kubectl generator commands)', () => {
  test('a ConfigMap: envelope, metadata, map; zero values and the empty creationTimestamp are dropped', () => {
    const body = envelope('v1', 'ConfigMap', Buffer.concat([meta('cm', entry(11, 'app', 'x')), entry(2, 'a', '1'), entry(2, 'b', '')]));
    assert.deepEqual(decodeProtobufBody(body), { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm', labels: { app: 'x' } }, data: { a: '1', b: '' } });
  });

  test('Secret data is bytes (base64 in JSON)', () => {
    const body = envelope('v1', 'Secret', Buffer.concat([meta('s'), entry(2, 'k', Buffer.from([0, 255, 1])), bytes(3, 'Opaque')]));
    assert.deepEqual(decodeProtobufBody(body), { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, data: { k: 'AP8B' }, type: 'Opaque' });
  });

  test('a Deployment: pointer fields keep their zero (replicas: 0), plain ones drop it; repeated strings; ports; status ignored', () => {
    const container = msg(2, bytes(1, 'c'), bytes(2, 'busybox'), bytes(3, 'sh'), bytes(3, '-c'), bytes(3, ''), bytes(5, ''), msg(6, bytes(1, ''), num(2, 0), num(3, 8080), bytes(4, '')), msg(8), num(16, 0));
    const spec = msg(2, num(1, 0), msg(2, entry(1, 'app', 'd')), msg(3, meta('', entry(11, 'app', 'd')), msg(2, container, bytes(3, ''), num(11, 0))), msg(4, bytes(1, '')), num(5, 0), num(7, 0));
    const status = msg(3, num(1, 5), num(2, 5));
    const d = decodeProtobufBody(envelope('apps/v1', 'Deployment', Buffer.concat([meta('d'), spec, status])));
    assert.deepEqual(d, {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'd' },
      spec: {
        replicas: 0,
        selector: { matchLabels: { app: 'd' } },
        template: {
          metadata: { labels: { app: 'd' } },
          spec: { containers: [{ name: 'c', image: 'busybox', command: ['sh', '-c', ''], ports: [{ containerPort: 8080 }], resources: {} }] },
        },
        strategy: {},
      },
    });
  });

  test('Service ports: targetPort as number or name', () => {
    const port = (name: string, target: Buffer) => msg(1, bytes(1, name), bytes(2, 'TCP'), num(3, 80), msg(4, ...[target]), num(5, 0));
    const svc = decodeMessage(Buffer.concat([meta('s'), msg(2, port('a', Buffer.concat([num(1, 0), num(2, 8080), bytes(3, '')])), port('b', Buffer.concat([num(1, 1), num(2, 0), bytes(3, 'http')])), bytes(4, 'ClusterIP'))]), 'Service');
    assert.deepEqual((svc.spec as { ports: unknown }).ports, [
      { name: 'a', protocol: 'TCP', port: 80, targetPort: 8080 },
      { name: 'b', protocol: 'TCP', port: 80, targetPort: 'http' },
    ]);
  });

  test('a set creationTimestamp becomes RFC 3339; negative int64 values survive', () => {
    const m = decodeMessage(Buffer.concat([bytes(1, 'x'), msg(8, num(1, 1_700_000_000), num(2, 0)), num(10, -1n)]), 'ObjectMeta');
    assert.deepEqual(m, { name: 'x', creationTimestamp: '2023-11-14T22:13:20Z', deletionGracePeriodSeconds: -1 });
    assert.equal(statusOf(() => decodeMessage(msg(8, num(1, 2n ** 62n)), 'ObjectMeta')).code, 400, 'a time out of range');
  });

  test('an RBAC rule keeps the empty apiGroups entry (the core group)', () => {
    const role = decodeMessage(Buffer.concat([meta('r'), msg(2, bytes(1, 'get'), bytes(2, ''), bytes(3, 'pods'))]), 'Role');
    assert.deepEqual(role.rules, [{ verbs: ['get'], apiGroups: [''], resources: ['pods'] }]);
  });

  test('a field outside the table is refused with 415, never dropped', () => {
    const body = envelope('v1', 'ConfigMap', Buffer.concat([meta('cm'), bytes(99, 'surprise')]));
    const e = statusOf(() => decodeProtobufBody(body));
    assert.equal(e.code, 415);
    assert.equal(e.reason, 'UnsupportedMediaType');
    assert.match(e.message, /field 99 of ConfigMap/);
    assert.match(e.message, /kubectl create -f/);
    const podSecurity = envelope('batch/v1', 'Job', Buffer.concat([meta('j'), msg(2, msg(6, msg(2, msg(14, num(2, 1000)))))]));
    assert.match(statusOf(() => decodeProtobufBody(podSecurity)).message, /field 2 of Job\.spec\.template\.spec\.securityContext/);
  });

  test('kinds kubectl does not generate, content encodings, bad magic and truncated bodies', () => {
    assert.equal(statusOf(() => decodeProtobufBody(envelope('v1', 'Pod', meta('p')))).code, 415);
    const gz = Buffer.concat([Buffer.from('k8s\0', 'latin1'), msg(1, bytes(1, 'v1'), bytes(2, 'ConfigMap')), bytes(2, meta('x')), bytes(3, 'gzip')]);
    assert.match(statusOf(() => decodeProtobufBody(gz)).message, /content encoding gzip/);
    assert.equal(statusOf(() => decodeProtobufBody(Buffer.from('{"kind":"ConfigMap"}'))).code, 400);
    assert.equal(statusOf(() => decodeProtobufBody(undefined)).code, 400);
    const whole = envelope('v1', 'ConfigMap', meta('cm'));
    for (let cut = 5; cut < whole.length; cut += 3) {
      const r = (() => {
        try {
          decodeProtobufBody(whole.subarray(0, cut));
          return 0;
        } catch (e) {
          return (e as StatusError).code;
        }
      })();
      assert.ok(r === 0 || r === 400 || r === 415, `cut at ${cut}: ${r}`);
    }
    assert.equal(statusOf(() => decodeProtobufBody(Buffer.concat([Buffer.from('k8s\0', 'latin1'), Buffer.from([0x0a, 0x80])]))).code, 400);
    assert.equal(statusOf(() => decodeProtobufBody(Buffer.concat([Buffer.from('k8s\0', 'latin1'), num(1, 5)]))).code, 400, 'typeMeta with the wrong wire type');
  });
});
