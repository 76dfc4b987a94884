import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { backendDocumentURL, OpenAPIV3Aggregation } from './openapi.js';
import { ProxyTransport } from './transport.js';

describe('OpenAPI v3 aggregation', () => {
  test('the backend\'s document URL for its group-version, only when its index lists one', () => {
    const index = Buffer.from(JSON.stringify({ paths: { 'apis/metrics.k8s.io/v1beta1': { serverRelativeURL: '/openapi/v3/apis/metrics.k8s.io/v1beta1?hash=AB' } } }));
    assert.equal(backendDocumentURL(index, 'apis/metrics.k8s.io/v1beta1'), '/openapi/v3/apis/metrics.k8s.io/v1beta1?hash=AB');
    assert.equal(backendDocumentURL(index, 'apis/other/v1'), undefined);
    assert.equal(backendDocumentURL(Buffer.from('not json'), 'apis/metrics.k8s.io/v1beta1'), undefined);
    assert.equal(backendDocumentURL(Buffer.from(JSON.stringify({ paths: { 'apis/x/v1': { serverRelativeURL: 'https://elsewhere/' } } })), 'apis/x/v1'), undefined);
  });

  test('with no backend known, the index is the apiserver\'s own', () => {
    const agg = new OpenAPIV3Aggregation(new ProxyTransport(undefined));
    const base = { paths: { 'api/v1': { serverRelativeURL: '/openapi/v3/api/v1?hash=1' } } };
    assert.deepEqual(agg.index(base), base);
    assert.equal(agg.find('apis/x/v1', () => undefined), undefined);
  });
});
