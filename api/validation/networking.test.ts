import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import type { KObject } from '../types.js';
import { assertCause, clone, createCauses, infoFor, set } from './testing.js';
import { applyDefaults } from '../defaults/index.js';

const backend = { service: { name: 'web', port: { number: 80 } } };
const ingress: KObject = {
  apiVersion: 'networking.k8s.io/v1',
  kind: 'Ingress',
  metadata: { name: 'web', namespace: 'default' },
  spec: { rules: [{ host: 'web.example.com', http: { paths: [{ path: '/', pathType: 'Prefix', backend }] } }] },
};
const netpol: KObject = {
  apiVersion: 'networking.k8s.io/v1',
  kind: 'NetworkPolicy',
  metadata: { name: 'np', namespace: 'default' },
  spec: { podSelector: {}, ingress: [{ from: [{ ipBlock: { cidr: '10.0.0.0/8', except: ['10.1.0.0/16'] } }], ports: [{ port: 80 }] }] },
};
const P = 'spec.rules[0].http.paths[0]';

describe('Ingress', () => {
  test('valid', () => assert.deepEqual(createCauses('Ingress', ingress), []));
  const table: [string, KObject, string, string][] = [
    ['pathType required', set(ingress, `${P}.pathType`, undefined), `${P}.pathType`, 'Required value: pathType must be specified'],
    ['pathType values', set(ingress, `${P}.pathType`, 'Regex'), `${P}.pathType`, 'Unsupported value: "Regex": supported values: "Exact", "ImplementationSpecific", "Prefix"'],
    ['Prefix needs an absolute path', set(ingress, `${P}.path`, 'api'), `${P}.path`, 'Invalid value: "api": must be an absolute path'],
    ['service xor resource', set(ingress, `${P}.backend`, { ...backend, resource: { kind: 'Bucket', name: 'b' } }), `${P}.backend`, 'Invalid value: "": cannot set both resource and service backends'],
    ['one backend required', set(ingress, `${P}.backend`, {}), `${P}.backend`, 'Invalid value: "": resource or service backend is required'],
    ['port name xor number', set(ingress, `${P}.backend.service.port`, { name: 'http', number: 80 }), `${P}.backend.service.port`, 'Invalid value'],
    ['no rules, no default backend', set(ingress, 'spec.rules', []), 'spec', 'Invalid value: "": either `defaultBackend` or `rules` must be specified'],
  ];
  for (const [name, obj, path, msg] of table) test(name, () => assertCause(createCauses('Ingress', obj), path, msg));
});

describe('IngressClass', () => {
  const cls: KObject = { apiVersion: 'networking.k8s.io/v1', kind: 'IngressClass', metadata: { name: 'nginx' }, spec: { controller: 'k8s.io/ingress-nginx' } };
  test('valid', () => assert.deepEqual(createCauses('IngressClass', cls), []));
  test('controller required', () => assertCause(createCauses('IngressClass', set(cls, 'spec.controller', undefined)), 'spec.controller', 'Required value'));
});

describe('NetworkPolicy', () => {
  test('valid', () => assert.deepEqual(createCauses('NetworkPolicy', netpol), []));
  test('defaults: TCP ports, policyTypes from the rules present', () => {
    const o = clone(netpol) as unknown as { spec: { policyTypes: string[]; ingress: { ports: { protocol: string }[] }[] } };
    applyDefaults(infoFor('NetworkPolicy'), o as unknown as KObject);
    assert.deepEqual(o.spec.policyTypes, ['Ingress']);
    assert.equal(o.spec.ingress[0].ports[0].protocol, 'TCP');
    const e = set(netpol, 'spec.egress', [{}]) as unknown as { spec: { policyTypes: string[]; ingress: { ports: { protocol: string }[] }[] } };
    applyDefaults(infoFor('NetworkPolicy'), e as unknown as KObject);
    assert.deepEqual(e.spec.policyTypes, ['Ingress', 'Egress']);
  });
  const table: [string, KObject, string, string][] = [
    ['policyTypes values', set(netpol, 'spec.policyTypes', ['Both']), 'spec.policyTypes[0]', 'Unsupported value: "Both": supported values: "Egress", "Ingress"'],
    ['protocol values', set(netpol, 'spec.ingress[0].ports[0].protocol', 'ICMP'), 'spec.ingress[0].ports[0].protocol', 'Unsupported value: "ICMP"'],
    ['cidr must parse', set(netpol, 'spec.ingress[0].from[0].ipBlock.cidr', '10.0.0.0/33'), 'spec.ingress[0].from[0].ipBlock.cidr', 'Invalid value: "10.0.0.0/33": must be a valid CIDR value'],
    ['except inside cidr', set(netpol, 'spec.ingress[0].from[0].ipBlock.except', ['192.168.0.0/16']), 'spec.ingress[0].from[0].ipBlock.except[0]', 'Invalid value: "192.168.0.0/16": must be a strict subset of `cidr`'],
  ];
  for (const [name, obj, path, msg] of table) test(name, () => assertCause(createCauses('NetworkPolicy', obj), path, msg));
});
