// Fixtures of the apiextensions tests: CRDs and raw requests against a test apiserver.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fetch } from 'undici';
import type { TestApiserver } from './apiserver.js';
import type { CustomResourceDefinition, CustomResourceDefinitionNames, JSONSchemaProps } from 'kubernetes-types/apiextensions/v1';

const PRESERVE = { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } as JSONSchemaProps;

export function simpleCRD(
  group: string,
  names: CustomResourceDefinitionNames,
  opts: { scope?: 'Namespaced' | 'Cluster'; version?: string; schema?: JSONSchemaProps } = {},
): CustomResourceDefinition {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${names.plural}.${group}` },
    spec: {
      group,
      scope: opts.scope ?? 'Namespaced',
      names,
      versions: [{ name: opts.version ?? 'v1', served: true, storage: true, schema: { openAPIV3Schema: opts.schema ?? PRESERVE } }],
    },
  };
}

export interface Reply {
  status: number;
  json: Record<string, unknown>;
}

/** Raw JSON requests as the admin, and a poll for a CRD's Established condition. */
export function crdRequests(api: TestApiserver) {
  const req = async (method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<Reply> => {
    const res = await fetch(api.url + path, {
      method,
      dispatcher: api.dispatcher,
      headers: body === undefined ? {} : { 'content-type': contentType },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    return { status: res.status, json: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
  };
  const established = (name: string) => async (): Promise<Record<string, unknown> | undefined> => {
    const r = await req('GET', `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${name}`);
    const conds = (r.json.status as { conditions?: { type: string; status: string }[] } | undefined)?.conditions ?? [];
    return conds.some((c) => c.type === 'Established' && c.status === 'True') ? r.json : undefined;
  };
  return { req, established };
}

const CRONTAB_SCHEMA = `
          type: object
          properties:
            spec:
              type: object
              properties:
                cronSpec:
                  type: string
                  pattern: '^(\\S+\\s){4}\\S+$'
                  description: The cron schedule.
                image:
                  type: string
                replicas:
                  type: integer
                  minimum: 0
                  maximum: 10
                  default: 1
            status:
              type: object
              properties:
                replicas:
                  type: integer
                labelSelector:
                  type: string`;

/** crontabs.stable.example.com: two versions, status and scale, printer columns, a short name, category all. */
export const CRONTAB_CRD = `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: crontabs.stable.example.com
spec:
  group: stable.example.com
  scope: Namespaced
  names:
    plural: crontabs
    kind: CronTab
    shortNames: [ct]
    categories: [all]
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema:${CRONTAB_SCHEMA.replace(/\n/g, '\n  ')}
    subresources:
      status: {}
      scale:
        specReplicasPath: .spec.replicas
        statusReplicasPath: .status.replicas
        labelSelectorPath: .status.labelSelector
    additionalPrinterColumns:
    - name: Spec
      type: string
      jsonPath: .spec.cronSpec
    - name: Replicas
      type: integer
      jsonPath: .spec.replicas
    - name: Age
      type: date
      jsonPath: .metadata.creationTimestamp
  - name: v1beta1
    served: true
    storage: false
    schema:
      openAPIV3Schema:${CRONTAB_SCHEMA.replace(/\n/g, '\n  ')}
`;

/** A CronTab my-cron with this image. */
export const crontab = (image: string): string => `apiVersion: stable.example.com/v1
kind: CronTab
metadata:
  name: my-cron
  labels:
    app: cron
spec:
  cronSpec: "* * * * */5"
  image: ${image}
`;

/** widgets.stable.example.com: crontabs' twin in the same group (short name wd). */
export const WIDGET_CRD = CRONTAB_CRD.replaceAll('crontabs', 'widgets').replaceAll('CronTab', 'Widget').replace('shortNames: [ct]', 'shortNames: [wd]');

/** Writes a manifest into `dir` (a kubectl's home) and returns its path. */
export function writeManifest(dir: string, name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}
