import assert from 'node:assert/strict';
import { test } from 'node:test';
import { issueCert, newCA } from '../client/cert/x509.js';
import { chainsTo, extraFrom, parseBundle } from './authn.js';

test('X-Remote-Extra-* headers: keys lowercased and unescaped, every line a value', () => {
  assert.deepEqual(
    extraFrom({ 'x-remote-extra-scopes': ['view', 'edit'], 'x-remote-extra-acme.com%2fproject': ['p1'], 'x-remote-user': ['jane'] }, ['X-Remote-Extra-']),
    { scopes: ['view', 'edit'], 'acme.com/project': ['p1'] },
  );
});

test('a certificate is attributed to the CA that issued it', async () => {
  const [front, cluster] = await Promise.all([newCA('front-proxy-ca'), newCA('cluster-ca')]);
  const leaf = await issueCert(front, { commonName: 'front-proxy-client', usages: ['client'] });
  const roots = { front: parseBundle(front.cert), cluster: parseBundle(`${cluster.cert}\nnot a certificate\n`) };
  assert.equal(roots.cluster.length, 1);
  const peer = { raw: Buffer.from(leaf.cert.replace(/-----[^-]+-----|\s/g, ''), 'base64') } as Parameters<typeof chainsTo>[0];
  assert.equal(chainsTo(peer, roots.front), true);
  assert.equal(chainsTo(peer, roots.cluster), false);
});
