// Fixtures shared by tests and the CRD benchmark: a realistic 20-field custom resource schema
// (strings with patterns and enums, bounded integers, int-or-string, nullable, lists, maps, a
// nested object, defaults) and a valid object for it.
import type { JSONSchemaProps } from './types.js';

/** The openAPIV3Schema of a `Widget` whose spec has 20 fields; a status is allowed too. */
export function benchSchema20(): JSONSchemaProps {
  return {
    type: 'object',
    properties: {
      apiVersion: { type: 'string' },
      kind: { type: 'string' },
      metadata: { type: 'object' },
      spec: {
        type: 'object',
        required: ['name', 'replicas'],
        properties: {
          name: { type: 'string', minLength: 1, maxLength: 63, pattern: '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$' },
          replicas: { type: 'integer', format: 'int32', minimum: 0, maximum: 1000 },
          size: { type: 'string', enum: ['S', 'M', 'L', 'XL'], default: 'M' },
          image: { type: 'string', minLength: 1 },
          paused: { type: 'boolean', default: false },
          port: { 'x-kubernetes-int-or-string': true },
          weight: { type: 'number', minimum: 0, maximum: 1 },
          owner: { type: 'string', format: 'email' },
          createdAt: { type: 'string', format: 'date-time' },
          uid: { type: 'string', format: 'uuid' },
          description: { type: 'string', maxLength: 256, nullable: true },
          tags: { type: 'array', maxItems: 16, items: { type: 'string', maxLength: 32 } },
          labels: { type: 'object', additionalProperties: { type: 'string' } },
          env: {
            type: 'array',
            items: { type: 'object', required: ['name'], properties: { name: { type: 'string' }, value: { type: 'string' } } },
          },
          resources: {
            type: 'object',
            properties: { cpu: { 'x-kubernetes-int-or-string': true }, memory: { 'x-kubernetes-int-or-string': true } },
          },
          strategy: {
            type: 'object',
            properties: { type: { type: 'string', enum: ['Recreate', 'RollingUpdate'], default: 'RollingUpdate' }, maxSurge: { type: 'integer', default: 1 } },
          },
          priority: { type: 'integer', minimum: -10, maximum: 10, default: 0 },
          timeoutSeconds: { type: 'integer', format: 'int64', minimum: 1 },
          endpoint: { type: 'string', format: 'hostname' },
          config: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
        },
      },
      status: {
        type: 'object',
        properties: {
          readyReplicas: { type: 'integer' },
          phase: { type: 'string' },
          conditions: {
            type: 'array',
            items: {
              type: 'object',
              required: ['type', 'status'],
              properties: { type: { type: 'string' }, status: { type: 'string' }, reason: { type: 'string' }, message: { type: 'string' } },
            },
          },
        },
      },
    },
  };
}

/** A valid `Widget` for benchSchema20 (apiVersion `bench.example.com/v1`), with its name set to `name`. */
export function benchObject20(name: string, namespace = 'default'): Record<string, unknown> {
  return {
    apiVersion: 'bench.example.com/v1',
    kind: 'Widget',
    metadata: { name, namespace, labels: { app: 'bench' } },
    spec: {
      name,
      replicas: 3,
      size: 'L',
      image: 'busybox:1.36',
      paused: false,
      port: 'http',
      weight: 0.5,
      owner: 'ops@example.com',
      createdAt: '2024-05-01T10:00:00Z',
      uid: '123e4567-e89b-12d3-a456-426614174000',
      description: null,
      tags: ['a', 'b'],
      labels: { tier: 'web' },
      env: [{ name: 'MODE', value: 'fast' }],
      resources: { cpu: '500m', memory: 134217728 },
      strategy: { type: 'Recreate', maxSurge: 2 },
      priority: 5,
      timeoutSeconds: 30,
      endpoint: 'widget.example.com',
      config: { anything: { goes: [1, 2, 3] } },
    },
  };
}
