import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import type { KObject } from '../types.js';
import { assertCause, createCauses, set } from './testing.js';
import { validateAPIServiceName } from './apiregistration.js';

const svc: KObject = {
  apiVersion: 'apiregistration.k8s.io/v1',
  kind: 'APIService',
  metadata: { name: 'v1beta1.metrics.k8s.io' },
  spec: { group: 'metrics.k8s.io', version: 'v1beta1', service: { namespace: 'kube-system', name: 'metrics-server' }, insecureSkipTLSVerify: true, groupPriorityMinimum: 100, versionPriority: 100 },
};
const local: KObject = { apiVersion: 'apiregistration.k8s.io/v1', kind: 'APIService', metadata: { name: 'v1.apps' }, spec: { group: 'apps', version: 'v1', groupPriorityMinimum: 17800, versionPriority: 15 } };

describe('APIService', () => {
  test('valid: Service-backed (port defaulted to 443), Local, and the core group `v1.`', () => {
    assert.deepEqual(createCauses('APIService', svc), []);
    assert.deepEqual(createCauses('APIService', local), []);
    assert.deepEqual(createCauses('APIService', { ...local, metadata: { name: 'v1.' }, spec: { group: '', version: 'v1', groupPriorityMinimum: 18000, versionPriority: 1 } }), []);
  });

  test('the name must be <version>.<group>', () => {
    assertCause(createCauses('APIService', set(svc, 'metadata.name', 'v1.metrics.k8s.io')), 'metadata.name', 'Invalid value: "v1.metrics.k8s.io": must be `spec.version+"."+spec.group`: "v1beta1.metrics.k8s.io"');
    assert.deepEqual(validateAPIServiceName('apps'), ['must be in the form: version.group']);
    assert.deepEqual(validateAPIServiceName('v2.'), ['only v1 may have an empty group and it better be legacy kube']);
    assert.deepEqual(validateAPIServiceName('v1.'), []);
  });

  test('an empty group is only for v1; group and version are DNS names', () => {
    assertCause(createCauses('APIService', set(set(local, 'metadata.name', 'v2.'), 'spec', { group: '', version: 'v2', groupPriorityMinimum: 1, versionPriority: 1 })), 'spec.group', 'Required value: only v1 may have an empty group and it better be legacy kube');
    assertCause(createCauses('APIService', set(set(local, 'metadata.name', 'V1.apps'), 'spec.version', 'V1')), 'spec.version', 'Invalid value: "V1": a DNS-1035 label');
  });

  test('priorities in range', () => {
    assertCause(createCauses('APIService', set(svc, 'spec.groupPriorityMinimum', 20001)), 'spec.groupPriorityMinimum', 'Invalid value: 20001: must be positive and less than 20000');
    assertCause(createCauses('APIService', set(svc, 'spec.versionPriority', 0)), 'spec.versionPriority', 'Invalid value: 0: must be positive and less than 1000');
  });

  test('a Service reference is complete and its port valid', () => {
    assertCause(createCauses('APIService', set(svc, 'spec.service', { port: 443 })), 'spec.service.namespace', 'Required value');
    assertCause(createCauses('APIService', set(svc, 'spec.service', { namespace: 'a', port: 443 })), 'spec.service.name', 'Required value');
    assertCause(createCauses('APIService', set(svc, 'spec.service.port', 0)), 'spec.service.port', 'Invalid value: 0: port is not valid: must be between 1 and 65535, inclusive');
  });

  test('caBundle and insecureSkipTLSVerify never both; neither on a Local APIService', () => {
    assertCause(createCauses('APIService', set(svc, 'spec.caBundle', 'Zm9v')), 'spec.insecureSkipTLSVerify', 'Invalid value: true: may not be true if caBundle is present');
    assertCause(createCauses('APIService', set(local, 'spec.caBundle', 'Zm9v')), 'spec.caBundle', 'Invalid value: "3 bytes": local APIServices may not have a caBundle');
    assertCause(createCauses('APIService', set(local, 'spec.insecureSkipTLSVerify', true)), 'spec.insecureSkipTLSVerify', 'Invalid value: true: local APIServices may not have insecureSkipTLSVerify');
  });
});
